/**
 * Failed and hung attempts through the whole pipeline, with a fake runner that fails or hangs
 * k of every n operations: they are counted per series and runtime configuration with the
 * runtime's error, the samples that succeeded are kept, and only a series that fails too often
 * is errored, taking its measurements with it.
 */
import { describe, expect, it } from 'vitest';
import { RuntimeFailure } from '../../core/errors.ts';
import { runPipeline } from '../../core/pipeline.ts';
import { clopperPearson } from '../../core/proportion.ts';
import { failureBudget, minimumGood, SeriesTally, trimError } from '../../core/reliability.ts';
import { ResultsDocument } from '../../core/schema.ts';
import type { Suite } from '../../core/suite.ts';
import { fakeDeps, smallOptions } from '../helpers/pipeline.ts';
import { useScratchDir } from '../helpers/tmp.ts';

useScratchDir();

const series = (doc: ResultsDocument, runtime: string, suite: string, name: string, workload = 'hello') =>
  doc.reliability?.series.find((s) => s.labels.runtime === runtime && s.suite === suite && s.series === name && s.labels.workload === workload);

describe('the rule a series is held to', () => {
  const labels = { runtime: 'r', layer: 'oci' as const, workload: 'hello', workloadKind: 'native' as const, arch: 'amd64', emulated: false, host: 'h', engine: 'none', engineMode: 'none' as const };
  const failure = new RuntimeFailure('r', "r run failed: 'run' hung and was killed");

  it('may fail half as many times as it has planned samples; the next failure stops it', () => {
    expect([failureBudget(30), minimumGood(30), failureBudget(5), minimumGood(5), failureBudget(1), minimumGood(1)]).toEqual([15, 15, 2, 3, 0, 1]);
    const t = new SeriesTally({ suite: 's', series: 'run', labels }, 5);
    t.ok();
    expect(t.fail(failure)).toBeNull();
    expect(t.fail(failure)).toBeNull();
    expect(t.fail(failure)).toBe("3 of 4 attempts failed, 3 hung, more than half of its 5 planned samples: r run failed: 'run' hung and was killed");
    expect(t.summary()).toMatchObject({ attempts: 4, failures: 3, hangs: 3, succeeded: 1, outcome: { status: 'errored' } });
  });

  it('stops at its third failure before any success', () => {
    const t = new SeriesTally({ suite: 's', series: 'run', labels }, 30);
    expect(t.fail(new RuntimeFailure('r', 'r run failed: exited 1'))).toBeNull();
    expect(t.fail(new RuntimeFailure('r', 'r run failed: exited 1'))).toBeNull();
    expect(t.fail(new RuntimeFailure('r', 'r run failed: exited 1'))).toBe('its first 3 attempts failed: r run failed: exited 1');
    expect(t.summary().errors).toEqual([{ kind: 'failed', error: 'r run failed: exited 1', count: 3 }]);
  });

  it('stops at its eighth failure in a row after a success, and at once when its session is lost', () => {
    const t = new SeriesTally({ suite: 's', series: 'run', labels }, 100);
    t.ok();
    for (let i = 1; i < 7; i++) expect(t.fail(failure)).toBeNull();
    t.ok();
    for (let i = 1; i < 8; i++) expect(t.fail(failure)).toBeNull();
    expect(t.fail(failure)).toBe("8 attempts in a row failed, 14 hung: r run failed: 'run' hung and was killed");
    const lost = new SeriesTally({ suite: 's', series: 'run', labels }, 100);
    lost.ok();
    expect(lost.fail(new RuntimeFailure('r', 'r via containerd: containerd exited SIGKILL', { sessionLost: true }))).toBe(
      'the session cannot go on: r via containerd: containerd exited SIGKILL',
    );
  });

  it('counts errors alike together: one line, trimmed, container ids masked', () => {
    expect(trimError('youki run failed: rb-20261129abcdef-youki-17 exists\n  at line 2')).toBe('youki run failed: rb-<id> exists at line 2');
    expect(trimError('x'.repeat(300))).toHaveLength(200);
  });
});

describe('a runtime that fails or hangs some of its attempts', () => {
  it('keeps the samples that succeeded and counts the failures, with the rate and its exact interval', async () => {
    // youki's `run`s: the 4th of every 4 fails (operations: startup's warmup, 5 samples and check, then throughput's cpu)
    const deps = fakeDeps(['steady', 'youki'], { flaky: { youki: { of: 4, fail: 1, ops: ['run'] } } });
    const errors: string[] = [];
    deps.events.on('runtime:error', (e) => errors.push(e.message));
    const failed: string[] = [];
    deps.events.on('attempt:failed', (e) => failed.push(`${e.runtime}/${e.suite}/${e.series}/${e.workload}`));
    const doc = await runPipeline({ ...smallOptions, blocks: 1 }, deps);
    expect(ResultsDocument.safeParse(doc).success).toBe(true);
    // a measurement with a failure rate, not an error
    expect(doc.suiteRuns.every((r) => r.outcome.status === 'passed')).toBe(true);
    expect(errors).toEqual([]);
    // startup: warmup (op 0) ok, samples ops 1-5 with op 3 failing, check op 6 ok
    const run = series(doc, 'youki', 'startup', 'run');
    expect(run).toMatchObject({ planned: 5, attempts: 7, succeeded: 6, failures: 1, hangs: 0, metrics: ['run'], outcome: { status: 'measured', reason: null } });
    expect(run?.failureRate).toBeCloseTo(1 / 7, 12);
    expect(run?.failureRateCi95).toEqual(clopperPearson(1, 7));
    expect(run?.errors).toEqual([{ kind: 'failed', error: 'youki run failed: exited 1: flaky error', count: 1 }]);
    expect(doc.measurements.find((m) => m.labels.runtime === 'youki' && m.metric === 'run')?.samples).toHaveLength(4);
    // throughput's cpu runs: the trial that sizes the work (op 7) fails and is tried again (op 8),
    // the warmup is op 9, samples ops 10-14 with op 11 failing
    const cpu = series(doc, 'youki', 'throughput', 'run', 'cpu');
    expect(cpu).toMatchObject({ attempts: 8, failures: 2, metrics: ['cpuSha256MibPerSec', 'cpuIntOpsPerSec', 'cpuIntOpsRatioToHost'] });
    expect(doc.measurements.find((m) => m.labels.runtime === 'youki' && m.metric === 'cpuIntOpsPerSec')?.samples).toHaveLength(4);
    // the runtime configuration: every series pooled
    const youki = doc.reliability?.configurations.find((c) => c.labels.runtime === 'youki');
    const all = doc.reliability?.series.filter((s) => s.labels.runtime === 'youki') ?? [];
    expect(youki).toMatchObject({ failures: 3, hangs: 0, attempts: all.reduce((n, s) => n + s.attempts, 0), series: all.length });
    expect(doc.reliability?.configurations.find((c) => c.labels.runtime === 'steady')).toMatchObject({ failures: 0, failureRate: 0 });
    expect(failed).toEqual(['youki/startup/run/hello', 'youki/throughput/run/cpu', 'youki/throughput/run/cpu']);
    expect(deps.runner.sessions.every((s) => !s.opened)).toBe(true);
  });

  it('counts hangs apart, and churn counts each container that failed', async () => {
    const deps = fakeDeps(['youki'], { flaky: { youki: { of: 4, hang: 1, ops: ['churn'] } } });
    const doc = await runPipeline({ ...smallOptions, suites: ['throughput'], blocks: 1 }, deps);
    // 3 rounds of 4 containers: the 4th of each hangs
    expect(series(doc, 'youki', 'throughput', 'churn')).toMatchObject({ planned: 12, attempts: 12, failures: 3, hangs: 3, errors: [{ kind: 'hung', count: 3 }] });
    // every round still gave a rate, from the containers that completed
    expect(doc.measurements.find((m) => m.metric === 'churnContainersPerSec')?.samples).toHaveLength(3);
    expect(doc.suiteRuns[0]?.outcome.status).toBe('passed');
  });

  it('errors a series that fails more than half as often as it has planned samples, and drops its measurements', async () => {
    // every other `run` fails: the third failure is one more than 5 samples allow
    const deps = fakeDeps(['youki'], { flaky: { youki: { of: 2, fail: 1, ops: ['run'] } } });
    const doc = await runPipeline({ ...smallOptions, suites: ['startup'], blocks: 1 }, deps);
    const run = series(doc, 'youki', 'startup', 'run');
    expect(run?.outcome).toEqual({
      status: 'errored',
      reason: '3 of 6 attempts failed, more than half of its 5 planned samples: youki run failed: exited 1: flaky error',
    });
    expect(doc.measurements.some((m) => m.metric === 'run')).toBe(false);
    // the lifecycle is another series: measured in full
    expect(series(doc, 'youki', 'startup', 'lifecycle')?.outcome.status).toBe('measured');
    expect(doc.measurements.find((m) => m.metric === 'lifecycle')?.samples).toHaveLength(5);
    expect(doc.suiteRuns[0]?.outcome).toEqual({ status: 'errored', reason: `run (native): stopped: ${run?.outcome.reason}` });
  });

  it('a series errored in a later block takes the samples of the earlier blocks with it', async () => {
    // a suite of one series whose attempts all fail from the second block on
    const late: Suite = {
      name: 'startup',
      description: 'fails from block 1',
      needs: [],
      metrics: [],
      async run(ctx) {
        const workload = { name: 'hello', kind: 'native' as const, args: [] };
        const r = await ctx.sample('run', workload, async () => {
          if (ctx.block.index > 0) throw new RuntimeFailure('a', 'a run failed: exited 1');
          return { durationNs: 1e6, value: null };
        });
        ctx.record({ metric: 'run', unit: 'ns', workload, samples: r.durationsNs, series: 'run' });
      },
    };
    const deps = { ...fakeDeps(['a']), suites: [late] };
    const doc = await runPipeline({ ...smallOptions, suites: ['startup'], runs: 6, warmup: 1, blocks: 3 }, deps);
    expect(series(doc, 'a', 'startup', 'run')).toMatchObject({ succeeded: 3, failures: 4, outcome: { status: 'errored' } });
    expect(doc.measurements).toEqual([]);
    expect(doc.suiteRuns[0]?.outcome.status).toBe('errored');
  });

  it('a document without attempt counts (older runbench) is still valid', async () => {
    const doc = await runPipeline({ ...smallOptions, suites: ['memory'] }, fakeDeps(['a']));
    const { reliability: _r, ...old } = doc;
    expect(ResultsDocument.safeParse(old).success).toBe(true);
  });
});
