/**
 * What the HTML report shows, as plain data (types.ts): the sections listed in sections/index.ts,
 * in that order. The page is rendered from this model on the server (render.ts); the page
 * script only draws the charts. Every decision about grouping, order, units and wording is
 * made in the sections, where it can be tested.
 */
import { DEFAULT_ALPHA, DEFAULT_THRESHOLD_PERCENT } from '../../core/compare.ts';
import type { Measurement, ResultsDocument } from '../../core/schema.ts';
import { blockKey, type Configuration, configurationOf } from '../configurations.ts';
import { groupMeasurements } from '../groups.ts';
import { seriesProblem, summaryMatrix } from '../summary-matrix.ts';
import { SECTIONS } from './sections/index.ts';
import type { FigureContext, HtmlOptions, ReportModel, SectionContext } from './types.ts';

function figureContext(docs: readonly ResultsDocument[], summary: ReturnType<typeof summaryMatrix>): FigureContext {
  const configurations = new Map<Pick<Measurement, 'labels'>, Configuration>();
  for (const d of docs) for (const m of [...d.measurements, ...d.facts]) configurations.set(m, configurationOf(d, m.labels));
  return {
    configurationOf: (m) =>
      configurations.get(m) ?? configurationOf(docs.find((d) => d.host.hostname === m.labels.host) ?? (docs[0] as ResultsDocument), m.labels),
    missing: (g) => {
      const present = new Set(g.entries.map((e) => configurations.get(e.measurement)?.key));
      return summary.rows.flatMap((row) => {
        if (row.block !== blockKey(g) || present.has(row.key)) return [];
        const why = seriesProblem(docs, row, g.suite);
        return why ? [{ configuration: row, ...why }] : [];
      });
    },
  };
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The report model for one or more documents (hosts), with an optional baseline and history. */
export function buildReportModel(docs: readonly ResultsDocument[], options: HtmlOptions = {}): ReportModel {
  const thresholdPercent = options.thresholdPercent ?? DEFAULT_THRESHOLD_PERCENT;
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const summary = summaryMatrix(docs);
  const ctx: SectionContext = {
    docs,
    groups: groupMeasurements(docs),
    summary,
    figures: figureContext(docs, summary),
    baseline: options.baseline,
    history: options.history,
    thresholdPercent,
    alpha,
  };
  const sections = SECTIONS.flatMap((build) => build(ctx) ?? []);
  const shown = docs.length > 0 ? docs : (options.history ?? []);
  const hosts = [...new Set(shown.map((d) => d.host.hostname))];
  const archs = [...new Set(shown.flatMap((d) => d.measurements.map((m) => m.labels.arch)))];
  const configurations = summary.rows.length;
  const what =
    options.baseline && docs[0]
      ? `head ${docs[0].runId} against base ${options.baseline.runId}`
      : options.history && docs.length === 0
        ? `${plural(shown.length, 'nightly results document', 'nightly results documents')}`
        : `${docs.length === 1 ? `run ${docs[0]?.runId}` : plural(docs.length, 'results document', 'results documents')}`;
  const parts = [
    what,
    `${plural(hosts.length, 'host', 'hosts')} (${hosts.join(', ')})`,
    archs.length > 0 ? `${archs.join(', ')}` : null,
    configurations > 0 ? plural(configurations, 'runtime configuration', 'runtime configurations') : null,
  ].filter((x): x is string => x !== null);
  return {
    title: options.baseline ? 'runbench comparison' : options.history && docs.length === 0 ? 'runbench history' : 'runbench report',
    subtitle: parts.join(' · '),
    sections,
  };
}
