import { describe, expect, it } from 'vitest';
import { bootstrapMedianCI, computeStats, mad, madOutliers, mean, median, quantile, stddev } from '../../core/stats.ts';

describe('stats', () => {
  it('median and quantiles interpolate between closest ranks (R-7)', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95)).toBeCloseTo(9.55, 10);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.99)).toBeCloseTo(9.91, 10);
  });

  it('mean and sample standard deviation match textbook values', () => {
    const xs = [2, 4, 4, 4, 5, 5, 7, 9];
    expect(mean(xs)).toBe(5);
    // population sd is 2; the sample (n-1) sd is sqrt(32/7)
    expect(stddev(xs)).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(stddev([3])).toBe(0);
  });

  it('MAD is the median of absolute deviations from the median', () => {
    expect(mad([1, 1, 2, 2, 4, 6, 9])).toBe(1);
  });

  it('flags outliers by modified z-score and not the bulk', () => {
    const xs = [10, 10.2, 9.9, 10.1, 10, 9.8, 10.3, 50];
    expect(madOutliers(xs)).toEqual([7]);
    expect(madOutliers([1, 1, 1, 1])).toEqual([]);
  });

  it('bootstrap CI of the median is reproducible and brackets the median', () => {
    const xs = Array.from({ length: 40 }, (_, i) => 100 + ((i * 37) % 17));
    const a = bootstrapMedianCI(xs);
    const b = bootstrapMedianCI(xs);
    expect(a).toEqual(b);
    const m = median(xs);
    expect(a[0]).toBeLessThanOrEqual(m);
    expect(a[1]).toBeGreaterThanOrEqual(m);
    expect(a[1] - a[0]).toBeGreaterThan(0);
  });

  it('computeStats fills every field; empty input gives zeros, not NaN', () => {
    const s = computeStats([3, 1, 2]);
    expect(s).toMatchObject({ n: 3, min: 1, max: 3, mean: 2, median: 2, outliers: [] });
    expect(s.p95).toBeCloseTo(2.9, 10);
    expect(computeStats([]).n).toBe(0);
    expect(Number.isNaN(computeStats([]).median)).toBe(false);
  });
});
