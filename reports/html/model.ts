/**
 * What the HTML report shows, as plain data (types.ts): the sections listed in sections/index.ts,
 * in that order. The page script only draws this model; every decision about grouping, units
 * and wording is made in the sections, where it can be tested.
 */
import { DEFAULT_ALPHA, DEFAULT_THRESHOLD_PERCENT } from '../../core/compare.ts';
import type { ResultsDocument } from '../../core/schema.ts';
import { groupMeasurements } from '../groups.ts';
import { SECTIONS } from './sections/index.ts';
import type { HtmlOptions, ReportModel, SectionContext } from './types.ts';

/** The report model for one or more documents (hosts), with an optional baseline and history. */
export function buildReportModel(docs: readonly ResultsDocument[], options: HtmlOptions = {}): ReportModel {
  const thresholdPercent = options.thresholdPercent ?? DEFAULT_THRESHOLD_PERCENT;
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const hosts = [...new Set(docs.map((d) => d.host.hostname))];
  const archs = [...new Set(docs.flatMap((d) => d.measurements.map((m) => m.labels.arch)))];
  const ctx: SectionContext = { docs, groups: groupMeasurements(docs), baseline: options.baseline, history: options.history, thresholdPercent, alpha };
  const sections = SECTIONS.flatMap((build) => build(ctx) ?? []);
  const subtitleDocs = docs.length > 0 ? docs : (options.history ?? []);
  const runtimes = [...new Set(subtitleDocs.flatMap((d) => d.runtimes.filter((r) => r.status === 'ok').map((r) => r.name)))];
  return {
    title: options.history && docs.length === 0 ? 'runbench history' : 'runbench report',
    subtitle: `${subtitleDocs.length} results document${subtitleDocs.length === 1 ? '' : 's'}; hosts ${(docs.length > 0 ? hosts : [...new Set(subtitleDocs.map((d) => d.host.hostname))]).join(', ')}; architectures ${(archs.length > 0 ? archs : [...new Set(subtitleDocs.map((d) => d.host.arch))]).join(', ')}; runtimes ${runtimes.join(', ')}`,
    sections,
  };
}
