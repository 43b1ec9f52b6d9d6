/**
 * What can honestly be said from a histogram's buckets: the observations between two scrapes
 * (the difference of two cumulative histograms) and a quantile of them. A quantile is known
 * only to lie in one bucket, (lower bound, upper bound]; the estimate inside it is Prometheus's
 * histogram_quantile (linear interpolation, the first bucket starting at 0, a quantile in the
 * +Inf bucket reported as the highest finite bound). The mean, from `_sum`, is exact.
 */
import type { Histogram } from './prom-text.ts';

/** The observations made between `before` and `after` of one series (absent before: none yet). */
export function histogramDelta(before: Histogram | undefined, after: Histogram): Histogram {
  const what = JSON.stringify(after.labels);
  if (!before) return { ...after, buckets: after.buckets.map((b) => ({ ...b })) };
  if (before.buckets.length !== after.buckets.length || before.buckets.some((b, i) => b.le !== after.buckets[i]?.le)) {
    throw new Error(`histogram ${what}: its buckets changed between the two scrapes`);
  }
  const buckets = after.buckets.map((b, i) => ({ le: b.le, count: b.count - (before.buckets[i]?.count ?? 0) }));
  if (after.count < before.count || buckets.some((b) => b.count < 0)) {
    throw new Error(`histogram ${what}: its counts went down between the two scrapes (the kubelet restarted?)`);
  }
  return { labels: after.labels, buckets, sum: after.sum - before.sum, count: after.count - before.count };
}

/** Adds two histograms of the same buckets (deltas of several windows). */
export function histogramSum(a: Histogram, b: Histogram): Histogram {
  if (a.buckets.length !== b.buckets.length || a.buckets.some((x, i) => x.le !== b.buckets[i]?.le)) {
    throw new Error(`histograms ${JSON.stringify(a.labels)} and ${JSON.stringify(b.labels)} have different buckets`);
  }
  return { labels: a.labels, buckets: a.buckets.map((x, i) => ({ le: x.le, count: x.count + (b.buckets[i]?.count ?? 0) })), sum: a.sum + b.sum, count: a.count + b.count };
}

export interface BucketQuantile {
  q: number;
  /** histogram_quantile's estimate, in the histogram's unit. */
  estimate: number;
  /** The bucket the quantile lies in: (lower, upper]; upper is Infinity for the +Inf bucket. */
  lower: number;
  upper: number;
}

/** The q-quantile of a (delta) histogram, or null when it holds no observation. */
export function bucketQuantile(h: Histogram, q: number): BucketQuantile | null {
  if (!(q >= 0 && q <= 1)) throw new Error(`quantile ${q} is not in [0, 1]`);
  if (h.count <= 0) return null;
  const rank = q * h.count;
  const i = h.buckets.findIndex((b) => b.count >= rank && b.count > 0);
  const b = h.buckets[i];
  if (!b) return null;
  const prev = h.buckets[i - 1];
  const lower = prev?.le ?? Math.min(0, b.le);
  if (b.le === Number.POSITIVE_INFINITY) return { q, estimate: lower, lower, upper: b.le };
  const below = prev?.count ?? 0;
  const inBucket = b.count - below;
  const estimate = lower + (b.le - lower) * ((rank - below) / inBucket);
  return { q, estimate, lower, upper: b.le };
}

/** The exact mean of the observations (`_sum` / `_count`), or null with none. */
export function histogramMean(h: Histogram): number | null {
  return h.count > 0 ? h.sum / h.count : null;
}
