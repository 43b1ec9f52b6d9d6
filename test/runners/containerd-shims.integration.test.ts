/**
 * runwasi's shims through the containerd runner, against the real containerd: the wasmtime
 * and the wasmer shim are the same library with another engine, so each must run the same
 * Wasm workloads the same way (output, argv, environment, exit code, phases) and leave
 * nothing behind.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { cgroupDirs, sweepCgroups } from '../../core/cgroups.ts';
import { EventBus } from '../../core/events.ts';
import { hostFacts } from '../../core/host.ts';
import { findBinary } from '../../core/runtimes.ts';
import { Scope } from '../../core/scope.ts';
import { images } from '../../runners/containerd/images.ts';
import { ContainerdSession } from '../../runners/containerd/index.ts';
import { runwasiStateDir } from '../../runners/containerd/shim.ts';
import { leftovers, nothingLeft } from '../helpers/leaks.ts';
import { realRuntime, type Availability } from '../helpers/real.ts';
import { needs } from '../helpers/require.ts';
import { deadShimSocketsSince, shimSockets } from '../helpers/shim-sockets.ts';

const host = hostFacts();
const containerdWhy =
  (!findBinary('containerd') || !findBinary('ctr') ? 'containerd/ctr not installed' : null) ??
  (!existsSync(images(host.arch).wasm.archive) ? 'images not built (scripts/build-images.sh)' : null);

const newRunId = () =>
  `20000101${Math.floor(Math.random() * 0xffffff)
    .toString(16)
    .padStart(6, '0')}`;

const shims: { name: string; engine: string; shim: Availability }[] = [
  { name: 'wasmtime-shim', engine: 'wasmtime', shim: await realRuntime('wasmtime-shim') },
  { name: 'wasmer-shim', engine: 'wasmer', shim: await realRuntime('wasmer-shim') },
];

for (const { name, engine, shim } of shims) {
  needs(['containerd', name], shim.skip ?? containerdWhy).describe(`${name} through containerd`, () => {
    it(`runs the Wasm workloads with ${engine}: output, argv, environment, exit code, phases and memory, then removes everything`, async () => {
      const rt = shim.runtime!;
      expect(rt.engine?.name).toBe(engine);
      const scope = new Scope('test');
      const runId = newRunId();
      const workDir = join('/run/runbench', runId);
      const socketsBefore = shimSockets();
      const session = new ContainerdSession(rt, { runId, host, arch: host.arch, scope, events: new EventBus(), workDir }, {});
      let daemonPid: number | null = null;
      const stateDir = runwasiStateDir(rt, session.namespace);
      expect(stateDir).toBe(`/run/containerd/${engine}/${session.namespace}`);
      try {
        await session.open();
        daemonPid = session.daemonInfo?.pid ?? null;
        expect(session.supports('wasm')).toBeNull();
        expect(session.supports('native')?.reason).toBeTruthy();
        const hello = await session.runOnce({ workload: { name: 'hello', kind: 'wasm', args: [] }, timeoutMs: 60_000 });
        expect(hello.exitCode, hello.stdout).toBe(0);
        expect(hello.stdout).toContain('runbench-hello-ok');
        // the module's own exit code through proc_exit, its arguments and the image's environment
        const probe = await session.runOnce({
          workload: { name: 'probe', kind: 'wasm', args: ['--check-path', '/probe.wasm', '--exit', '7'] },
          timeoutMs: 60_000,
        });
        expect(probe.exitCode, probe.stdout).toBe(7);
        const seen = JSON.parse(probe.stdout.trim().split('\n').at(-1) ?? '{}') as {
          target: string;
          argv: string[];
          env: Record<string, string>;
          paths: { path: string; exists: boolean }[];
          exitRequested: number | null;
        };
        expect(seen.target).toBe('wasi/wasm32');
        expect(seen.argv.slice(1)).toEqual(['--check-path', '/probe.wasm', '--exit', '7']);
        expect(seen.argv[0]).toMatch(/probe\.wasm$/);
        expect(Object.keys(seen.env)).toContain('PATH');
        // / is preopened: the module sees the image's files
        expect(seen.paths).toContainEqual(expect.objectContaining({ path: '/probe.wasm', exists: true }));
        expect(seen.exitRequested).toBe(7);
        const life = await session.lifecycle({ workload: { name: 'mem', kind: 'wasm', args: ['16'] }, timeoutMs: 60_000 });
        expect(life.exitCode).toBe(0);
        expect(Object.keys(life.phasesNs)).toEqual([...session.lifecyclePhases]);
        for (const v of Object.values(life.phasesNs)) expect(v).toBeGreaterThan(0);
        expect(life.cgroupPeakBytes).toBeGreaterThan(16 * 1024 * 1024);
        expect(life.layerMemoryBytes?.shimPeakRssBytes).toBeGreaterThan(1024 * 1024);
        const churn = await session.churn({ workload: { name: 'hello', kind: 'wasm', args: [] }, timeoutMs: 60_000 }, 4, 2);
        expect(churn).toMatchObject({ completed: 4, failed: 0 });
        // runwasi's library keeps the namespace's state directory after its containers are gone
        expect(existsSync(stateDir!)).toBe(true);
      } finally {
        await scope.close();
      }
      expect(cgroupDirs(`runbench-${runId}/containerd-${name}`)).toEqual([]);
      await sweepCgroups(`runbench-${runId}`);
      expect(daemonPid !== null && existsSync(`/proc/${daemonPid}`)).toBe(false);
      // the work directory is the caller's (the pipeline removes it); nothing else is left
      rmSync(workDir, { recursive: true, force: true });
      expect(leftovers(runId)).toEqual(nothingLeft);
      expect(deadShimSocketsSince(socketsBefore)).toEqual([]);
      expect(existsSync(stateDir!)).toBe(false);
    }, 300_000);
  });
}
