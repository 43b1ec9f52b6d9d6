import { describe, expect, it } from 'vitest';
import { exactUCounts, mannWhitneyU, normalQuantileUpper, normalSf, samplesToReach, shiftInterval, smallestP } from '../../core/mann-whitney.ts';

// Expected values computed once with scipy 1.17.1: scipy.stats.mannwhitneyu(x, y, alternative='two-sided').
describe('mannWhitneyU against scipy', () => {
  it('textbook samples, no ties: exact distribution', () => {
    const r = mannWhitneyU([19, 22, 16, 29, 24], [20, 11, 17, 12]);
    expect(r.method).toBe('exact');
    expect(r.u1).toBe(17);
    expect(r.p).toBeCloseTo(0.1111111111111111, 12);
  });

  it('completely separated samples: exact', () => {
    const r = mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11]);
    expect(r.u1).toBe(0);
    expect(r.p).toBeCloseTo(0.004329004329004329, 12);
  });

  it('eight against ten: exact', () => {
    const r = mannWhitneyU([1.1, 2.3, 3.9, 4.2, 5.8, 6.1, 7.7, 8.4], [4.5, 5.1, 6.6, 7.2, 8.8, 9.3, 10.6, 11.9, 12.2, 13.5]);
    expect(r.method).toBe('exact');
    expect(r.u1).toBe(12);
    expect(r.p).toBeCloseTo(0.011655011655011656, 12);
  });

  it('three against twenty: exact with unbalanced sizes', () => {
    const r = mannWhitneyU(
      [5.5, 7.25, 9.5],
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    expect(r.u1).toBe(21);
    expect(r.p).toBeCloseTo(0.4573687182382834, 12);
  });

  it('ties: normal approximation with tie and continuity correction', () => {
    const r = mannWhitneyU([1, 2, 2, 3, 4, 5, 6, 7, 8, 9], [3, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(r.method).toBe('asymptotic');
    expect(r.u1).toBe(31);
    expect(r.p / 0.0967612398108442).toBeCloseTo(1, 5);
  });

  it('both samples above eight: normal approximation', () => {
    const x = [100.0, 105.252, 108.182, 108.605, 108.639, 110.76, 115.525, 121.062, 124.786, 125.782, 125.641, 127.0];
    const y = [114.0, 114.661, 113.335, 113.54, 117.385, 123.635, 128.841, 130.516, 129.418, 128.855, 131.644, 137.518, 143.375, 146.13, 145.547];
    const r = mannWhitneyU(x, y);
    expect(r.method).toBe('asymptotic');
    expect(r.u1).toBe(33);
    expect(r.p / 0.005834903437075228).toBeCloseTo(1, 5);
  });

  it('all values equal: p = 1', () => {
    expect(mannWhitneyU([3, 3, 3], [3, 3, 3, 3]).p).toBe(1);
  });
});

describe('building blocks', () => {
  it('exact U counts are the Gaussian binomial coefficients', () => {
    // [4 choose 2]_q = 1 + q + 2q^2 + q^3 + q^4
    expect(Array.from(exactUCounts(2, 2))).toEqual([1, 1, 2, 1, 1]);
    const c = exactUCounts(3, 5);
    expect(Array.from(c).reduce((a, b) => a + b, 0)).toBe(56); // C(8, 3)
  });

  it('normal tail', () => {
    expect(normalSf(0)).toBeCloseTo(0.5, 7);
    expect(normalSf(1.959963984540054)).toBeCloseTo(0.025, 7);
    expect(normalSf(-1)).toBeCloseTo(0.8413447460685429, 7);
  });

  it('normal quantile inverts the tail', () => {
    expect(normalQuantileUpper(0.025)).toBeCloseTo(1.959964, 5);
    expect(normalQuantileUpper(0.5)).toBeCloseTo(0, 6);
    expect(normalQuantileUpper(0.975)).toBeCloseTo(-1.959964, 5);
  });

  it('the smallest p the test can give, and the samples it takes to get below alpha', () => {
    expect(smallestP(3, 3)).toBeCloseTo(0.1, 12); // 2 / C(6, 3)
    expect(smallestP(4, 4)).toBeCloseTo(2 / 70, 12);
    expect(smallestP(0, 5)).toBe(1);
    expect(samplesToReach(0.05)).toBe(4);
    // 20 rows under Holm: the first must pass 0.05 / 20 = 0.0025, and 2 / C(12, 6) = 0.0022 does
    expect(samplesToReach(0.05 / 20)).toBe(6);
  });
});

describe('interval of the shift (Hodges-Lehmann, Moses)', () => {
  it('is two order statistics of the pairwise differences, with the coverage of U', () => {
    // 16 differences from 7 to 13; with 4 a side only the outermost pair reaches 95%: 1 - 2 / C(8, 4)
    expect(shiftInterval([1, 2, 3, 4], [11, 12, 13, 14], 0.95)).toEqual({ lower: 7, upper: 13, coverage: 1 - 2 / 70 });
    // with 3 a side not even that: the range of the differences, covering 90%
    expect(shiftInterval([1, 2, 3], [11, 12, 13], 0.95)).toEqual({ lower: 8, upper: 12, coverage: expect.closeTo(0.9, 12) });
    expect(shiftInterval([], [1], 0.95)).toBeNull();
  });

  it('narrows inward as the samples grow, and brackets the true shift of shifted samples', () => {
    const base = Array.from({ length: 30 }, (_, i) => 100 + ((i * 37) % 17));
    const head = base.map((x) => x + 5);
    const ci = shiftInterval(base, head, 0.95);
    expect(ci?.lower).toBeLessThanOrEqual(5);
    expect(ci?.upper).toBeGreaterThanOrEqual(5);
    expect(ci?.coverage).toBeGreaterThanOrEqual(0.95);
    expect(ci?.coverage).toBeLessThan(0.96);
    const wider = shiftInterval(base.slice(0, 10), head.slice(0, 10), 0.95);
    expect((wider?.upper ?? 0) - (wider?.lower ?? 0)).toBeGreaterThan((ci?.upper ?? 0) - (ci?.lower ?? 0));
  });

  it('uses the normal approximation past the exact table, at the same coverage', () => {
    const base = Array.from({ length: 600 }, (_, i) => (i * 7919) % 1000);
    const head = base.map((x) => x + 50);
    const ci = shiftInterval(base, head, 0.95);
    expect(ci?.coverage).toBeCloseTo(0.95, 2);
    expect(ci?.lower).toBeLessThan(50);
    expect(ci?.upper).toBeGreaterThan(50);
  });
});
