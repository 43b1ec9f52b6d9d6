/**
 * Comparing two results documents: for every measurement present in both, the change of the
 * median with a distribution-free confidence interval, a Mann-Whitney U test whose p-values are
 * adjusted across all rows, and one of four verdicts, each only as strong as the data allows:
 *   regressed / improved  the adjusted p < alpha and the median moved more than the threshold
 *   no-change             the change's interval lies within ± the threshold
 *   inconclusive          neither: too few samples or too noisy, with about how many would decide
 * (and `changed` for a unit without a better direction). Pure and deterministic.
 */
import { type EnvironmentDifference, environmentDifferences } from './environment.ts';
import { adjustPValues, type Correction, CORRECTION_NAMES } from './multiple-testing.ts';
import { layerName } from './format.ts';
import { mannWhitneyU, normalQuantileUpper, samplesToReach, shiftInterval, smallestP, type MannWhitneyResult } from './mann-whitney.ts';
import type { Measurement, ResultsDocument, Unit } from './schema.ts';
import { median } from './stats.ts';

export const DEFAULT_THRESHOLD_PERCENT = 5;
export const DEFAULT_ALPHA = 0.05;
export const DEFAULT_CORRECTION: Correction = 'holm';
/** Past this many samples a side, "inconclusive" names no figure: more samples will not decide it. */
export const MAX_SAMPLES_ESTIMATE = 10_000;

/** Which way is worse: up for times and sizes, down for rates and ratios, none for counts. */
export function badDirection(unit: Unit): 'up' | 'down' | 'none' {
  switch (unit) {
    case 'ns':
    case 'bytes':
      return 'up';
    case 'ops/s':
    case 'containers/s':
    case 'ratio':
      return 'down';
    default:
      return 'none';
  }
}

export type Direction = ReturnType<typeof badDirection>;

export type Verdict = 'regressed' | 'improved' | 'no-change' | 'inconclusive' | 'changed';

/** The order rows are listed in: what needs attention first. */
export const VERDICT_ORDER: Record<Verdict, number> = { regressed: 0, improved: 1, changed: 2, inconclusive: 3, 'no-change': 4 };

export const VERDICT_TEXT: Record<Verdict, string> = {
  regressed: 'regressed',
  improved: 'improved',
  changed: 'changed',
  inconclusive: 'inconclusive',
  'no-change': 'no change',
};

export interface CompareKey {
  layer: string;
  suite: string;
  metric: string;
  runtime: string;
  workload: string;
  workloadKind: string;
  arch: string;
}

/** What one base and head measurement say, before the row is judged with the others. */
export interface Change extends CompareKey {
  unit: Unit;
  /** The worse direction: from the unit in compare, from the metric's definition in thresholds. */
  direction: Direction;
  emulated: boolean;
  baseN: number;
  headN: number;
  baseMedian: number;
  headMedian: number;
  /** median(head) - median(base), in the metric's unit. */
  diff: number;
  /** Confidence interval of the shift from base to head (Hodges-Lehmann / Moses), in the metric's unit. */
  diffCi: [number, number];
  /** The probability that diffCi covers the shift: 1 - alpha, or less with too few samples (then it says how much). */
  ciCoverage: number;
  /** The change relative to the base median, in percent; the interval is scaled the same way. */
  changePercent: number;
  changeCiPercent: [number, number];
  pValue: number;
  test: MannWhitneyResult['method'];
  /** Changes smaller than this, in percent of the base median, are no change. */
  thresholdPercent: number;
}

/** Why a document's host was noisy while it ran, or null (also for documents that did not record it). */
function noisyReason(doc: ResultsDocument): string | null {
  const s = doc.noise?.summary;
  return s?.noisy ? (s.reason ?? 'other work competed for the CPUs') : null;
}

export interface ComparisonRow extends Change {
  /** pValue adjusted across every row of the comparison. */
  pAdjusted: number;
  verdict: Verdict;
  /** Why the verdict is what it is, in one phrase. */
  reason: string;
  /** For an inconclusive row: about how many samples a side would decide it; null when none would (or when decided). */
  samplesToDecide: number | null;
}

export interface ComparisonOptions {
  /** Noise threshold: a change smaller than this (percent of the base median) is never a verdict. */
  thresholdPercent: number;
  alpha: number;
  /** How p-values are adjusted for the number of rows; Holm when not given. */
  correction?: Correction;
}

export interface VerdictCounts {
  regressions: number;
  improvements: number;
  noChange: number;
  inconclusive: number;
  changed: number;
}

export interface Comparison extends VerdictCounts {
  /** Each side's run; `noisy` says why its host was noisy while it ran (core/noise.ts), or null. */
  base: { runId: string; startedAt: string; host: string; noisy: string | null };
  head: { runId: string; startedAt: string; host: string; noisy: string | null };
  /** What differs between the environments of base and head, shown before any row. */
  environment: EnvironmentDifference[];
  options: Required<ComparisonOptions>;
  rows: ComparisonRow[];
  /** Measurements present on one side only, as "layer/suite/metric runtime workload (kind, arch)". */
  onlyInBase: string[];
  onlyInHead: string[];
  /** Present on both sides but not comparable, e.g. emulated on one side only. */
  notComparable: { key: string; reason: string }[];
}

const KEY_FIELDS = ['layer', 'suite', 'metric', 'runtime', 'workload', 'workloadKind', 'arch'] as const;

export function keyOf(m: Measurement): CompareKey {
  return {
    layer: layerName(m.labels),
    suite: m.suite,
    metric: m.metric,
    runtime: m.labels.runtime,
    workload: m.labels.workload,
    workloadKind: m.labels.workloadKind,
    arch: m.labels.arch,
  };
}

/** A comparison key as one string, for maps and sets. */
export function keyString(k: CompareKey): string {
  return KEY_FIELDS.map((f) => k[f]).join('\u0000');
}

export function describeKey(k: CompareKey): string {
  return `${k.layer}/${k.suite}/${k.metric} ${k.runtime} ${k.workload} (${k.workloadKind}, ${k.arch})`;
}

function index(doc: ResultsDocument): Map<string, Measurement> {
  const out = new Map<string, Measurement>();
  for (const m of doc.measurements) {
    const k = keyString(keyOf(m));
    if (!out.has(k)) out.set(k, m);
  }
  return out;
}

export function formatP(p: number): string {
  if (!Number.isFinite(p)) return 'n/a';
  if (p < 0.0001) return p.toExponential(1);
  return p.toFixed(4);
}

/** The change from base to head of one measurement; the verdict comes with the other rows, in judge(). */
export function measureChange(
  base: Measurement,
  head: Measurement,
  options: { thresholdPercent: number; alpha: number },
  direction: Direction = badDirection(head.unit),
): Change {
  const baseMedian = median(base.samples);
  const headMedian = median(head.samples);
  const diff = headMedian - baseMedian;
  const ci = shiftInterval(base.samples, head.samples, 1 - options.alpha);
  const diffCi: [number, number] = ci ? [ci.lower, ci.upper] : [Number.NaN, Number.NaN];
  const scale = baseMedian !== 0 ? 100 / Math.abs(baseMedian) : Number.NaN;
  const mw = mannWhitneyU(base.samples, head.samples);
  return {
    ...keyOf(head),
    unit: head.unit,
    direction,
    emulated: base.labels.emulated || head.labels.emulated,
    baseN: base.samples.length,
    headN: head.samples.length,
    baseMedian,
    headMedian,
    diff,
    diffCi,
    ciCoverage: ci?.coverage ?? 0,
    changePercent: diff * scale,
    changeCiPercent: [diffCi[0] * scale, diffCi[1] * scale],
    pValue: mw.p,
    test: mw.method,
    thresholdPercent: options.thresholdPercent,
  };
}

/**
 * About how many samples a side would decide an undecided row, if the spread stays as it is: an
 * interval's half-width shrinks as 1/sqrt(n). A change beyond the threshold needs the interval to
 * clear zero at the strictest adjusted level (alpha over the number of rows); one within it needs
 * the interval inside ± the threshold. Never fewer than the test needs to reach that level.
 */
function samplesToDecide(c: Change, alpha: number, rows: number): number | null {
  const strictest = alpha / Math.max(1, rows);
  const floor = samplesToReach(strictest);
  const n = (2 * c.baseN * c.headN) / (c.baseN + c.headN);
  const halfWidth = (c.changeCiPercent[1] - c.changeCiPercent[0]) / 2;
  const se = halfWidth / normalQuantileUpper(alpha / 2);
  const size = Math.abs(c.changePercent);
  let needed: number;
  if (size > c.thresholdPercent) needed = n * ((normalQuantileUpper(strictest / 2) * se) / size) ** 2;
  else if (size < c.thresholdPercent) needed = n * (halfWidth / (c.thresholdPercent - size)) ** 2;
  else needed = Number.POSITIVE_INFINITY;
  const out = Math.ceil(Math.max(needed, floor, n + 1));
  return Number.isFinite(out) && out <= MAX_SAMPLES_ESTIMATE ? out : null;
}

function verdictOf(c: Change, pAdjusted: number, alpha: number, rows: number): Omit<ComparisonRow, keyof Change> {
  const t = c.thresholdPercent;
  const p = rows > 1 ? 'adjusted p' : 'p';
  const decided = (verdict: Verdict, reason: string) => ({ pAdjusted, verdict, reason, samplesToDecide: null });
  const undecided = (reason: string) => ({ pAdjusted, verdict: 'inconclusive' as const, reason, samplesToDecide: samplesToDecide(c, alpha, rows) });
  if (!Number.isFinite(c.changePercent)) return decided('inconclusive', 'the base median is 0: no relative change');
  // with too few values no arrangement of them is significant, nor is any interval 1 - alpha sure
  const best = smallestP(c.baseN, c.headN);
  if (best >= alpha) return undecided(`too few samples: ${c.baseN} and ${c.headN} give no p below ${formatP(best)}`);
  const beyond = Math.abs(c.changePercent) > t;
  if (pAdjusted < alpha && beyond) {
    if (c.direction === 'none') return decided('changed', `${p} < ${alpha} and moved more than ${t}%; ${c.unit} has no better direction`);
    const worse = c.direction === 'up' ? c.changePercent > 0 : c.changePercent < 0;
    return decided(worse ? 'regressed' : 'improved', `${p} < ${alpha} and ${worse ? 'worse' : 'better'} by more than ${t}%`);
  }
  if (!beyond && c.changeCiPercent[0] >= -t && c.changeCiPercent[1] <= t) return decided('no-change', `interval within ±${t}%`);
  return undecided(pAdjusted < alpha ? `${p} < ${alpha} but the interval reaches past ±${t}%` : `${p} ≥ ${alpha} and the interval reaches past ±${t}%`);
}

/** Verdicts for changes tested together: their p-values adjusted across all of them. */
export function judge(changes: readonly Change[], options: Required<ComparisonOptions>): ComparisonRow[] {
  const adjusted = adjustPValues(
    changes.map((c) => c.pValue),
    options.correction,
  );
  return changes.map((c, i) => ({ ...c, ...verdictOf(c, adjusted[i] ?? Number.NaN, options.alpha, changes.length) }));
}

export function countVerdicts(rows: readonly ComparisonRow[]): VerdictCounts {
  const count = (v: Verdict) => rows.filter((r) => r.verdict === v).length;
  return {
    regressions: count('regressed'),
    improvements: count('improved'),
    noChange: count('no-change'),
    inconclusive: count('inconclusive'),
    changed: count('changed'),
  };
}

/** One line for every report: how many rows got each verdict. */
export function describeCounts(c: VerdictCounts & { rows: readonly unknown[] }): string {
  const parts = [
    `${c.regressions} regressed`,
    `${c.improvements} improved`,
    ...(c.changed > 0 ? [`${c.changed} changed`] : []),
    `${c.noChange} no change`,
    `${c.inconclusive} inconclusive`,
  ];
  return `${parts.join(', ')} of ${c.rows.length} compared`;
}

/** What the verdicts mean, in one paragraph every report prints. */
export function describeMethod(options: Required<ComparisonOptions>, rows: number): string {
  const p =
    rows > 1 ? `the Mann-Whitney U p-value, adjusted across the ${rows} rows by ${CORRECTION_NAMES[options.correction]},` : 'the Mann-Whitney U p-value';
  const level = Number(((1 - options.alpha) * 100).toFixed(1));
  return (
    `Regressed or improved: ${p} is below ${options.alpha} and the median moved more than ${options.thresholdPercent}%. ` +
    `No change: the ${level}% interval of the change lies within ±${options.thresholdPercent}%. Inconclusive: neither, with about how many samples a side would decide.`
  );
}

export function compareDocuments(base: ResultsDocument, head: ResultsDocument, options: ComparisonOptions): Comparison {
  const opts: Required<ComparisonOptions> = { correction: DEFAULT_CORRECTION, ...options };
  const b = index(base);
  const h = index(head);
  const changes: Change[] = [];
  const onlyInHead: string[] = [];
  const notComparable: { key: string; reason: string }[] = [];
  for (const [k, hm] of h) {
    const bm = b.get(k);
    if (!bm) onlyInHead.push(describeKey(keyOf(hm)));
    else if (bm.labels.emulated !== hm.labels.emulated) {
      // An emulated figure measures the emulator as much as the runtime.
      notComparable.push({ key: describeKey(keyOf(hm)), reason: `emulated in ${bm.labels.emulated ? 'base' : 'head'} only` });
    } else if (bm.unit !== hm.unit) {
      notComparable.push({ key: describeKey(keyOf(hm)), reason: `unit changed from ${bm.unit} to ${hm.unit}` });
    } else if (!bm.stats || !hm.stats) {
      const side = !bm.stats && !hm.stats ? 'either document' : !bm.stats ? 'base' : 'head';
      const failed = !bm.stats ? bm.failedSamples : hm.failedSamples;
      notComparable.push({ key: describeKey(keyOf(hm)), reason: `no value in ${side}: ${failed > 0 ? `all ${failed} samples failed` : 'no samples'}` });
    } else changes.push(measureChange(bm, hm, opts));
  }
  const onlyInBase = [...b].filter(([k]) => !h.has(k)).map(([, m]) => describeKey(keyOf(m)));
  const rows = judge(changes, opts);
  return {
    base: { runId: base.runId, startedAt: base.startedAt, host: base.host.hostname, noisy: noisyReason(base) },
    head: { runId: head.runId, startedAt: head.startedAt, host: head.host.hostname, noisy: noisyReason(head) },
    environment: environmentDifferences(base, head),
    options: opts,
    rows,
    onlyInBase,
    onlyInHead,
    notComparable,
    ...countVerdicts(rows),
  };
}
