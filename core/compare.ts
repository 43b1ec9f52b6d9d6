/**
 * Comparing two results documents: for every measurement present in both, the change of
 * the median with a bootstrap 95% CI of the difference, a Mann-Whitney U test, and a
 * verdict. Pure and deterministic: the bootstrap is seeded by the samples, so the same
 * documents always give the same output.
 */
import type { Measurement, ResultsDocument, Unit } from './schema.ts';
import { BOOTSTRAP_RESAMPLES, median, quantile, resampledMedian, sampleSeed, seededRandom } from './stats.ts';

export const DEFAULT_THRESHOLD_PERCENT = 5;
export const DEFAULT_ALPHA = 0.05;

export type Alternative = 'two-sided';

export interface MannWhitneyResult {
  /** U of the first sample (scipy's `statistic`). */
  u1: number;
  /** Two-sided p-value. */
  p: number;
  method: 'exact' | 'asymptotic';
}

/** Complementary error function (Numerical Recipes erfcc, fractional error < 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** P(Z > z) for a standard normal Z. */
export function normalSf(z: number): number {
  if (z === Number.POSITIVE_INFINITY) return 0;
  if (z === Number.NEGATIVE_INFINITY) return 1;
  return 0.5 * erfc(z / Math.SQRT2);
}

/** Average ranks (1-based) of xs, and the sizes of the groups of ties. */
export function rankAverage(xs: readonly number[]): { ranks: number[]; ties: number[] } {
  const order = xs.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(xs.length).fill(0);
  const ties: number[] = [];
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && (order[j + 1] as readonly [number, number])[0] === (order[i] as readonly [number, number])[0]) j++;
    const rank = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) ranks[(order[k] as readonly [number, number])[1]] = rank;
    ties.push(j - i + 1);
    i = j + 1;
  }
  return { ranks, ties };
}

/**
 * Counts of the arrangements giving each U for sample sizes m and n: the coefficients of the
 * Gaussian binomial [m+n choose m] in q, built as prod_{i=1..k} (1 - q^(n'+i)) / (1 - q^i)
 * with k = min(m, n), n' = max(m, n).
 */
export function exactUCounts(m: number, n: number): Float64Array {
  const k = Math.min(m, n);
  const big = Math.max(m, n);
  const deg = m * n;
  const c = new Float64Array(deg + 1);
  c[0] = 1;
  for (let i = 1; i <= k; i++) {
    const a = big + i;
    for (let d = deg; d >= a; d--) c[d] = (c[d] as number) - (c[d - a] as number);
    for (let d = i; d <= deg; d++) c[d] = (c[d] as number) + (c[d - i] as number);
  }
  return c;
}

/** Largest sample product for which the exact distribution is computed. */
const EXACT_MAX_CELLS = 200_000;

/**
 * Mann-Whitney U test, two-sided. Exact when one sample has at most 8 values and there are
 * no ties (as scipy.stats.mannwhitneyu's method='auto'); otherwise the normal approximation
 * with tie correction and continuity correction.
 */
export function mannWhitneyU(x: readonly number[], y: readonly number[]): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) return { u1: Number.NaN, p: Number.NaN, method: 'asymptotic' };
  const { ranks, ties } = rankAverage([...x, ...y]);
  let r1 = 0;
  for (let i = 0; i < n1; i++) r1 += ranks[i] as number;
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const u = Math.max(u1, u2);
  const hasTies = ties.some((t) => t > 1);
  if ((n1 <= 8 || n2 <= 8) && !hasTies && n1 * n2 <= EXACT_MAX_CELLS) {
    const counts = exactUCounts(n1, n2);
    let total = 0;
    for (const c of counts) total += c;
    let tail = 0;
    for (let k = Math.round(u); k < counts.length; k++) tail += counts[k] as number;
    return { u1, p: Math.min(1, Math.max(0, (2 * tail) / total)), method: 'exact' };
  }
  const n = n1 + n2;
  const tieTerm = ties.reduce((s, t) => s + (t ** 3 - t), 0);
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  const z = sigma > 0 ? (u - (n1 * n2) / 2 - 0.5) / sigma : Number.POSITIVE_INFINITY;
  // All values equal: no evidence of a difference.
  const p = sigma > 0 ? 2 * normalSf(z) : 1;
  return { u1, p: Math.min(1, Math.max(0, p)), method: 'asymptotic' };
}

/** Seed derived from both samples, so the interval is reproducible and order-sensitive. */
export function comparisonSeed(base: readonly number[], head: readonly number[]): number {
  return sampleSeed(base, head);
}

/** Percentile bootstrap 95% CI of median(head) - median(base), resampling each sample independently. */
export function bootstrapMedianDifferenceCI(
  base: readonly number[],
  head: readonly number[],
  resamples = BOOTSTRAP_RESAMPLES,
  seed = comparisonSeed(base, head),
): [number, number] {
  if (base.length === 0 || head.length === 0) return [Number.NaN, Number.NaN];
  const rand = seededRandom(seed);
  const bufA = new Float64Array(base.length);
  const bufB = new Float64Array(head.length);
  const diffs = new Array<number>(resamples);
  for (let r = 0; r < resamples; r++) diffs[r] = resampledMedian(head, rand, bufB) - resampledMedian(base, rand, bufA);
  diffs.sort((a, b) => a - b);
  return [quantile(diffs, 0.025), quantile(diffs, 0.975)];
}

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

export type Verdict = 'improved' | 'regressed' | 'unchanged' | 'changed';

export interface CompareKey {
  layer: string;
  suite: string;
  metric: string;
  runtime: string;
  workload: string;
  workloadKind: string;
  arch: string;
}

export interface ComparisonRow extends CompareKey {
  unit: Unit;
  emulated: boolean;
  baseN: number;
  headN: number;
  baseMedian: number;
  headMedian: number;
  /** median(head) - median(base), in the metric's unit. */
  diff: number;
  diffCi95: [number, number];
  /** The change relative to the base median, in percent; the CI is scaled the same way. */
  changePercent: number;
  changeCi95Percent: [number, number];
  pValue: number;
  test: MannWhitneyResult['method'];
  verdict: Verdict;
  /** Why the verdict is what it is, in one phrase. */
  reason: string;
}

export interface ComparisonOptions {
  /** Noise threshold: a change smaller than this (percent of the base median) is never a verdict. */
  thresholdPercent: number;
  alpha: number;
}

export interface Comparison {
  base: { runId: string; startedAt: string; host: string };
  head: { runId: string; startedAt: string; host: string };
  options: ComparisonOptions;
  rows: ComparisonRow[];
  /** Measurements present on one side only, as "layer/suite/metric runtime workload (kind, arch)". */
  onlyInBase: string[];
  onlyInHead: string[];
  /** Present on both sides but not comparable, e.g. emulated on one side only. */
  notComparable: { key: string; reason: string }[];
  regressions: number;
  improvements: number;
}

const KEY_FIELDS = ['layer', 'suite', 'metric', 'runtime', 'workload', 'workloadKind', 'arch'] as const;

export function keyOf(m: Measurement): CompareKey {
  return {
    layer: m.labels.layer,
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

export function compareMeasurements(base: Measurement, head: Measurement, options: ComparisonOptions): ComparisonRow {
  const key = keyOf(head);
  const baseMedian = median(base.samples);
  const headMedian = median(head.samples);
  const diff = headMedian - baseMedian;
  const diffCi95 = bootstrapMedianDifferenceCI(base.samples, head.samples);
  const scale = baseMedian !== 0 ? 100 / Math.abs(baseMedian) : Number.NaN;
  const changePercent = diff * scale;
  const changeCi95Percent: [number, number] = [diffCi95[0] * scale, diffCi95[1] * scale];
  const mw = mannWhitneyU(base.samples, head.samples);
  const direction = badDirection(head.unit);
  const significant = mw.p < options.alpha;
  const beyond = Math.abs(changePercent) > options.thresholdPercent;
  const worse = direction === 'up' ? changePercent > 0 : direction === 'down' ? changePercent < 0 : false;
  let verdict: Verdict = 'unchanged';
  let reason: string;
  if (base.samples.length < 2 || head.samples.length < 2) {
    reason = 'too few samples to test';
  } else if (!significant) {
    reason = `p = ${formatP(mw.p)} ≥ α = ${options.alpha}`;
  } else if (!beyond) {
    reason = `|change| ≤ ${options.thresholdPercent}% noise threshold`;
  } else if (direction === 'none') {
    verdict = 'changed';
    reason = `${head.unit} has no better direction`;
  } else {
    verdict = worse ? 'regressed' : 'improved';
    reason = `p = ${formatP(mw.p)} < α and |change| > ${options.thresholdPercent}%`;
  }
  return {
    ...key,
    unit: head.unit,
    emulated: base.labels.emulated || head.labels.emulated,
    baseN: base.samples.length,
    headN: head.samples.length,
    baseMedian,
    headMedian,
    diff,
    diffCi95,
    changePercent,
    changeCi95Percent,
    pValue: mw.p,
    test: mw.method,
    verdict,
    reason,
  };
}

export function formatP(p: number): string {
  if (!Number.isFinite(p)) return 'n/a';
  if (p < 0.0001) return p.toExponential(1);
  return p.toFixed(4);
}

export function compareDocuments(base: ResultsDocument, head: ResultsDocument, options: ComparisonOptions): Comparison {
  const b = index(base);
  const h = index(head);
  const rows: ComparisonRow[] = [];
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
    } else rows.push(compareMeasurements(bm, hm, options));
  }
  const onlyInBase = [...b].filter(([k]) => !h.has(k)).map(([, m]) => describeKey(keyOf(m)));
  return {
    base: { runId: base.runId, startedAt: base.startedAt, host: base.host.hostname },
    head: { runId: head.runId, startedAt: head.startedAt, host: head.host.hostname },
    options,
    rows,
    onlyInBase,
    onlyInHead,
    notComparable,
    regressions: rows.filter((r) => r.verdict === 'regressed').length,
    improvements: rows.filter((r) => r.verdict === 'improved').length,
  };
}
