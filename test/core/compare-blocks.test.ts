import { describe, expect, it } from 'vitest';
import { compareDocuments } from '../../core/compare.ts';
import type { Measurement, ResultsDocument } from '../../core/schema.ts';
import { computeStats, seededRandom } from '../../core/stats.ts';
import { loadFixture } from '../reports/fixtures.ts';

const fixture = loadFixture('single-host.json');
const proto = fixture.measurements[0] as Measurement;

/** A document of `rows` measurements, each sampled in k blocks of n around level × factor, with a load that differs per block. */
function run(seed: number, rows: number, factor = 1, k = 5, n = 6, blockSpread = 0.06): ResultsDocument {
  const rand = seededRandom(seed);
  const measurements = Array.from({ length: rows }, (_, r) => {
    const samples: number[] = [];
    const blocks: number[] = [];
    for (let b = 0; b < k; b++) {
      const load = 1 + blockSpread * (rand() * 2 - 1);
      for (let i = 0; i < n; i++) {
        samples.push(50e6 * factor * load * (1 + 0.03 * (rand() * 2 - 1)));
        blocks.push(b);
      }
    }
    return { ...structuredClone(proto), metric: `m${r}`, samples, blocks, stats: computeStats(samples) };
  });
  return { ...structuredClone(fixture), runId: `run-${seed}`, measurements };
}

describe('compare with samples taken in blocks', () => {
  it('judges rows with blocks by the block test and says so', () => {
    const c = compareDocuments(run(1, 3), run(2, 3), { thresholdPercent: 5, alpha: 0.05 });
    expect(c.rows.every((r) => r.test === 'blocks' && r.baseUnits === 5 && r.headUnits === 5)).toBe(true);
  });

  it('flags far fewer rows of A/A pairs under drifting load than the pooled test does', () => {
    let blocks = 0;
    let pooled = 0;
    for (let i = 0; i < 10; i++) {
      const base = run(100 + i, 12);
      const head = run(200 + i, 12);
      const flagged = (test: 'blocks' | 'samples') => {
        const c = compareDocuments(base, head, { thresholdPercent: 1, alpha: 0.05, test });
        return c.regressions + c.improvements;
      };
      blocks += flagged('blocks');
      pooled += flagged('samples');
    }
    // Holm keeps the chance of any false finding in a family of 12 rows near 5%
    expect(blocks).toBeLessThanOrEqual(2);
    expect(pooled).toBeGreaterThan(20);
  });

  it('flags a runtime slowed by 10% as regressed at the default 30 samples in 5 blocks', () => {
    const c = compareDocuments(run(5, 6, 1, 5, 6, 0.02), run(6, 6, 1.1, 5, 6, 0.02), { thresholdPercent: 5, alpha: 0.05 });
    expect(c.regressions).toBe(6);
  });

  it('pools several base runs: each run of the baseline adds its blocks', () => {
    const c = compareDocuments([run(7, 1), run(8, 1), run(9, 1)], run(10, 1), { thresholdPercent: 5, alpha: 0.05 });
    expect(c.baseRuns).toBe(3);
    expect(c.rows[0]?.baseUnits).toBe(15);
    expect(c.rows[0]?.baseN).toBe(90);
  });

  it('takes a threshold of its own for a row when given one', () => {
    const c = compareDocuments(run(5, 2, 1, 5, 6, 0.02), run(6, 2, 1.1, 5, 6, 0.02), {
      thresholdPercent: 5,
      alpha: 0.05,
      thresholdFor: (key) => (key.metric === 'm0' ? 20 : null),
    });
    expect(c.rows.map((r) => [r.metric, r.thresholdPercent, r.verdict])).toEqual([
      ['m0', 20, 'no-change'],
      ['m1', 5, 'regressed'],
    ]);
  });

  it('falls back to the pooled test where a side was sampled in one block', () => {
    const head = run(12, 1);
    const one = { ...head, measurements: head.measurements.map((m) => ({ ...m, blocks: m.samples.map(() => 0) })) };
    const c = compareDocuments(run(11, 1), one, { thresholdPercent: 5, alpha: 0.05 });
    expect(c.rows[0]?.test).not.toBe('blocks');
    expect(c.rows[0]?.baseUnits).toBeNull();
  });
});
