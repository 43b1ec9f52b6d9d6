/** Statistics over raw samples. Pure and deterministic: the same samples give the same figures. */
import type { Stats } from './schema.ts';

/** Iglewicz and Hoaglin's cut-off for the modified z-score. */
export const OUTLIER_MODIFIED_Z = 3.5;
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

/** Indexes whose modified z-score 0.6745 (x - median) / MAD exceeds the threshold. */
export function madOutliers(xs: readonly number[], threshold = OUTLIER_MODIFIED_Z): number[] {
  const m = median(xs);
  const d = mad(xs);
  if (!(d > 0)) return [];
  const out: number[] = [];
  xs.forEach((x, i) => {
    if (Math.abs((0.6745 * (x - m)) / d) > threshold) out.push(i);
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

/** FNV-1a over the decimal text of each sample, each closed by a separator, continuing from `seed`. */
function hashSamples(seed: number, xs: readonly number[]): number {
  let h = seed;
  for (const x of xs) {
    const s = String(x);
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
    h = Math.imul(h ^ 0x2c, 16777619);
  }
  return h >>> 0;
}

/**
 * A bootstrap seed derived from the samples themselves, so the same samples always give the
 * same interval. Several lists hash in order: (a, b) and (b, a) give different seeds.
 */
export function sampleSeed(...lists: readonly (readonly number[])[]): number {
  let h = 2166136261;
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

/** Percentile bootstrap 95% confidence interval of the median, seeded by the samples. */
export function bootstrapMedianCI(xs: readonly number[], resamples = BOOTSTRAP_RESAMPLES, seed = sampleSeed(xs)): [number, number] {
  if (xs.length === 0) return [Number.NaN, Number.NaN];
  if (xs.length === 1) return [xs[0] as number, xs[0] as number];
  const rand = seededRandom(seed);
  const buf = new Float64Array(xs.length);
  const ms = Array.from({ length: resamples }, () => resampledMedian(xs, rand, buf)).sort((a, b) => a - b);
  return [quantile(ms, 0.025), quantile(ms, 0.975)];
}

export function computeStats(xs: readonly number[]): Stats {
  const s = sorted(xs);
  if (s.length === 0) {
    return { n: 0, min: 0, max: 0, mean: 0, stddev: 0, median: 0, p95: 0, p99: 0, mad: 0, outliers: [], ci95Median: [0, 0] };
  }
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
    ci95Median: bootstrapMedianCI(xs),
  };
}
