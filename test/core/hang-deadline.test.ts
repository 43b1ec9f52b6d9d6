/**
 * The hang deadline: `--timeout` until a series has 3 good attempts, then max(factor × their
 * median, 5 s), capped at `--timeout`; every attempt of the series (warmups, samples, the check
 * after them, later blocks) is handed it, a hang at it is counted as a hang, and the document
 * records the deadline in force. Older documents, without it, still read.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RuntimeFailure } from '../../core/errors.ts';
import { attemptDeadlineMs, DEFAULT_HANG_FACTOR, hangFactorProblem, hangPolicy } from '../../core/hang-deadline.ts';
import { packageRoot } from '../../core/paths.ts';
import { runPipeline } from '../../core/pipeline.ts';
import { ResultsDocument } from '../../core/schema.ts';
import type { Suite } from '../../core/suite.ts';
import { readResults } from '../../reports/json.ts';
import { fakeDeps, smallOptions } from '../helpers/pipeline.ts';
import { useScratchDir } from '../helpers/tmp.ts';

useScratchDir();

const ms = (x: number) => x * 1e6;

describe('the deadline of the next attempt', () => {
  const policy = hangPolicy();

  it('is --timeout until the series has 3 good attempts', () => {
    expect(attemptDeadlineMs([], 60_000, policy)).toBe(60_000);
    expect(attemptDeadlineMs([ms(10), ms(12)], 60_000, policy)).toBe(60_000);
  });

  it('then 10 × their median, never below 5 s and never above --timeout', () => {
    expect(DEFAULT_HANG_FACTOR).toBe(10);
    // a 10 ms run: the floor
    expect(attemptDeadlineMs([ms(10), ms(12), ms(11)], 60_000, policy)).toBe(5_000);
    // a 2 s operation: 10 × the median (one slow attempt does not move it)
    expect(attemptDeadlineMs([ms(2000), ms(1900), ms(2100), ms(9000)], 60_000, policy)).toBe(20_500);
    // a 9 s one: --timeout
    expect(attemptDeadlineMs([ms(9000), ms(9000), ms(9000)], 60_000, policy)).toBe(60_000);
    // a --timeout below the floor stays
    expect(attemptDeadlineMs([ms(10), ms(10), ms(10)], 3_000, policy)).toBe(3_000);
  });

  it('is --timeout alone with a factor of 0; a factor between 0 and 2 is refused', () => {
    expect(attemptDeadlineMs([ms(10), ms(10), ms(10), ms(10)], 60_000, hangPolicy(0))).toBe(60_000);
    expect(attemptDeadlineMs([ms(1000), ms(1000), ms(1000)], 60_000, hangPolicy(3))).toBe(5_000);
    expect(attemptDeadlineMs([ms(4000), ms(4000), ms(4000)], 60_000, hangPolicy(2.5))).toBe(10_000);
    expect([0, 2, 2.5, 10].map((f) => hangFactorProblem(f))).toEqual([null, null, null, null]);
    expect(hangFactorProblem(1.5)).toBe("must be 0 (off) or a number of at least 2, got '1.5'");
    expect(hangFactorProblem(Number.NaN, 'x')).toBe("must be 0 (off) or a number of at least 2, got 'x'");
  });
});

/** A suite whose operation takes `opMs` and hangs (until the deadline it is given) on every 3rd call; it logs each call's deadline. */
function hangingSuite(opMs: number, calls: { timeoutMs: number; hung: boolean }[]): Suite {
  return {
    name: 'probe',
    description: 'an operation that hangs on every 3rd call',
    needs: [],
    metrics: [{ name: 'op', unit: 'ns', better: 'lower', description: 'the operation' }],
    async run(ctx) {
      const ref = { name: 'hello', kind: 'native' as const, args: [] };
      const op = async (timeoutMs: number) => {
        const hung = (calls.length + 1) % 3 === 0;
        calls.push({ timeoutMs, hung });
        if (hung) throw new RuntimeFailure('a', "a run failed: 'run' hung and was killed", { hung: true });
        return ms(opMs);
      };
      const s = await ctx.sample('op', ref, async (_warmup, timeoutMs) => ({ durationNs: await op(timeoutMs), value: null }));
      await ctx.attempt('op', ref, op);
      ctx.record({ metric: 'op', unit: 'ns', workload: ref, samples: s.durationsNs, series: 'op' });
    },
  };
}

describe('a series that hangs on every 3rd attempt', () => {
  it('hands each attempt its deadline, across blocks, counts each hang and keeps the good samples', async () => {
    const calls: { timeoutMs: number; hung: boolean }[] = [];
    const deps = { ...fakeDeps(['a']), suites: [hangingSuite(10, calls)] };
    const doc = await runPipeline({ ...smallOptions, suites: ['probe'], runs: 12, warmup: 2, blocks: 2, timeoutMs: 60_000 }, deps);
    // block 0: 2 warmups, 6 samples, the check (tried again after a hang); block 1: 1 warmup, 6 samples, the check
    const n = calls.length;
    expect(n).toBeGreaterThanOrEqual(17);
    // calls 1, 2 good, 3 hung, 4 good: the 5th is the first after 3 good ones
    expect(calls.slice(0, 4).map((c) => c.timeoutMs)).toEqual([60_000, 60_000, 60_000, 60_000]);
    expect(calls.slice(4).map((c) => c.timeoutMs)).toEqual(Array(n - 4).fill(5_000));
    const hung = calls.filter((c) => c.hung).length;
    expect(hung).toBe(Math.floor(n / 3));
    const series = doc.reliability?.series.find((s) => s.series === 'op');
    expect(series).toMatchObject({ attempts: n, failures: hung, hangs: hung, succeeded: n - hung, outcome: { status: 'measured' } });
    expect(series?.errors).toEqual([{ kind: 'hung', error: "a run failed: 'run' hung and was killed", count: hung }]);
    // the samples are the good attempts but the 3 warmups and the 2 checks
    expect(doc.measurements.find((m) => m.metric === 'op')?.samples).toHaveLength(n - hung - 3 - 2);
    expect(doc.parameters).toMatchObject({ timeoutMs: 60_000, hangDeadline: { factor: 10, floorMs: 5_000, afterSuccesses: 3 } });
    expect(ResultsDocument.safeParse(JSON.parse(JSON.stringify(doc))).success).toBe(true);
  });

  it('with --hang-factor 0, every attempt waits out --timeout, and the document says so', async () => {
    const calls: { timeoutMs: number; hung: boolean }[] = [];
    const deps = { ...fakeDeps(['a']), suites: [hangingSuite(10, calls)] };
    const doc = await runPipeline({ ...smallOptions, suites: ['probe'], runs: 6, warmup: 1, blocks: 1, timeoutMs: 60_000, hangFactor: 0 }, deps);
    expect(new Set(calls.map((c) => c.timeoutMs))).toEqual(new Set([60_000]));
    expect(doc.parameters.hangDeadline?.factor).toBe(0);
  });

  it('a slow operation gets factor × its median', async () => {
    const calls: { timeoutMs: number; hung: boolean }[] = [];
    const deps = { ...fakeDeps(['a']), suites: [hangingSuite(1_500, calls)] };
    await runPipeline({ ...smallOptions, suites: ['probe'], runs: 6, warmup: 1, blocks: 1, timeoutMs: 60_000 }, deps);
    expect(calls.at(-1)?.timeoutMs).toBe(15_000);
  });
});

it('a document from before the hang deadline still reads, without one', () => {
  const doc = readResults(join(packageRoot, 'docs', 'sample', 'results-oci.json'));
  expect(doc.parameters.hangDeadline).toBeUndefined();
  expect(doc.parameters.timeoutMs).toBeUndefined();
});
