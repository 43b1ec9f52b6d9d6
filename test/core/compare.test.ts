import { describe, expect, it } from 'vitest';
import { badDirection, compareDocuments, type ComparisonRow } from '../../core/compare.ts';
import type { Measurement, ResultsDocument, Unit } from '../../core/schema.ts';
import { computeStats } from '../../core/stats.ts';
import { loadFixture } from '../reports/fixtures.ts';

describe('building blocks', () => {
  it('bad direction follows the unit', () => {
    expect(badDirection('ns')).toBe('up');
    expect(badDirection('bytes')).toBe('up');
    expect(badDirection('ops/s')).toBe('down');
    expect(badDirection('containers/s')).toBe('down');
    expect(badDirection('ratio')).toBe('down');
    expect(badDirection('count')).toBe('none');
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

const base = loadFixture('single-host.json');

/** Base and head documents of the fixture's host holding one measurement per sample pair: metric m0, m1, ... */
function pairs(list: [number[], number[]][], unit: Unit = 'ns'): [ResultsDocument, ResultsDocument] {
  const proto = base.measurements[0] as Measurement;
  const doc = (side: 0 | 1): ResultsDocument => ({
    ...structuredClone(base),
    measurements: list.map((p, i) => ({ ...structuredClone(proto), metric: `m${i}`, unit, samples: p[side], stats: computeStats(p[side]) })),
  });
  return [doc(0), doc(1)];
}

/** n values spread evenly over ±spread around centre, in a fixed shuffled order. */
function around(centre: number, spread: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => centre + spread * (((i * 7) % n) / (n - 1) - 0.5) * 2);
}

const opts = { thresholdPercent: 5, alpha: 0.05 };
const only = (docs: [ResultsDocument, ResultsDocument], o = opts): ComparisonRow => {
  const c = compareDocuments(docs[0], docs[1], o);
  if (!c.rows[0]) throw new Error('no row');
  return c.rows[0];
};

describe('compareDocuments on the fixture', () => {
  it('the same document against itself: nothing regressed or improved, p = 1', () => {
    const c = compareDocuments(base, base, opts);
    expect(c.rows.length).toBe(base.measurements.length);
    expect(c.rows.every((r) => r.verdict === 'no-change' || r.verdict === 'inconclusive')).toBe(true);
    expect(c.rows.every((r) => r.pValue === 1 || r.pValue > 0.9)).toBe(true);
    expect(c.regressions + c.improvements).toBe(0);
    expect(c.noChange + c.inconclusive).toBe(c.rows.length);
    expect(c.options.correction).toBe('holm');
  });

  it('a slower lifecycle is a regression; a faster one an improvement', () => {
    const m = base.measurements.find((x) => x.metric === 'lifecycle' && x.labels.runtime === 'runc');
    if (!m) throw new Error('fixture has no runc lifecycle');
    const slower = withSamples(
      base,
      'lifecycle',
      'runc',
      m.samples.map((x) => x * 1.5),
    );
    const faster = withSamples(
      base,
      'lifecycle',
      'runc',
      m.samples.map((x) => x * 0.5),
    );
    const r1 = compareDocuments(base, slower, opts);
    const row = r1.rows.find((r) => r.metric === 'lifecycle' && r.runtime === 'runc');
    expect(row?.verdict).toBe('regressed');
    expect(row?.changePercent).toBeCloseTo(50, 6);
    // the interval of the change brackets it
    expect(row?.changeCiPercent[0]).toBeLessThan(50);
    expect(row?.changeCiPercent[1]).toBeGreaterThan(50);
    expect(row?.pAdjusted).toBeGreaterThan(row?.pValue ?? 1);
    expect(r1.regressions).toBe(1);
    const r2 = compareDocuments(base, faster, opts);
    expect(r2.rows.find((r) => r.metric === 'lifecycle' && r.runtime === 'runc')?.verdict).toBe('improved');
  });

  it('lower throughput is a regression (higher is better for ops/s)', () => {
    const m = base.measurements.find((x) => x.unit === 'ops/s' && x.labels.runtime === 'runc');
    if (!m) throw new Error('fixture has no runc ops/s');
    const head = withSamples(
      base,
      m.metric,
      'runc',
      m.samples.map((x) => x * 0.7),
    );
    const c = compareDocuments(base, head, opts);
    expect(c.rows.find((r) => r.metric === m.metric && r.runtime === 'runc')?.verdict).toBe('regressed');
  });

  it('measurements on one side only are listed, not compared', () => {
    const head = structuredClone(base);
    head.measurements = head.measurements.filter((m) => m.labels.runtime !== 'crun');
    const c = compareDocuments(base, head, opts);
    expect(c.onlyInBase.length).toBe(base.measurements.filter((m) => m.labels.runtime === 'crun').length);
    expect(c.onlyInBase.every((k) => k.includes('crun'))).toBe(true);
    expect(c.onlyInHead).toEqual([]);
  });

  it('emulated on one side only is not comparable', () => {
    const head = structuredClone(base);
    for (const m of head.measurements) m.labels.emulated = true;
    const c = compareDocuments(base, head, opts);
    expect(c.rows).toEqual([]);
    expect(c.notComparable.length).toBe(base.measurements.length);
    expect(c.notComparable[0]?.reason).toBe('emulated in head only');
  });
});

describe('four verdicts, each only as strong as the data', () => {
  it('no change: the interval of the change lies within ± the threshold', () => {
    const row = only(pairs([[around(100, 1, 20), around(100.5, 1, 20)]]));
    expect(row.verdict).toBe('no-change');
    expect(row.changeCiPercent[0]).toBeGreaterThanOrEqual(-5);
    expect(row.changeCiPercent[1]).toBeLessThanOrEqual(5);
    expect(row.reason).toBe('interval within ±5%');
    expect(row.samplesToDecide).toBeNull();
  });

  it('three samples a side can show no change and no regression: inconclusive, with the samples that could', () => {
    // twice as slow, every sample: still no p below 0.1 from 3 a side
    const row = only(
      pairs([
        [
          [10, 11, 12],
          [20, 22, 24],
        ],
      ]),
    );
    expect(row.verdict).toBe('inconclusive');
    expect(row.reason).toBe('too few samples: 3 and 3 give no p below 0.1000');
    expect(row.ciCoverage).toBeCloseTo(0.9, 12);
    expect(row.samplesToDecide).toBe(4);
    // and the same with no change at all
    expect(
      only(
        pairs([
          [
            [10, 11, 12],
            [10, 11, 12],
          ],
        ]),
      ).verdict,
    ).toBe('inconclusive');
  });

  it('too noisy to tell: inconclusive, and the noisier, the more samples it would take', () => {
    const noisy = only(pairs([[around(100, 20, 10), around(101, 20, 10)]]));
    const noisier = only(pairs([[around(100, 40, 10), around(101, 40, 10)]]));
    expect(noisy.verdict).toBe('inconclusive');
    expect(noisy.reason).toBe('p ≥ 0.05 and the interval reaches past ±5%');
    expect(noisy.samplesToDecide).toBeGreaterThan(10);
    expect(noisier.samplesToDecide).toBeGreaterThan(noisy.samplesToDecide ?? Infinity);
  });

  it('a significant change that may or may not pass the threshold is inconclusive, not a regression', () => {
    // about +4%, cleanly separated, but the interval reaches past +5%
    const row = only(pairs([[around(100, 2, 8), around(104, 2, 8)]]));
    expect(row.pValue).toBeLessThan(0.05);
    expect(row.verdict).toBe('inconclusive');
    expect(row.reason).toBe('p < 0.05 but the interval reaches past ±5%');
  });

  it('a change of a count is changed, having no better direction', () => {
    const row = only(pairs([[around(10, 0.5, 8), around(20, 0.5, 8)]], 'count'));
    expect(row.verdict).toBe('changed');
    expect(row.reason).toContain('count has no better direction');
  });

  it('p-values are adjusted across rows: what is significant alone may not be among twenty', () => {
    const slower: [number[], number[]] = [
      [10, 11, 12, 13, 14],
      [20, 21, 22, 23, 24],
    ];
    const same: [number[], number[]] = [around(100, 1, 20), around(100, 1, 20)];
    // 5 a side completely apart: p = 2 / C(10, 5) = 0.0079
    const alone = only(pairs([slower]));
    expect(alone.verdict).toBe('regressed');
    const docs = pairs([slower, ...Array.from({ length: 19 }, () => same)]);
    for (const correction of ['holm', 'bh'] as const) {
      const c = compareDocuments(docs[0], docs[1], { ...opts, correction });
      const row = c.rows.find((r) => r.metric === 'm0');
      expect(row?.pValue).toBeCloseTo(2 / 252, 12);
      expect(row?.pAdjusted).toBeCloseTo((20 * 2) / 252, 12);
      expect(row?.verdict).toBe('inconclusive');
      expect(row?.reason).toBe('adjusted p ≥ 0.05 and the interval reaches past ±5%');
      // among 20 rows the first must pass 0.05 / 20: 6 a side can
      expect(row?.samplesToDecide).toBe(6);
      expect(c.options.correction).toBe(correction);
    }
  });
});
