import { describe, expect, it } from 'vitest';
import { Interrupted } from '../../core/errors.ts';
import { runPipeline } from '../../core/pipeline.ts';
import { KNOWN_RUNTIMES } from '../../core/runtimes.ts';
import { ResultsDocument } from '../../core/schema.ts';
import { fakeDeps, smallOptions } from '../helpers/pipeline.ts';
import { useScratchDir } from '../helpers/tmp.ts';

useScratchDir();

describe('pipeline with the fake runner', () => {
  it('produces a valid document with every metric for every runtime, labelled', async () => {
    const deps = fakeDeps(['alpha', 'beta'], { runMs: { alpha: 5, beta: 10 }, wasm: ['beta'] });
    const doc = await runPipeline(smallOptions, deps);
    expect(ResultsDocument.safeParse(doc).success).toBe(true);
    const metrics = new Set(doc.measurements.map((m) => `${m.labels.runtime}/${m.labels.workloadKind}/${m.metric}`));
    for (const rt of ['alpha/native', 'beta/native', 'beta/wasm']) {
      for (const metric of [
        'run',
        'lifecycle',
        'create',
        'start',
        'exit',
        'delete',
        'runtimePeakRssBytes',
        'cgroupPeakBytes',
        'cpuIntOpsPerSec',
        'churnContainersPerSec',
      ]) {
        expect(metrics, `${rt}/${metric}`).toContain(`${rt}/${metric}`);
      }
    }
    expect(metrics).not.toContain('alpha/wasm/run');
    const run = doc.measurements.find((m) => m.metric === 'run' && m.labels.runtime === 'alpha');
    expect(run?.samples).toHaveLength(5);
    expect(run?.labels).toMatchObject({ layer: 'oci', arch: 'amd64', host: 'test-host', emulated: false, workload: 'hello' });
    expect(doc.measurements.some((m) => m.labels.runtime === 'host' && m.metric === 'cpuIntOpsPerSec')).toBe(true);
    expect(doc.facts.find((f) => f.name === 'memoryLimitEnforced' && f.labels.runtime === 'alpha')?.value).toBe(true);
    const alphaStartup = doc.suiteRuns.find((r) => r.runtime === 'alpha' && r.suite === 'startup');
    expect(alphaStartup?.outcome).toEqual({ status: 'passed', reason: 'skipped wasm: alpha has no Wasm handler' });
    expect(deps.runner.sessions.every((s) => !s.opened)).toBe(true);
  });

  it('records a crashing or hanging runtime as errored and still measures the others', async () => {
    const deps = fakeDeps(['good', 'crashy', 'hangs'], { crash: ['crashy'], hang: ['hangs'] });
    const errors: string[] = [];
    deps.events.on('runtime:error', (e) => errors.push(`${e.runtime}: ${e.message}`));
    const doc = await runPipeline(smallOptions, deps);
    const by = (rt: string) => doc.suiteRuns.filter((r) => r.runtime === rt).map((r) => r.outcome.status);
    expect(by('good')).toEqual(['passed', 'passed', 'passed']);
    expect(by('crashy')).toEqual(['errored', 'errored', 'errored']);
    expect(by('hangs')).toEqual(['errored', 'errored', 'errored']);
    expect(doc.suiteRuns.find((r) => r.runtime === 'crashy')?.outcome.reason).toContain('segmentation fault');
    expect(doc.suiteRuns.find((r) => r.runtime === 'hangs')?.outcome.reason).toContain('hung and was killed');
    expect(doc.measurements.some((m) => m.labels.runtime === 'good')).toBe(true);
    expect(doc.measurements.some((m) => m.labels.runtime === 'crashy')).toBe(false);
    expect(errors.length).toBeGreaterThanOrEqual(6);
    expect(deps.runner.sessions.every((s) => !s.opened)).toBe(true);
  });

  it('skips missing runtimes with the reason and errors broken ones', async () => {
    const deps = fakeDeps(['ok']);
    deps.runtimes.push({ ...deps.runtimes[0]!, name: 'gone', status: 'missing', path: null, reason: 'gone not found on PATH' });
    deps.runtimes.push({ ...deps.runtimes[0]!, name: 'bad', status: 'broken', reason: 'hello exited 1: cgroups in hybrid mode not supported' });
    const doc = await runPipeline(smallOptions, deps);
    const gone = doc.suiteRuns.find((r) => r.runtime === 'gone');
    expect(gone?.outcome.status).toBe('skipped');
    expect(gone?.outcome.reason).toContain('not found on PATH');
    expect(doc.suiteRuns.find((r) => r.runtime === 'bad')?.outcome).toMatchObject({ status: 'errored' });
  });

  it('stops on interrupt, closes every session and returns no document', async () => {
    const controller = new AbortController();
    let ops = 0;
    const deps = fakeDeps(['a', 'b'], { onOperation: () => (++ops === 7 ? controller.abort('SIGINT') : undefined) }, controller.signal);
    let ended: boolean | null = null;
    deps.events.on('run:end', (e) => (ended = e.interrupted));
    await expect(runPipeline(smallOptions, deps)).rejects.toBeInstanceOf(Interrupted);
    expect(ended).toBe(true);
    expect(deps.runner.sessions.length).toBeGreaterThan(0);
    expect(deps.runner.sessions.every((s) => !s.opened)).toBe(true);
    // the run's scratch directory is gone
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(process.env.RUNBENCH_SCRATCH_DIR as string)).toEqual([]);
  });

  it('runs only the suites asked for', async () => {
    const doc = await runPipeline({ ...smallOptions, suites: ['memory'] }, fakeDeps(['a']));
    expect(new Set(doc.measurements.map((m) => m.suite))).toEqual(new Set(['memory']));
    expect(doc.parameters.suites).toEqual(['memory']);
  });

  it('labels a foreign arch emulated and measures Wasm under the host arch only', async () => {
    const doc = await runPipeline({ ...smallOptions, suites: ['startup'], archs: ['amd64', 'arm64'] }, fakeDeps(['w'], { wasm: ['w'] }));
    const arm = doc.measurements.filter((m) => m.labels.arch === 'arm64');
    const amd = doc.measurements.filter((m) => m.labels.arch === 'amd64');
    expect(arm.length).toBeGreaterThan(0);
    expect(arm.every((m) => m.labels.emulated && m.labels.workloadKind === 'native')).toBe(true);
    expect(amd.every((m) => !m.labels.emulated)).toBe(true);
    expect(amd.some((m) => m.labels.workloadKind === 'wasm')).toBe(true);
    expect(doc.parameters.archs).toEqual(['amd64', 'arm64']);
    expect(doc.suiteRuns.find((r) => r.arch === 'arm64')?.outcome.reason).toContain('measured under the host arch only');
  });

  it("measures an in-image runtime's Wasm under a foreign arch too: the Wasm runtime in the image is built per arch", async () => {
    const deps = fakeDeps(['plain', 'carried'], { wasm: ['plain', 'carried'] });
    const via = KNOWN_RUNTIMES.find((r) => r.name === 'runc/wasmtime-in-image')!.wasmVia!;
    deps.runtimes[1] = { ...deps.runtimes[1]!, wasmOnly: true, wasmVia: via };
    const doc = await runPipeline({ ...smallOptions, suites: ['startup'], archs: ['amd64', 'arm64'] }, deps);
    const carried = doc.measurements.filter((m) => m.labels.runtime === 'carried' && m.labels.arch === 'arm64');
    expect(carried.length).toBeGreaterThan(0);
    expect(carried.every((m) => m.labels.emulated)).toBe(true);
    expect(carried.some((m) => m.labels.workloadKind === 'wasm')).toBe(true);
    expect(doc.measurements.some((m) => m.labels.runtime === 'plain' && m.labels.arch === 'arm64' && m.labels.workloadKind === 'wasm')).toBe(false);
    const run = (rt: string) => doc.suiteRuns.find((r) => r.runtime === rt && r.arch === 'arm64')?.outcome.reason ?? '';
    expect(run('plain')).toContain('measured under the host arch only');
    expect(run('carried')).not.toContain('measured under the host arch only');
  });

  it('still measures the lifecycle when the one-shot run fails, and says what failed', async () => {
    const doc = await runPipeline({ ...smallOptions, suites: ['startup', 'throughput'] }, fakeDeps(['flaky'], { failRun: ['flaky'] }));
    const metrics = doc.measurements.filter((m) => m.labels.runtime === 'flaky').map((m) => m.metric);
    expect(metrics).toContain('lifecycle');
    expect(metrics).toContain('churnContainersPerSec');
    expect(metrics).toContain('create');
    expect(metrics).not.toContain('run');
    expect(metrics).not.toContain('cpuIntOpsPerSec');
    const startup = doc.suiteRuns.find((r) => r.suite === 'startup');
    // a series that never succeeds stops at its third failure (core/reliability.ts)
    expect(startup?.outcome).toEqual({
      status: 'errored',
      reason: "run (native): stopped: its first 3 attempts failed, 3 hung: flaky run failed: 'run' hung and was killed",
    });
    expect(doc.suiteRuns.find((r) => r.suite === 'throughput')?.outcome.reason).toMatch(/^cpu \(native\): stopped: its first 3 attempts failed, 3 hung: flaky run failed/);
  });
});
