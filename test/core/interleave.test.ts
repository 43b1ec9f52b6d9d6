/** Interleaved sampling: a load that drifts during the run falls on every runtime alike. */
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../../core/pipeline.ts';
import { blockShare, roundOrder } from '../../core/schedule.ts';
import { ResultsDocument } from '../../core/schema.ts';
import { fakeDeps, smallOptions } from '../helpers/pipeline.ts';
import { useScratchDir } from '../helpers/tmp.ts';

useScratchDir();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

describe('schedule', () => {
  it('splits a count into blocks that differ by at most one and add up', () => {
    for (const [total, blocks] of [
      [30, 3],
      [10, 3],
      [3, 5],
      [1, 1],
      [7, 7],
    ] as const) {
      const shares = Array.from({ length: blocks }, (_, i) => blockShare(total, blocks, i));
      expect(shares.reduce((a, b) => a + b, 0)).toBe(total);
      expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
    }
  });

  it('shuffles each round anew, the same way for the same run', () => {
    const names = ['a', 'b', 'c', 'd', 'e'];
    const rounds = Array.from({ length: 6 }, (_, r) => roundOrder(names, 'run-1', r).join(''));
    expect(new Set(rounds).size).toBeGreaterThan(1);
    for (const r of rounds) expect([...r].sort().join('')).toBe('abcde');
    expect(Array.from({ length: 6 }, (_, r) => roundOrder(names, 'run-1', r).join(''))).toEqual(rounds);
  });
});

describe('interleaved runs', () => {
  it('record the schedule and, for each sample, the block that took it', async () => {
    const deps = fakeDeps(['alpha', 'beta', 'gamma']);
    const doc = await runPipeline({ ...smallOptions, suites: ['startup'], runs: 9, blocks: 3 }, deps);
    expect(ResultsDocument.safeParse(doc).success).toBe(true);
    expect(doc.parameters.blocks).toBe(3);
    expect(doc.schedule?.map((s) => s.round)).toEqual([0, 1, 2]);
    for (const s of doc.schedule ?? []) expect([...s.order].sort()).toEqual(['alpha', 'beta', 'gamma']);
    const run = doc.measurements.find((m) => m.metric === 'run' && m.labels.runtime === 'beta');
    expect(run?.samples).toHaveLength(9);
    expect(run?.blocks).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2]);
    // one outcome per runtime and suite, not one per block
    expect(doc.suiteRuns.filter((r) => r.runtime === 'beta' && r.suite === 'startup')).toHaveLength(1);
  });

  it('turn a drifting load into no difference between two identical runtimes, where sequential sampling invents one', async () => {
    const ratio = async (blocks: number) => {
      const deps = fakeDeps(['same-a', 'same-b'], { runMs: { 'same-a': 10, 'same-b': 10 }, driftPerOp: 0.002 });
      const doc = await runPipeline({ ...smallOptions, suites: ['startup'], runs: 40, warmup: 0, blocks }, deps);
      const m = (rt: string) => median(doc.measurements.find((x) => x.metric === 'run' && x.labels.runtime === rt)?.samples ?? []);
      return m('same-b') / m('same-a');
    };
    const sequential = await ratio(1);
    const interleaved = await ratio(10);
    expect(sequential).toBeGreaterThan(1.15);
    expect(Math.abs(interleaved - 1)).toBeLessThan(0.05);
  });
});
