import { describe, expect, it } from 'vitest';
import { mannWhitneyU } from '../../core/mann-whitney.ts';
import { rankingNote, rankLabel, rankSamples, ratioOfMediansInterval, ratioText } from '../../core/ranking.ts';

/** n values evenly within ±spread of centre, in a fixed shuffled order. */
function around(centre: number, spread: number, n = 10): number[] {
  return Array.from({ length: n }, (_, i) => centre + spread * (((i * 7) % n) / (n - 1) - 0.5) * 2);
}

describe('ranking runtimes on one metric', () => {
  it('clearly apart: ranks 1, 2, 3; the best is "best" and every other ratio has its interval', () => {
    const r = rankSamples([around(40, 1), around(20, 1), around(30, 1)], true);
    expect(r.map(rankLabel)).toEqual(['3', '1', '2']);
    expect(ratioText(r[1]!)).toBe('1.00× best');
    expect(r[1]!.ratioCi).toBeNull();
    expect(r[0]!.ratio).toBeCloseTo(2, 2);
    const [lo, hi] = r[0]!.ratioCi!;
    expect(lo).toBeLessThan(2);
    expect(hi).toBeGreaterThan(2);
    expect(ratioText(r[0]!)).toMatch(/^2\.00× \[1\.9\d … 2\.0\d\]$/);
  });

  it('runtimes that cannot be told apart share a rank, and none of them is "best"', () => {
    const r = rankSamples([around(20, 4), around(20.5, 4), around(40, 1)], true);
    expect(r.map(rankLabel)).toEqual(['=1', '=1', '2']);
    expect(ratioText(r[0]!)).toBe('1.00×');
    expect(ratioText(r[1]!)).toMatch(/^1\.0[23]× \[0\.\d\d … 1\.\d\d\]$/);
  });

  it('three samples each can never tell two runtimes apart: a tie, however far the medians', () => {
    const r = rankSamples(
      [
        [10, 11, 12],
        [20, 21, 22],
      ],
      true,
    );
    expect(r.map(rankLabel)).toEqual(['=1', '=1']);
    expect(r[1]!.ratio).toBeCloseTo(21 / 11, 12);
  });

  it('a tie spreads only along neighbours: A ~ B and B ~ C with A apart from C is one rank, as the order says', () => {
    // each next only a little slower: no neighbouring pair is significant, the ends are
    const [a, b, c] = [around(20, 2), around(21, 2), around(22, 2)];
    expect(mannWhitneyU(a, c).p).toBeLessThan(0.05);
    expect(mannWhitneyU(a, b).p).toBeGreaterThan(0.05);
    const r = rankSamples([a, b, c], true);
    expect(r.map(rankLabel)).toEqual(['=1', '=1', '=1']);
  });

  it('higher is better for rates: the highest median ranks first and the ratio inverts', () => {
    const r = rankSamples([around(22, 0.5), around(41, 0.5)], false);
    expect(r.map(rankLabel)).toEqual(['2', '1']);
    expect(r[0]!.ratio).toBeCloseTo(41 / 22, 2);
  });

  it('a measurement without samples has no rank and no ratio', () => {
    const r = rankSamples([[], around(20, 1)], true);
    expect(r[0]).toEqual({ rank: null, tied: false, ratio: null, ratioCi: null, pNext: null, method: null });
    expect(rankLabel(r[0]!)).toBe('—');
    expect(ratioText(r[0]!)).toBe('—');
    expect(ratioText(r[1]!)).toBe('1.00× best');
  });

  it('the ratio interval is seeded by the samples: the same document renders the same', () => {
    const a = around(40, 3);
    const b = around(20, 3);
    expect(ratioOfMediansInterval(a, b)).toEqual(ratioOfMediansInterval([...a], [...b]));
    expect(ratioOfMediansInterval(a, [0, 1])).toBeNull();
    expect(rankingNote()).toContain('p < 0.05');
  });
});

describe('ranking runtimes of one run sampled in interleaved blocks', () => {
  /** k rounds of n samples around level; each round's load (shared by every runtime of the run) given. */
  const blocked = (level: number, loads: readonly number[], n: number, jitter: (i: number) => number) => {
    const samples: number[] = [];
    const blocks: number[] = [];
    loads.forEach((load, b) => {
      for (let i = 0; i < n; i++) {
        samples.push(level * load * jitter(b * n + i));
        blocks.push(b);
      }
    });
    return { samples, blocks };
  };
  const jitterA = (i: number) => 1 + 0.02 * Math.sin(i * 1.7);
  const jitterB = (i: number) => 1 + 0.02 * Math.cos(i * 2.3);

  it('one runtime under two names ties, however much the load drifts between rounds', () => {
    const loads = [1, 1.3, 0.9, 1.6, 1.1];
    const r = rankSamples([blocked(30, loads, 6, jitterA), blocked(30, loads, 6, jitterB)], true, undefined, true);
    expect(r.map(rankLabel)).toEqual(['=1', '=1']);
    expect(r.every((x) => x.method === 'blocks')).toBe(true);
  });

  it('separates runtimes 10% apart round by round, with the ratio and its t interval', () => {
    const loads = [1, 1.3, 0.9, 1.6, 1.1];
    const r = rankSamples([blocked(33, loads, 6, jitterA), blocked(30, loads, 6, jitterB)], true, undefined, true);
    expect(r.map(rankLabel)).toEqual(['2', '1']);
    expect(r[0]!.ratio).toBeCloseTo(1.1, 1);
    expect(r[0]!.ratioCi![0]).toBeLessThan(1.1);
    expect(r[0]!.ratioCi![1]).toBeGreaterThan(1.1);
    expect(r[0]!.ratioCi![0]).toBeGreaterThan(1);
  });

  it('falls back to the samples when blocks are not rounds of one run', () => {
    const loads = [1, 1.3, 0.9];
    const r = rankSamples([blocked(33, loads, 6, jitterA), blocked(30, loads, 6, jitterB)], true, undefined, false);
    expect(r.every((x) => x.method === 'samples')).toBe(true);
  });
});
