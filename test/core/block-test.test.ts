import { describe, expect, it } from 'vitest';
import { blockGroups, blockTest, unitsToDecide } from '../../core/block-test.ts';
import { mannWhitneyU } from '../../core/mann-whitney.ts';
import { seededRandom } from '../../core/stats.ts';
import { tQuantileUpper, tTwoSided } from '../../core/student-t.ts';

describe("Student's t", () => {
  it('matches the closed forms for 1 and 2 degrees of freedom', () => {
    for (const t of [0.3, 1, 2, 7.5]) {
      expect(tTwoSided(t, 1)).toBeCloseTo(1 - (2 * Math.atan(t)) / Math.PI, 10);
      expect(tTwoSided(t, 2)).toBeCloseTo(1 - t / Math.sqrt(2 + t * t), 10);
    }
  });
  it('gives the tabulated 97.5% quantiles', () => {
    expect(tQuantileUpper(0.025, 2)).toBeCloseTo(4.302653, 5);
    expect(tQuantileUpper(0.025, 4)).toBeCloseTo(2.776445, 5);
    expect(tQuantileUpper(0.025, 10)).toBeCloseTo(2.228139, 5);
    expect(tQuantileUpper(0.025, 1e6)).toBeCloseTo(1.959966, 4);
  });
});

describe('blockGroups', () => {
  it('groups samples by the block they were taken in, in block order', () => {
    expect(blockGroups({ samples: [1, 2, 3, 4, 5], blocks: [1, 0, 1, 2, 0] })).toEqual([[2, 5], [1, 3], [4]]);
  });
  it('is null without a schedule, or with one that does not match the samples', () => {
    expect(blockGroups({ samples: [1, 2] })).toBeNull();
    expect(blockGroups({ samples: [1, 2], blocks: [0] })).toBeNull();
  });
});

/** k blocks of n samples around `level`, each block shifted by its own load. */
function blocked(rand: () => number, k: number, n: number, level: number, blockSpread: number, sampleSpread: number): number[][] {
  return Array.from({ length: k }, () => {
    const load = 1 + blockSpread * (rand() * 2 - 1);
    return Array.from({ length: n }, () => level * load * (1 + sampleSpread * (rand() * 2 - 1)));
  });
}

describe('blockTest', () => {
  it('needs two blocks a side and positive block medians', () => {
    expect(blockTest([[1, 2]], [[1], [2]], 0.95)).toBeNull();
    expect(blockTest([[0, 0], [0]], [[1], [2]], 0.95)).toBeNull();
  });

  it('keeps its false alarm rate near alpha when the load drifts between blocks, where the pooled test does not', () => {
    const rand = seededRandom(7);
    let blockAlarms = 0;
    let pooledAlarms = 0;
    const trials = 600;
    for (let i = 0; i < trials; i++) {
      const base = blocked(rand, 5, 6, 60, 0.06, 0.02);
      const head = blocked(rand, 5, 6, 60, 0.06, 0.02);
      const t = blockTest(base, head, 0.95);
      if (t && t.pValue < 0.05) blockAlarms++;
      if (mannWhitneyU(base.flat(), head.flat()).p < 0.05) pooledAlarms++;
    }
    expect(blockAlarms / trials).toBeLessThan(0.09);
    expect(blockAlarms / trials).toBeGreaterThan(0.01);
    expect(pooledAlarms / trials).toBeGreaterThan(0.3);
  });

  it('finds a 10% slowdown whose blocks agree, and its interval covers it', () => {
    const rand = seededRandom(11);
    const base = blocked(rand, 5, 6, 60, 0.02, 0.05);
    const head = blocked(rand, 5, 6, 66, 0.02, 0.05);
    const t = blockTest(base, head, 0.95);
    expect(t).not.toBeNull();
    expect(t?.pValue).toBeLessThan(0.001);
    expect(t?.changeCiPercent[0]).toBeLessThan(10);
    expect(t?.changeCiPercent[1]).toBeGreaterThan(10);
  });

  it('takes identical blocks on both sides as no change, and identical but different ones as certain', () => {
    const same = blockTest([[5, 5], [5, 5]], [[5], [5, 5]], 0.95);
    expect(same?.pValue).toBe(1);
    expect(same?.changePercent).toBe(0);
    const moved = blockTest([[4, 4], [4]], [[5], [5]], 0.95);
    expect(moved?.pValue).toBe(0);
    expect(moved?.changePercent).toBeCloseTo(25, 10);
  });

  it("keeps its false alarm rate near alpha when each run has a level of its own, once the host's run-level variance is in it", () => {
    // every run is shifted as a whole by up to ±10% (sd ~5.8%), beyond what its blocks show
    const rand = seededRandom(23);
    const runVariance = (0.2 / Math.sqrt(12)) ** 2;
    const run = (level: number) => {
      const shift = 1 + 0.1 * (rand() * 2 - 1);
      return blocked(rand, 5, 6, level * shift, 0.03, 0.02);
    };
    let without = 0;
    let withFloor = 0;
    const trials = 600;
    for (let i = 0; i < trials; i++) {
      const base = run(60);
      const head = run(60);
      if ((blockTest(base, head, 0.95)?.pValue ?? 1) < 0.05) without++;
      const t = blockTest(base, head, 0.95, { variance: 2 * runVariance, df: 4 });
      if ((t?.pValue ?? 1) < 0.05) withFloor++;
      expect(t?.runVariance).toBeCloseTo(2 * runVariance, 12);
    }
    expect(without / trials).toBeGreaterThan(0.2);
    expect(withFloor / trials).toBeLessThan(0.07);
  });

  it('says no number of blocks decides a row whose run-level variance alone exceeds the target', () => {
    const t = { baseUnits: 5, headUnits: 5, se: 0.05, runVariance: 0.04 ** 2 };
    expect(unitsToDecide(t, 0.03, 1.96)).toBeNull();
    // without it, the blocks' share shrinks as 1/blocks: (1.96 * 0.05 / 0.03)^2 * 5 = 54
    expect(unitsToDecide({ ...t, runVariance: 0 }, 0.03, 1.96)).toBe(54);
  });
});
