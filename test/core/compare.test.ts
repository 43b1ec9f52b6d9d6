import { describe, expect, it } from 'vitest';
import {
  badDirection,
  bootstrapMedianDifferenceCI,
  compareDocuments,
  exactUCounts,
  mannWhitneyU,
  normalSf,
} from '../../core/compare.ts';
import type { Measurement, ResultsDocument } from '../../core/schema.ts';
import { computeStats } from '../../core/stats.ts';
import { loadFixture } from '../reports/fixtures.ts';

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
    const r = mannWhitneyU([5.5, 7.25, 9.5], Array.from({ length: 20 }, (_, i) => i + 1));
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

  it('bad direction follows the unit', () => {
    expect(badDirection('ns')).toBe('up');
    expect(badDirection('bytes')).toBe('up');
    expect(badDirection('ops/s')).toBe('down');
    expect(badDirection('containers/s')).toBe('down');
    expect(badDirection('ratio')).toBe('down');
    expect(badDirection('count')).toBe('none');
  });

  it('bootstrap CI of the difference of medians is seeded and brackets the observed difference', () => {
    const base = [10, 11, 12, 10.5, 11.5, 10.2, 11.8, 10.9];
    const head = [13, 14, 12.5, 13.5, 14.2, 12.8, 13.9, 13.1];
    const a = bootstrapMedianDifferenceCI(base, head);
    const b = bootstrapMedianDifferenceCI(base, head);
    expect(a).toEqual(b);
    expect(a[0]).toBeLessThanOrEqual(13.3 - 10.95);
    expect(a[1]).toBeGreaterThanOrEqual(13.3 - 10.95);
    expect(a[0]).toBeGreaterThan(0);
  });
});

function withSamples(doc: ResultsDocument, metric: string, runtime: string, samples: number[]): ResultsDocument {
  const copy = structuredClone(doc);
  const m = copy.measurements.find((x: Measurement) => x.metric === metric && x.labels.runtime === runtime);
  if (!m) throw new Error(`fixture has no ${metric} for ${runtime}`);
  m.samples = samples;
  m.stats = computeStats(samples);
  return copy;
}

describe('compareDocuments', () => {
  const base = loadFixture('single-host.json');

  it('the same document against itself: everything unchanged, p = 1', () => {
    const c = compareDocuments(base, base, { thresholdPercent: 5, alpha: 0.05 });
    expect(c.rows.length).toBe(base.measurements.length);
    expect(c.rows.every((r) => r.verdict === 'unchanged')).toBe(true);
    expect(c.rows.every((r) => r.pValue === 1 || r.pValue > 0.9)).toBe(true);
    expect(c.regressions).toBe(0);
  });

  it('a slower lifecycle is a regression; a faster one an improvement', () => {
    const m = base.measurements.find((x) => x.metric === 'lifecycle' && x.labels.runtime === 'runc');
    if (!m) throw new Error('fixture has no runc lifecycle');
    const slower = withSamples(base, 'lifecycle', 'runc', m.samples.map((x) => x * 1.5));
    const faster = withSamples(base, 'lifecycle', 'runc', m.samples.map((x) => x * 0.5));
    const r1 = compareDocuments(base, slower, { thresholdPercent: 5, alpha: 0.05 });
    const row = r1.rows.find((r) => r.metric === 'lifecycle' && r.runtime === 'runc');
    expect(row?.verdict).toBe('regressed');
    expect(row?.changePercent).toBeCloseTo(50, 6);
    expect(r1.regressions).toBe(1);
    const r2 = compareDocuments(base, faster, { thresholdPercent: 5, alpha: 0.05 });
    expect(r2.rows.find((r) => r.metric === 'lifecycle' && r.runtime === 'runc')?.verdict).toBe('improved');
  });

  it('a significant change inside the noise threshold is unchanged', () => {
    const m = base.measurements.find((x) => x.metric === 'lifecycle' && x.labels.runtime === 'runc');
    if (!m) throw new Error('fixture has no runc lifecycle');
    const head = withSamples(base, 'lifecycle', 'runc', m.samples.map((x) => x * 1.5));
    const c = compareDocuments(base, head, { thresholdPercent: 60, alpha: 0.05 });
    const row = c.rows.find((r) => r.metric === 'lifecycle' && r.runtime === 'runc');
    expect(row?.pValue).toBeLessThan(0.05);
    expect(row?.verdict).toBe('unchanged');
  });

  it('lower throughput is a regression (higher is better for ops/s)', () => {
    const m = base.measurements.find((x) => x.unit === 'ops/s' && x.labels.runtime === 'runc');
    if (!m) throw new Error('fixture has no runc ops/s');
    const head = withSamples(base, m.metric, 'runc', m.samples.map((x) => x * 0.7));
    const c = compareDocuments(base, head, { thresholdPercent: 5, alpha: 0.05 });
    expect(c.rows.find((r) => r.metric === m.metric && r.runtime === 'runc')?.verdict).toBe('regressed');
  });

  it('measurements on one side only are listed, not compared', () => {
    const head = structuredClone(base);
    head.measurements = head.measurements.filter((m) => m.labels.runtime !== 'crun');
    const c = compareDocuments(base, head, { thresholdPercent: 5, alpha: 0.05 });
    expect(c.onlyInBase.length).toBe(base.measurements.filter((m) => m.labels.runtime === 'crun').length);
    expect(c.onlyInBase.every((k) => k.includes('crun'))).toBe(true);
    expect(c.onlyInHead).toEqual([]);
  });

  it('emulated on one side only is not comparable', () => {
    const head = structuredClone(base);
    for (const m of head.measurements) m.labels.emulated = true;
    const c = compareDocuments(base, head, { thresholdPercent: 5, alpha: 0.05 });
    expect(c.rows).toEqual([]);
    expect(c.notComparable.length).toBe(base.measurements.length);
    expect(c.notComparable[0]?.reason).toBe('emulated in head only');
  });
});
