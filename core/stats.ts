/** Statistics over raw samples. Pure and deterministic: the same samples give the same figures. */
import type { Stats } from './schema.ts';

/** Iglewicz and Hoaglin's cut-off for the modified z-score. */
export const OUTLIER_MODIFIED_Z = 3.5;
/** The confidence level every interval aims at. */
export const CI_LEVEL = 0.95;
/** Resamples of every bootstrap interval. */
export const BOOTSTRAP_RESAMPLES = 2000;

function sorted(xs: readonly number[]): number[] {
  return [...xs].sort((a, b) => a - b);
}

/** Linear interpolation between closest ranks (the R-7 / numpy default). */
export function quantile(sortedXs: readonly number[], q: number): number {
  if (sortedXs.length === 0) return Number.NaN;
  const pos = (sortedXs.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sortedXs[lo] as number;
  const b = sortedXs[hi] as number;
  return a + (b - a) * (pos - lo);
}

export function median(xs: readonly number[]): number {
  return quantile(sorted(xs), 0.5);
}

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Sample standard deviation (n - 1). */
export function stddev(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) ** 2;
  return Math.sqrt(s / (xs.length - 1));
}

/** Median absolute deviation, unscaled. */
export function mad(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const m = median(xs);
  return median(xs.map((x) => Math.abs(x - m)));
}

/**
 * Indexes whose modified z-score 0.6745 (x - median) / MAD exceeds the threshold. When more
 * than half of the samples are equal the MAD is 0 (memory measured in whole pages often is);
 * hyperfine then divides by machine epsilon instead, which makes every sample away from the
 * median an outlier. So does this, without the division.
 */
export function madOutliers(xs: readonly number[], threshold = OUTLIER_MODIFIED_Z): number[] {
  const m = median(xs);
  const d = mad(xs);
  const out: number[] = [];
  xs.forEach((x, i) => {
    if (d > 0 ? Math.abs((0.6745 * (x - m)) / d) > threshold : x !== m) out.push(i);
  });
  return out;
}

/** mulberry32: small seeded PRNG so bootstrap intervals are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FNV_OFFSET = 2166136261;

/** FNV-1a over `text`, continuing from `h`. */
function fnv(h: number, text: string): number {
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h;
}

/** A seed from a text (a run id and a round, say): the same text always gives the same seed. */
export function textSeed(text: string): number {
  return fnv(FNV_OFFSET, text) >>> 0;
}

/** FNV-1a over the decimal text of each sample, each closed by a separator, continuing from `seed`. */
function hashSamples(seed: number, xs: readonly number[]): number {
  let h = seed;
  for (const x of xs) h = Math.imul(fnv(h, String(x)) ^ 0x2c, 16777619);
  return h >>> 0;
}

/**
 * A bootstrap seed derived from the samples themselves, so the same samples always give the
 * same interval. Several lists hash in order: (a, b) and (b, a) give different seeds.
 */
export function sampleSeed(...lists: readonly (readonly number[])[]): number {
  let h = FNV_OFFSET;
  lists.forEach((xs, i) => {
    h = hashSamples(i === 0 ? h : h ^ 0x9e3779b9, xs);
  });
  return h;
}

/** The median of one resample of xs with replacement, drawn with rand; buf is scratch space of xs.length. */
export function resampledMedian(xs: readonly number[], rand: () => number, buf: Float64Array): number {
  for (let i = 0; i < xs.length; i++) buf[i] = xs[Math.floor(rand() * xs.length)] as number;
  buf.sort();
  const pos = (xs.length - 1) / 2;
  return ((buf[Math.floor(pos)] as number) + (buf[Math.ceil(pos)] as number)) / 2;
}

/** A confidence interval with the probability that it covers the true value. */
export interface Interval {
  lower: number;
  upper: number;
  /** In [0, 1]: exact for the median interval, whatever the distribution of the samples. */
  coverage: number;
}

/**
 * Distribution-free confidence interval of the median from two order statistics. The
 * interval [x(k), x(n+1-k)] (1-based, sorted) misses the population median only when fewer
 * than k samples fall on one side of it, so it covers it with probability 1 - 2 P(B <= k-1),
 * B ~ Binomial(n, 1/2). k is the largest that still reaches `level`. With 5 samples or fewer
 * none does: the interval is then [min, max] and its coverage, 1 - 2^(1-n), says how far
 * short it falls (93.75% for 5 samples, 75% for 3, 0 for one).
 */
export function medianInterval(sortedXs: readonly number[], level = CI_LEVEL): Interval | null {
  const n = sortedXs.length;
  if (n === 0) return null;
  // P(B <= i), summed in log space so that 2^-n does not underflow for large n.
  let logC = 0;
  let cdf = 0;
  let k = 1;
  let coverage = 1 - 2 * Math.exp(-n * Math.LN2);
  // the interval of k = i + 1 covers with 1 - 2 P(B <= i); k stops at the middle
  for (let i = 0; 2 * i < n; i++) {
    if (i > 0) logC += Math.log(n - i + 1) - Math.log(i);
    cdf += Math.exp(logC - n * Math.LN2);
    if (1 - 2 * cdf < level) break;
    k = i + 1;
    coverage = 1 - 2 * cdf;
  }
  return { lower: sortedXs[k - 1] as number, upper: sortedXs[n - k] as number, coverage: Math.max(0, coverage) };
}

/** The statistics of finite samples; null for none, so an empty measurement has no figure at all. */
export function computeStats(xs: readonly number[]): Stats | null {
  if (xs.some((x) => !Number.isFinite(x))) throw new RangeError('computeStats takes finite samples: split the others off with splitSamples');
  const s = sorted(xs);
  const ci = medianInterval(s);
  if (!ci) return null;
  return {
    n: s.length,
    min: s[0] as number,
    max: s[s.length - 1] as number,
    mean: mean(s),
    stddev: stddev(s),
    median: quantile(s, 0.5),
    p95: quantile(s, 0.95),
    p99: quantile(s, 0.99),
    mad: mad(s),
    outliers: madOutliers(xs),
    ci95Median: [ci.lower, ci.upper],
    ci95MedianCoverage: ci.coverage,
  };
}

/**
 * Raw samples as a measurement holds them: the finite ones in the order taken, the count of
 * the others (NaN for a phase that was not observed, say), and statistics of the finite ones.
 */
export function splitSamples(raw: readonly (number | null)[]): { samples: number[]; failedSamples: number; stats: Stats | null } {
  const samples = raw.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return { samples, failedSamples: raw.length - samples.length, stats: computeStats(samples) };
}
