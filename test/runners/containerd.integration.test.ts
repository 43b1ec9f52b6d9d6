/** The containerd runner against the real containerd and runc: figures, failures, and nothing left behind. */
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cgroupDirs, sweepCgroups } from '../../core/cgroups.ts';
import { EventBus } from '../../core/events.ts';
import { hostFacts } from '../../core/host.ts';
import { runPipeline } from '../../core/pipeline.ts';
import { findBinary } from '../../core/runtimes.ts';
import type { RuntimeInfo } from '../../core/schema.ts';
import { Scope } from '../../core/scope.ts';
import { ContainerdClient } from '../../runners/containerd/api.ts';
import { processesMatching, startContainerd } from '../../runners/containerd/daemon.ts';
import { images } from '../../runners/containerd/images.ts';
import { ContainerdSession, createContainerdRunner } from '../../runners/containerd/index.ts';
import { SUITES } from '../../suites/index.ts';
import { leftovers, nothingLeft } from '../helpers/leaks.ts';
import { realRuntime, type Availability } from '../helpers/real.ts';
import { needs } from '../helpers/require.ts';
import { deadShimSocketsSince, shimSockets } from '../helpers/shim-sockets.ts';

const runc: Availability = await realRuntime('runc');
const host = hostFacts();
const why =
  runc.skip ??
  (!findBinary('containerd') || !findBinary('ctr') ? 'containerd/ctr not installed' : null) ??
  (!existsSync(images(host.arch).native.archive) ? 'images not built (scripts/build-images.sh)' : null);

const newRunId = () =>
  `20000101${Math.floor(Math.random() * 0xffffff)
    .toString(16)
    .padStart(6, '0')}`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'runbench-ctrd-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

needs(['runc', 'containerd'], why).describe('runc through containerd', () => {
  it('runs hello, times each phase, reads the shim, cgroup and containerd figures, then removes everything', async () => {
    const scope = new Scope('test');
    const runId = newRunId();
    const workDir = join('/run/runbench', runId);
    const socketsBefore = shimSockets();
    const session = new ContainerdSession(runc.runtime!, { runId, host, arch: host.arch, scope, events: new EventBus(), workDir }, {});
    let daemonPid: number | null = null;
    try {
      await session.open();
      daemonPid = session.daemonInfo?.pid ?? null;
      expect(daemonPid).toBeGreaterThan(0);
      expect(session.supports('native')).toBeNull();
      expect(session.supports('wasm')?.reason).toContain('no Wasm handler');
      const run = await session.runOnce({ workload: { name: 'hello', kind: 'native', args: [] }, timeoutMs: 30_000 });
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toContain('runbench-hello-ok');
      expect(Object.keys(run.phasesNs)).toEqual(['run']);
      const life = await session.lifecycle({ workload: { name: 'mem', kind: 'native', args: ['16'] }, timeoutMs: 30_000 });
      expect(life.exitCode).toBe(0);
      expect(Object.keys(life.phasesNs)).toEqual([...session.lifecyclePhases]);
      const sum = Object.values(life.phasesNs).reduce((x, y) => x + y, 0);
      expect(sum).toBe(life.totalNs);
      for (const v of Object.values(life.phasesNs)) expect(v).toBeGreaterThan(0);
      expect(life.cgroupPeakBytes).toBeGreaterThan(16 * 1024 * 1024);
      expect(life.layerMemoryBytes?.shimPeakRssBytes).toBeGreaterThan(1024 * 1024);
      expect(life.layerMemoryBytes?.containerdRssBytes).toBeGreaterThan(1024 * 1024);
      expect(life.layerMemoryBytes).toHaveProperty('containerdRssGrowthBytes');
      const limited = await session.lifecycle({ workload: { name: 'mem', kind: 'native', args: ['64'] }, memoryLimitBytes: 16 << 20, timeoutMs: 30_000 });
      expect(limited.signal).toBe(9);
      expect(limited.oomKilled).toBe(true);
      const churn = await session.churn({ workload: { name: 'hello', kind: 'native', args: [] }, timeoutMs: 30_000 }, 4, 2);
      expect(churn).toMatchObject({ completed: 4, failed: 0 });
    } finally {
      await scope.close();
    }
    // the session removed its containers' cgroups itself; only the run's empty parent is left
    expect(cgroupDirs(`runbench-${runId}/containerd-runc`)).toEqual([]);
    await sweepCgroups(`runbench-${runId}`);
    expect(daemonPid !== null && existsSync(`/proc/${daemonPid}`)).toBe(false);
    expect(existsSync(join(workDir, 'containerd', 'runc'))).toBe(false);
    rmSync(workDir, { recursive: true, force: true });
    expect(leftovers(runId)).toEqual(nothingLeft);
    // another run's live shim is not this run's leftover
    expect(deadShimSocketsSince(socketsBefore)).toEqual([]);
  });

  it('in an existing containerd, leaves no container, task, snapshot, lease, image or namespace of its own', async () => {
    const ext = join('/run/runbench', `ext-${newRunId()}`);
    const daemon = await startContainerd({ dir: ext, binary: findBinary('containerd')!, searchPath: [], readyTimeoutMs: 30_000 });
    try {
      const scope = new Scope('test');
      const runId = newRunId();
      const runner = createContainerdRunner({ address: daemon.address });
      const session = (await runner.open(runc.runtime!, {
        runId,
        host,
        arch: host.arch,
        scope,
        events: new EventBus(),
        workDir: join(dir, runId),
      })) as ContainerdSession;
      const ns = session.namespace;
      const admin = new ContainerdClient(daemon.address, ns);
      try {
        expect(await admin.listNamespaces()).toContain(ns);
        expect((await session.runOnce({ workload: { name: 'hello', kind: 'native', args: [] }, timeoutMs: 30_000 })).stdout).toContain('runbench-hello-ok');
        expect((await admin.listImages()).length).toBeGreaterThan(0);
      } finally {
        await scope.close();
      }
      expect(await admin.listNamespaces()).not.toContain(ns);
      // a namespace that is gone holds nothing: asked again it is empty, not half-removed
      expect(await admin.listContainers()).toEqual([]);
      expect(await admin.listTasks()).toEqual([]);
      expect(await admin.listLeases()).toEqual([]);
      expect((await admin.listSnapshots('overlayfs')).length).toBe(0);
      expect(processesMatching('-address', daemon.address)).toEqual([]);
      admin.close();
      await sweepCgroups(`runbench-${runId}`);
    } finally {
      await daemon.stop();
    }
    expect(existsSync(ext)).toBe(false);
  });

  it('records a runtime that fails at task create as errored, measures runc, and leaves nothing', async () => {
    const real: RuntimeInfo = runc.runtime!;
    const path = join(dir, 'runc-fails');
    writeFileSync(path, `#!/bin/sh\ncase " $* " in *" create "*) echo "refusing to create" >&2; exit 1;; esac\nexec ${real.path} "$@"\n`);
    chmodSync(path, 0o755);
    const broken: RuntimeInfo = { ...real, name: 'runc-fails', path };
    const doc = await runPipeline(
      { suites: ['startup', 'memory'], layers: ['containerd'], runs: 2, warmup: 0, concurrency: 2, churnContainers: 2, timeoutMs: 30_000 },
      {
        runners: { containerd: createContainerdRunner() },
        suites: SUITES,
        runtimes: [broken, real],
        host,
        events: new EventBus(),
        signal: new AbortController().signal,
        calibrate: async () => null,
      },
    );
    const outcome = (rt: string, suite: string) => doc.suiteRuns.find((r) => r.runtime === rt && r.suite === suite)?.outcome;
    expect(outcome('runc-fails', 'startup')).toMatchObject({ status: 'errored' });
    expect(outcome('runc-fails', 'startup')?.reason).toContain('task create failed');
    expect(outcome('runc', 'startup')).toMatchObject({ status: 'passed' });
    expect(outcome('runc', 'memory')).toMatchObject({ status: 'passed' });
    const metrics = new Set(doc.measurements.filter((m) => m.labels.runtime === 'runc').map((m) => m.metric));
    for (const m of ['run', 'containerCreate', 'taskCreate', 'taskStart', 'exit', 'cleanup', 'shimPeakRssBytes', 'containerdRssBytes', 'cgroupPeakBytes']) {
      expect(metrics).toContain(m);
    }
    expect(doc.measurements.every((m) => m.labels.layer === 'containerd' && m.labels.workloadKind === 'native')).toBe(true);
    expect(leftovers(doc.runId)).toEqual(nothingLeft);
  });
});
