/**
 * Comparing two results documents: for every measurement present in both, the change of the
 * median with a distribution-free confidence interval, a Mann-Whitney U test whose p-values are
 * adjusted across all rows, and one of four verdicts, each only as strong as the data allows:
 *   regressed / improved  the adjusted p < alpha and the median moved more than the threshold
 *   no-change             the change's interval lies within ± the threshold
 *   inconclusive          neither: too few samples or too noisy, with about how many would decide
 * (and `changed` for a unit without a better direction). Pure and deterministic.
 */
import { blockGroups, blockTest, type RunVariance, unitsToDecide } from './block-test.ts';
import { type FailureRateRow, failureRateTests, judgeFailureRates } from './compare-failures.ts';
import { type EnvironmentDifference, environmentDifferences } from './environment.ts';
import { adjustPValues, type Correction } from './multiple-testing.ts';
import { layerName } from './format.ts';
import { mannWhitneyU, normalQuantileUpper, samplesToReach, shiftInterval, smallestP, type MannWhitneyResult } from './mann-whitney.ts';
import type { Measurement, ResultsDocument, Unit } from './schema.ts';
import { median } from './stats.ts';

export const DEFAULT_THRESHOLD_PERCENT = 5;
export const DEFAULT_ALPHA = 0.05;
export const DEFAULT_CORRECTION: Correction = 'holm';
/** Past this many samples a side, "inconclusive" names no figure: more samples will not decide it. */
export const MAX_SAMPLES_ESTIMATE = 10_000;

export { badDirection, type Direction, formatP, type Verdict, VERDICT_ORDER, VERDICT_TEXT } from './verdicts.ts';
import { badDirection, type Direction, formatP, type Verdict } from './verdicts.ts';

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
  /**
   * Which test gave pValue and the interval: `blocks`, Welch's t-test on the log block medians (each
   * block, of each base run, one unit); `exact` or `asymptotic`, a Mann-Whitney U on the pooled
   * samples, where a side has fewer than two blocks.
   */
  test: MannWhitneyResult['method'] | 'blocks';
  /** Blocks a side for the block test; null for the pooled one. */
  baseUnits: number | null;
  headUnits: number | null;
  /** Changes smaller than this, in percent of the base median, are no change. */
  thresholdPercent: number;
  /** The host's run-level variance (log units squared) the block test added to its error, scaled for the runs on each side; 0 without a noise floor, null for the pooled test. */
  runVariance: number | null;
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

export const TESTS = ['blocks', 'samples'] as const;
export type TestChoice = (typeof TESTS)[number];

export interface ComparisonOptions {
  /** Noise threshold: a change smaller than this (percent of the base median) is never a verdict. */
  thresholdPercent: number;
  alpha: number;
  /** How p-values are adjusted for the number of rows; Holm when not given. */
  correction?: Correction;
  /**
   * `blocks` (the default): the block test wherever both sides were sampled in two or more
   * blocks, the pooled test elsewhere; `samples`: the pooled Mann-Whitney U test on every row.
   */
  test?: TestChoice;
  /** A threshold of its own for some rows, by key; others take thresholdPercent. */
  thresholdFor?: (key: CompareKey, unit: Unit) => number | null;
  /** A host's run-level variance of a row (its noise floor, core/noise-floor.ts), added to the block test's error. */
  runVarianceFor?: (key: CompareKey) => RunVariance | null;
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
  options: Required<Omit<ComparisonOptions, 'thresholdFor' | 'runVarianceFor'>>;
  /** How many runs the base side pools. */
  baseRuns: number;
  rows: ComparisonRow[];
  /** Measurements present on one side only, as "layer/suite/metric runtime workload (kind, arch)". */
  onlyInBase: string[];
  onlyInHead: string[];
  /** Present on both sides but not comparable, e.g. emulated on one side only. */
  notComparable: { key: string; reason: string }[];
  /** Each runtime configuration's failure rate, base against head, judged in the same family as `rows` (core/compare-failures.ts). */
  failureRates: FailureRateRow[];
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

/** The change from base to head of one measurement (from one or several base runs); the verdict comes with the other rows, in judge(). */
export function measureChange(
  base: Measurement | readonly Measurement[],
  head: Measurement,
  options: { thresholdPercent: number; alpha: number; test?: TestChoice; run?: RunVariance | null },
  direction: Direction = badDirection(head.unit),
): Change {
  const bases = Array.isArray(base) ? (base as readonly Measurement[]) : [base as Measurement];
  const baseSamples = bases.flatMap((m) => m.samples);
  const baseMedian = median(baseSamples);
  const headMedian = median(head.samples);
  const diff = headMedian - baseMedian;
  const scale = baseMedian !== 0 ? 100 / Math.abs(baseMedian) : Number.NaN;
  const common = {
    ...keyOf(head),
    unit: head.unit,
    direction,
    emulated: bases.some((m) => m.labels.emulated) || head.labels.emulated,
    baseN: baseSamples.length,
    headN: head.samples.length,
    baseMedian,
    headMedian,
    diff,
    thresholdPercent: options.thresholdPercent,
  };
  // each block of each base run is one unit; a base run without blocks is one unit of its own
  const baseGroups = bases.flatMap((m) => blockGroups(m) ?? [m.samples]);
  const headGroups = blockGroups(head);
  // a run's level moves by the floor's variance: the mean of several base runs by less, the head's by all of it
  const run = options.run ? { variance: options.run.variance * (1 / bases.length + 1), df: options.run.df } : undefined;
  const blocks = (options.test ?? 'blocks') === 'blocks' && headGroups ? blockTest(baseGroups, headGroups, 1 - options.alpha, run) : null;
  if (blocks) {
    const ci: [number, number] = [(blocks.changeCiPercent[0] * Math.abs(baseMedian)) / 100, (blocks.changeCiPercent[1] * Math.abs(baseMedian)) / 100];
    return {
      ...common,
      diffCi: ci,
      ciCoverage: 1 - options.alpha,
      changePercent: blocks.changePercent,
      changeCiPercent: blocks.changeCiPercent,
      pValue: blocks.pValue,
      test: 'blocks',
      baseUnits: blocks.baseUnits,
      headUnits: blocks.headUnits,
      runVariance: blocks.runVariance,
    };
  }
  const ci = shiftInterval(baseSamples, head.samples, 1 - options.alpha);
  const diffCi: [number, number] = ci ? [ci.lower, ci.upper] : [Number.NaN, Number.NaN];
  const mw = mannWhitneyU(baseSamples, head.samples);
  return {
    ...common,
    diffCi,
    ciCoverage: ci?.coverage ?? 0,
    changePercent: diff * scale,
    changeCiPercent: [diffCi[0] * scale, diffCi[1] * scale],
    pValue: mw.p,
    test: mw.method,
    baseUnits: null,
    headUnits: null,
    runVariance: null,
  };
}

/**
 * About how many samples a side would decide an undecided row, if the spread stays as it is: an
 * interval's half-width shrinks as 1/sqrt(n). A change beyond the threshold needs the interval to
 * clear zero at the strictest adjusted level (alpha over the number of rows); one within it needs
 * the interval inside ± the threshold. Never fewer than the test needs to reach that level.
 */
function samplesToDecide(c: Change, alpha: number, rows: number): number | null {
  if (c.test === 'blocks') return blockSamplesToDecide(c, alpha, rows);
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

/**
 * The same for the block test, in log units: more blocks narrow its interval, more samples in
 * the same blocks do not. Said in samples a side, in blocks of today's size.
 */
function blockSamplesToDecide(c: Change, alpha: number, rows: number): number | null {
  if (c.baseUnits === null || c.headUnits === null) return null;
  const log = (pct: number) => Math.log1p(pct / 100);
  const q = normalQuantileUpper(alpha / 2);
  const se = (log(c.changeCiPercent[1]) - log(c.changeCiPercent[0])) / 2 / q;
  const size = Math.abs(log(c.changePercent));
  const t = log(c.thresholdPercent);
  const target = size > t ? size / normalQuantileUpper(alpha / Math.max(1, rows) / 2) : size < t ? (t - size) / q : Number.NaN;
  const units = unitsToDecide({ baseUnits: c.baseUnits, headUnits: c.headUnits, se, runVariance: c.runVariance ?? 0 }, target, 1);
  if (units === null) return null;
  const perUnit = (c.baseN + c.headN) / (c.baseUnits + c.headUnits);
  const out = Math.ceil(units * perUnit);
  return out <= MAX_SAMPLES_ESTIMATE ? out : null;
}

function verdictOf(c: Change, pAdjusted: number, alpha: number, rows: number): Omit<ComparisonRow, keyof Change> {
  const t = c.thresholdPercent;
  const p = rows > 1 ? 'adjusted p' : 'p';
  const decided = (verdict: Verdict, reason: string) => ({ pAdjusted, verdict, reason, samplesToDecide: null });
  const undecided = (reason: string) => ({ pAdjusted, verdict: 'inconclusive' as const, reason, samplesToDecide: samplesToDecide(c, alpha, rows) });
  if (!Number.isFinite(c.changePercent)) return decided('inconclusive', 'the base median is 0: no relative change');
  // with too few values no arrangement of them is significant, nor is any interval 1 - alpha sure
  const best = c.test === 'blocks' ? 0 : smallestP(c.baseN, c.headN);
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
export function judge(changes: readonly Change[], options: Pick<Required<ComparisonOptions>, 'alpha' | 'correction'>): ComparisonRow[] {
  const adjusted = adjustPValues(
    changes.map((c) => c.pValue),
    options.correction,
  );
  return judgeAdjusted(changes, adjusted, options.alpha, changes.length);
}

/** Verdicts for changes whose p-values were adjusted with the rest of a family of `family` tests. */
function judgeAdjusted(changes: readonly Change[], adjusted: readonly number[], alpha: number, family: number): ComparisonRow[] {
  return changes.map((c, i) => ({ ...c, ...verdictOf(c, adjusted[i] ?? Number.NaN, alpha, family) }));
}

/** How many tests a comparison's p-values were adjusted across: its rows and its failure rates. */
export function familySize(c: Pick<Comparison, 'rows' | 'failureRates'>): number {
  return c.rows.length + c.failureRates.length;
}

export function countVerdicts(rows: readonly { verdict: Verdict }[]): VerdictCounts {
  const count = (v: Verdict) => rows.filter((r) => r.verdict === v).length;
  return {
    regressions: count('regressed'),
    improvements: count('improved'),
    noChange: count('no-change'),
    inconclusive: count('inconclusive'),
    changed: count('changed'),
  };
}

/** One line for every report: how many rows (measurements and failure rates) got each verdict. */
export function describeCounts(c: VerdictCounts & { rows: readonly unknown[]; failureRates?: readonly unknown[] }): string {
  const parts = [
    `${c.regressions} regressed`,
    `${c.improvements} improved`,
    ...(c.changed > 0 ? [`${c.changed} changed`] : []),
    `${c.noChange} no change`,
    `${c.inconclusive} inconclusive`,
  ];
  return `${parts.join(', ')} of ${c.rows.length + (c.failureRates?.length ?? 0)} compared`;
}

/**
 * Compares head with base: one results document, or several runs of the same baseline, whose
 * blocks then all count as units of the base side (their run-to-run spread enters the test).
 */
export function compareDocuments(base: ResultsDocument | readonly ResultsDocument[], head: ResultsDocument, options: ComparisonOptions): Comparison {
  const { thresholdFor, runVarianceFor, ...rest } = options;
  const opts: Required<Omit<ComparisonOptions, 'thresholdFor' | 'runVarianceFor'>> = { correction: DEFAULT_CORRECTION, test: 'blocks', ...rest };
  const bases = Array.isArray(base) ? (base as readonly ResultsDocument[]) : [base as ResultsDocument];
  const first = bases[0];
  if (!first) throw new RangeError('compareDocuments needs at least one base document');
  const b = bases.map(index);
  const h = index(head);
  const changes: Change[] = [];
  const onlyInHead: string[] = [];
  const notComparable: { key: string; reason: string }[] = [];
  for (const [k, hm] of h) {
    const found = b.map((x) => x.get(k)).filter((m): m is Measurement => m !== undefined);
    const bm = found[0];
    if (!bm) onlyInHead.push(describeKey(keyOf(hm)));
    else if (found.some((m) => m.labels.emulated !== hm.labels.emulated)) {
      // An emulated figure measures the emulator as much as the runtime.
      notComparable.push({ key: describeKey(keyOf(hm)), reason: `emulated in ${bm.labels.emulated ? 'base' : 'head'} only` });
    } else if (found.some((m) => m.unit !== hm.unit)) {
      notComparable.push({ key: describeKey(keyOf(hm)), reason: `unit changed from ${bm.unit} to ${hm.unit}` });
    } else if (found.every((m) => !m.stats) || !hm.stats) {
      const noBase = found.every((m) => !m.stats);
      const side = noBase && !hm.stats ? 'either document' : noBase ? 'base' : 'head';
      const failed = noBase ? found.reduce((s, m) => s + m.failedSamples, 0) : hm.failedSamples;
      notComparable.push({ key: describeKey(keyOf(hm)), reason: `no value in ${side}: ${failed > 0 ? `all ${failed} samples failed` : 'no samples'}` });
    } else {
      const own = thresholdFor?.(keyOf(hm), hm.unit) ?? null;
      changes.push(
        measureChange(
          found.filter((m) => m.stats),
          hm,
          { ...opts, thresholdPercent: own ?? opts.thresholdPercent, run: runVarianceFor?.(keyOf(hm)) ?? null },
        ),
      );
    }
  }
  const onlyInBase = [...new Map(b.flatMap((x) => [...x])).entries()].filter(([k]) => !h.has(k)).map(([, m]) => describeKey(keyOf(m)));
  // failure rates are tested in the same family: one correction across every test of the comparison
  const rates = failureRateTests(bases, head, opts);
  notComparable.push(...rates.notComparable);
  const adjusted = adjustPValues([...changes.map((c) => c.pValue), ...rates.tests.map((t) => t.pValue)], opts.correction);
  const family = adjusted.length;
  const rows = judgeAdjusted(changes, adjusted.slice(0, changes.length), opts.alpha, family);
  const failureRates = judgeFailureRates(rates.tests, adjusted.slice(changes.length), opts.alpha, family);
  return {
    base: {
      runId: bases.map((d) => d.runId).join(', '),
      startedAt: first.startedAt,
      host: first.host.hostname,
      noisy: bases.map(noisyReason).find((r) => r !== null) ?? null,
    },
    head: { runId: head.runId, startedAt: head.startedAt, host: head.host.hostname, noisy: noisyReason(head) },
    environment: bases.flatMap((d) => environmentDifferences(d, head)).filter((d, i, all) => all.findIndex((e) => e.what === d.what) === i),
    options: opts,
    baseRuns: bases.length,
    rows,
    onlyInBase,
    onlyInHead,
    notComparable,
    failureRates,
    ...countVerdicts([...rows, ...failureRates]),
  };
}
