/**
 * Statistics of counts: how often an attempt failed. An exact (Clopper-Pearson) interval of one
 * rate, Fisher's exact test between two, and Newcombe's interval of their difference. Pure and
 * deterministic, computed in log space so that thousands of attempts neither overflow nor underflow.
 */
import { normalQuantileUpper } from './mann-whitney.ts';
import { CI_LEVEL } from './stats.ts';

/** log(k!) for k = 0..n. */
function logFactorials(n: number): Float64Array {
  const out = new Float64Array(n + 1);
  for (let k = 2; k <= n; k++) out[k] = (out[k - 1] as number) + Math.log(k);
  return out;
}

/** P(X <= k) for X ~ Binomial(n, p). */
function binomialCdf(k: number, n: number, p: number, lf: Float64Array): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  const lp = Math.log(p);
  const lq = Math.log1p(-p);
  let sum = 0;
  for (let i = 0; i <= k; i++) sum += Math.exp((lf[n] as number) - (lf[i] as number) - (lf[n - i] as number) + i * lp + (n - i) * lq);
  return Math.min(1, sum);
}

/** The p in [0, 1] where a decreasing function of p crosses `target`, by bisection. */
function solveDecreasing(f: (p: number) => number, target: number): number {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) > target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * The exact (Clopper-Pearson) interval of a rate from `k` events in `n` trials: it covers the
 * true rate with at least `level` probability, whatever the rate (it is conservative, never short,
 * which matters for a rate near 0 or 1, where the normal approximation fails). Null for no trials.
 */
export function clopperPearson(k: number, n: number, level = CI_LEVEL): [number, number] | null {
  if (!Number.isInteger(k) || !Number.isInteger(n) || k < 0 || n < 0 || k > n) throw new RangeError(`clopperPearson: need 0 <= k <= n, got ${k} of ${n}`);
  if (n === 0) return null;
  const tail = (1 - level) / 2;
  const lf = logFactorials(n);
  // lower: P(X >= k | p) = tail, i.e. P(X <= k-1 | p) = 1 - tail; upper: P(X <= k | p) = tail
  const lower = k === 0 ? 0 : solveDecreasing((p) => binomialCdf(k - 1, n, p, lf), 1 - tail);
  const upper = k === n ? 1 : solveDecreasing((p) => binomialCdf(k, n, p, lf), tail);
  return [lower, upper];
}

/** Wilson's score interval of a rate: the building block of Newcombe's interval of a difference. */
export function wilson(k: number, n: number, level = CI_LEVEL): [number, number] | null {
  if (n === 0) return null;
  const z = normalQuantileUpper((1 - level) / 2);
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/**
 * The interval of the difference of two rates, k2/n2 - k1/n1 (Newcombe's hybrid score method,
 * his method 10: Wilson intervals of each rate, combined). It behaves at 0 and 1, where the
 * Wald interval collapses to a point. Null when either side has no trials.
 */
export function rateDifferenceInterval(k1: number, n1: number, k2: number, n2: number, level = CI_LEVEL): [number, number] | null {
  const w1 = wilson(k1, n1, level);
  const w2 = wilson(k2, n2, level);
  if (!w1 || !w2) return null;
  const p1 = k1 / n1;
  const p2 = k2 / n2;
  const d = p2 - p1;
  const lower = d - Math.sqrt((p2 - w2[0]) ** 2 + (w1[1] - p1) ** 2);
  const upper = d + Math.sqrt((w2[1] - p2) ** 2 + (p1 - w1[0]) ** 2);
  return [Math.max(-1, lower), Math.min(1, upper)];
}

/**
 * Fisher's exact test of two rates, k1 of n1 against k2 of n2, two-sided: the probability, with
 * the margins fixed, of a table at most as likely as the one observed (as R's fisher.test sums
 * it). 1 when either side has no trials.
 */
export function fisherExact(k1: number, n1: number, k2: number, n2: number): number {
  if (n1 === 0 || n2 === 0) return 1;
  const n = n1 + n2;
  const events = k1 + k2;
  const lf = logFactorials(n);
  // P(X = x) for X the events on side 1: hypergeometric
  const logP = (x: number) =>
    (lf[events] as number) -
    (lf[x] as number) -
    (lf[events - x] as number) +
    (lf[n - events] as number) -
    (lf[n1 - x] as number) -
    (lf[n - events - n1 + x] as number) -
    ((lf[n] as number) - (lf[n1] as number) - (lf[n2] as number));
  const lo = Math.max(0, events - n2);
  const hi = Math.min(events, n1);
  const observed = logP(k1);
  let p = 0;
  for (let x = lo; x <= hi; x++) {
    const lp = logP(x);
    // a relative tolerance, as R uses, so tables exactly as likely are not lost to rounding
    if (lp <= observed + 1e-7) p += Math.exp(lp);
  }
  return Math.min(1, p);
}
