/**
 * The JSON github-action-benchmark reads with `tool: customSmallerIsBetter` or
 * `customBiggerIsBetter`: an array of { name, unit, value, range?, extra? }, one entry per
 * measurement, in two files because the tool takes one direction per file. Times and sizes
 * go to the smaller-is-better file, rates and ratios to the bigger-is-better one; counts have
 * no better direction in the document and go to neither. The value is the median; `range` is
 * its confidence interval, `extra` the tooltip (n, p95, min … max, runtime version, run).
 * A measurement without a value is left out: the tool would read a missing value as 0.
 * A pure function of the documents.
 */
import { badDirection } from '../core/compare.ts';
import { formatCoverage, formatValue } from '../core/format.ts';
import type { Measurement, ResultsDocument, Unit } from '../core/schema.ts';
import { manyHosts, uniqueSeries } from './series.ts';

export interface BenchmarkEntry {
  name: string;
  unit: string;
  value: number;
  range?: string;
  extra?: string;
}

export type BenchmarkDirection = 'smaller' | 'bigger';

/** The unit an entry is written in, and the factor from the document's unit: readable on the tool's charts, and stable. */
const SCALE: Record<Unit, { unit: string; factor: number }> = {
  ns: { unit: 'ms', factor: 1e-6 },
  bytes: { unit: 'MiB', factor: 1 / (1024 * 1024) },
  'ops/s': { unit: 'ops/s', factor: 1 },
  'containers/s': { unit: 'containers/s', factor: 1 },
  'containers/GiB': { unit: 'containers/GiB', factor: 1 },
  ratio: { unit: 'ratio', factor: 1 },
  count: { unit: 'count', factor: 1 },
  bool: { unit: 'bool', factor: 1 },
};

/**
 * One name segment: '/' separates segments and '@' the host, so they and '%' are
 * percent-encoded, as are control and line-separator characters; any two different label sets
 * give different names.
 */
function segment(s: string): string {
  return s.replace(/[%/@\u0000-\u001f\u007f\u2028\u2029]/g, encodeURIComponent);
}

/** layer/suite/metric/workload/kind/arch/runtime, e.g. oci/startup/run/hello/native/amd64/crun; @host when several hosts. */
export function benchmarkName(m: Measurement, withHost: boolean): string {
  const l = m.labels;
  const parts = [l.layer, m.suite, m.metric, l.workload, l.workloadKind, l.emulated ? `${l.arch}-emulated` : l.arch, l.runtime];
  const name = parts.map(segment).join('/');
  return withHost ? `${name}@${segment(l.host)}` : name;
}

/** Enough digits for any figure, without binary noise such as 40.950000000000003. */
function clean(x: number): number {
  return Number(x.toPrecision(12));
}

/** An interval's ends, for reading: five significant digits. */
function brief(x: number): number {
  return Number(x.toPrecision(5));
}

function direction(unit: Unit): BenchmarkDirection | null {
  const bad = badDirection(unit);
  return bad === 'up' ? 'smaller' : bad === 'down' ? 'bigger' : null;
}

/** The entries of one direction, sorted by name so the file is the same for the same documents. */
export function benchmarkEntries(docs: readonly ResultsDocument[], want: BenchmarkDirection): BenchmarkEntry[] {
  const withHost = manyHosts(docs);
  const versions = new Map(docs.flatMap((d) => d.runtimes.map((r) => [`${d.host.hostname}\u0000${r.name}`, r.version] as const)));
  const out: BenchmarkEntry[] = [];
  for (const { measurement: m, runId } of uniqueSeries(docs, `github-action-benchmark JSON (${want} is better)`)) {
    const s = m.stats;
    if (direction(m.unit) !== want || !s || !Number.isFinite(s.median)) continue;
    const { unit, factor } = SCALE[m.unit];
    const [lo, hi] = s.ci95Median;
    const short = s.ci95MedianCoverage !== undefined && s.ci95MedianCoverage < 0.95;
    const version = versions.get(`${m.labels.host}\u0000${m.labels.runtime}`);
    const extra = [
      `median of ${m.samples.length} samples${m.failedSamples > 0 ? ` (${m.failedSamples} failed)` : ''}`,
      `p95 ${formatValue(s.p95, m.unit)}, min ${formatValue(s.min, m.unit)}, max ${formatValue(s.max, m.unit)}`,
      `${m.labels.runtime} ${version ?? '(version unknown)'} on ${m.labels.host}, run ${runId}`,
    ].join('\n');
    out.push({
      name: benchmarkName(m, withHost),
      unit,
      value: clean(s.median * factor),
      ...(Number.isFinite(lo) && Number.isFinite(hi)
        ? { range: `${short ? formatCoverage(s.ci95MedianCoverage ?? 0) : '95%'} CI ${brief(lo * factor)} … ${brief(hi * factor)}` }
        : {}),
      extra,
    });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function render(docs: readonly ResultsDocument[], want: BenchmarkDirection): string {
  return `${JSON.stringify(benchmarkEntries(docs, want), null, 2)}\n`;
}

export function toBenchmarkSmaller(docs: readonly ResultsDocument[]): string {
  return render(docs, 'smaller');
}

export function toBenchmarkBigger(docs: readonly ResultsDocument[]): string {
  return render(docs, 'bigger');
}
