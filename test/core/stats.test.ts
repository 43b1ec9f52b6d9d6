import { describe, expect, it } from 'vitest';
import {
  computeStats,
  mad,
  madOutliers,
  mean,
  median,
  medianInterval,
  quantile,
  resampledMedian,
  sampleSeed,
  seededRandom,
  splitSamples,
  stddev,
} from '../../core/stats.ts';

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
    expect(madOutliers([1000, 0])).toEqual([]);
  });

  it('with a MAD of 0, every sample away from the median is an outlier (as hyperfine counts them)', () => {
    // hyperfine's own cases: seven 10s and one or two 100s
    expect(madOutliers([10, 10, 10, 10, 10, 10, 10, 100])).toEqual([7]);
    expect(madOutliers([10, 10, 10, 10, 10, 10, 10, 100, 100])).toEqual([7, 8]);
    // peak memory in whole pages: most samples the same page count, one run a page more
    const kib = (n: number) => n * 1024;
    expect(computeStats([kib(1204), kib(1204), kib(1208), kib(1204), kib(1204)])?.outliers).toEqual([2]);
  });

  it('the median interval is two order statistics with their exact binomial coverage', () => {
    const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
    // textbook values: n = 20 gives x(6) .. x(15) at 95.86%; n = 100 gives x(40) .. x(61)
    expect(medianInterval(upTo(20))).toEqual({ lower: 6, upper: 15, coverage: expect.closeTo(0.958611, 6) });
    expect(medianInterval(upTo(100))).toMatchObject({ lower: 40, upper: 61 });
    expect(medianInterval(upTo(10))).toEqual({ lower: 2, upper: 9, coverage: 1 - 2 * (11 / 1024) });
    expect(medianInterval(upTo(6))).toEqual({ lower: 1, upper: 6, coverage: 1 - 2 / 64 });
    // too few samples for 95%: the range, with how much it really covers
    expect(medianInterval(upTo(5))).toEqual({ lower: 1, upper: 5, coverage: 0.9375 });
    expect(medianInterval(upTo(3))).toEqual({ lower: 1, upper: 3, coverage: 0.75 });
    expect(medianInterval([7])).toEqual({ lower: 7, upper: 7, coverage: 0 });
    expect(medianInterval([])).toBeNull();
    // large n does not underflow
    const big = medianInterval(upTo(10_000));
    expect(big?.coverage).toBeGreaterThanOrEqual(0.95);
    expect(big?.coverage).toBeLessThan(0.952);
  });

  it('computeStats records the interval and its coverage', () => {
    const s = computeStats([5, 1, 4, 2, 3]);
    expect(s?.ci95Median).toEqual([1, 5]);
    expect(s?.ci95MedianCoverage).toBe(0.9375);
  });

  it('the bootstrap seed comes from the samples: the same samples draw the same resamples', () => {
    const a = [10, 11, 12, 10.5];
    const b = [13, 14, 12.5, 13.5];
    expect(sampleSeed(a, b)).toBe(sampleSeed([...a], [...b]));
    expect(sampleSeed(a, b)).not.toBe(sampleSeed(b, a));
    const draw = (seed: number) => {
      const rand = seededRandom(seed);
      const buf = new Float64Array(a.length);
      return Array.from({ length: 20 }, () => resampledMedian(a, rand, buf));
    };
    expect(draw(sampleSeed(a))).toEqual(draw(sampleSeed(a)));
    for (const m of draw(sampleSeed(a))) {
      expect(m).toBeGreaterThanOrEqual(10);
      expect(m).toBeLessThanOrEqual(12);
    }
  });

  it('computeStats fills every field; no samples give no statistics at all', () => {
    const s = computeStats([3, 1, 2]);
    expect(s).toMatchObject({ n: 3, min: 1, max: 3, mean: 2, median: 2, outliers: [] });
    expect(s?.p95).toBeCloseTo(2.9, 10);
    expect(computeStats([])).toBeNull();
    expect(() => computeStats([1, Number.NaN])).toThrow(RangeError);
  });

  it('a sample without a finite value is a failed sample and never enters the statistics', () => {
    // sorting with NaN in the array once made this median 4
    const split = splitSamples([5, 1, Number.NaN, 3, 2, 4]);
    expect(split.samples).toEqual([5, 1, 3, 2, 4]);
    expect(split.failedSamples).toBe(1);
    expect(split.stats?.median).toBe(3);
    expect(split.stats?.n).toBe(5);
    // JSON turns NaN into null; Infinity is no value either
    expect(splitSamples([null, 7, Number.POSITIVE_INFINITY])).toMatchObject({ samples: [7], failedSamples: 2 });
    expect(splitSamples([Number.NaN, Number.NaN])).toEqual({ samples: [], failedSamples: 2, stats: null });
  });
});
