/**
 * The Mann-Whitney U test and the confidence interval that goes with it (Hodges-Lehmann, Moses):
 * rank-based, so they assume nothing about the shape of the distribution of the samples.
 */
import type { Interval } from './stats.ts';

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
export const EXACT_MAX_CELLS = 200_000;

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

/** The z with P(Z > z) = p, by bisection of normalSf (accurate to its 1.2e-7). */
export function normalQuantileUpper(p: number): number {
  if (!(p > 0 && p < 1)) return p <= 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  let lo = -40;
  let hi = 40;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (normalSf(mid) > p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** log C(a + b, a), summed so that it stays finite for any sizes. */
function logChoose(a: number, b: number): number {
  let s = 0;
  for (let i = 1; i <= Math.min(a, b); i++) s += Math.log(Math.max(a, b) + i) - Math.log(i);
  return s;
}

/**
 * The smallest two-sided p-value the test can give for samples of m and n values: both samples
 * completely apart, 2 / C(m+n, m). When it is not below alpha no data can be significant: 3
 * values a side give at best 0.1.
 */
export function smallestP(m: number, n: number): number {
  if (m === 0 || n === 0) return 1;
  return Math.min(1, 2 * Math.exp(-logChoose(m, n)));
}

/** The fewest values a side for which the test can reach p < alpha. */
export function samplesToReach(alpha: number): number {
  let n = 1;
  while (smallestP(n, n) >= alpha) n++;
  return n;
}

/**
 * Distribution-free confidence interval for the shift d with head ~ base + d: the k-th smallest
 * and the k-th largest of the m n differences head_j - base_i. The true shift lies below the
 * k-th smallest only when fewer than k differences fall below it, which happens with the null
 * probability P(U <= k-1); k is the largest whose coverage 1 - 2 P(U <= k-1) reaches `level`.
 * Exact (for samples without ties) from the distribution of U where it is computed, the normal
 * approximation otherwise. With too few values for `level` it is the range of the differences,
 * with the coverage it really has.
 */
export function shiftInterval(base: readonly number[], head: readonly number[], level: number): Interval | null {
  const m = base.length;
  const n = head.length;
  if (m === 0 || n === 0) return null;
  const cells = m * n;
  const diffs = new Float64Array(cells);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) diffs[i * n + j] = (head[j] as number) - (base[i] as number);
  diffs.sort();
  let k = 1;
  let coverage: number;
  if (cells <= EXACT_MAX_CELLS && logChoose(m, n) < 700) {
    const counts = exactUCounts(m, n);
    let total = 0;
    for (const c of counts) total += c;
    let below = 0;
    coverage = 1 - (2 * (counts[0] as number)) / total;
    // the interval of k covers with 1 - 2 P(U <= k-1); k stops at the middle
    for (let u = 0; 2 * (u + 1) <= cells; u++) {
      below += counts[u] as number;
      const c = 1 - (2 * below) / total;
      if (c < level) break;
      k = u + 1;
      coverage = c;
    }
  } else {
    const mean = cells / 2;
    const sigma = Math.sqrt((cells * (m + n + 1)) / 12);
    k = Math.max(1, Math.floor(mean + 0.5 - normalQuantileUpper((1 - level) / 2) * sigma));
    coverage = 1 - 2 * (1 - normalSf((k - 0.5 - mean) / sigma));
  }
  return { lower: diffs[k - 1] as number, upper: diffs[cells - k] as number, coverage: Math.max(0, coverage) };
}
