/**
 * The wasmer CLI in an image for real (the wasmer tier): crun runs an ordinary container whose
 * image carries wasmer, which compiles the module with cranelift as it loads it
 * (crun/wasmer-in-image) or runs the module `wasmer compile` compiled before the run
 * (crun/wasmer-aot-in-image). Both compile with the same cranelift, so the compiled code runs
 * at the same rate; the container's environment reaches the module.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { sweepCgroups } from '../../core/cgroups.ts';
import { EventBus } from '../../core/events.ts';
import { hostFacts } from '../../core/host.ts';
import { inImageModule, inImageRootfs } from '../../core/in-image.ts';
import type { RuntimeInfo } from '../../core/schema.ts';
import { Scope } from '../../core/scope.ts';
import { OciSession } from '../../runners/oci/index.ts';
import { leftovers, nothingLeft } from '../helpers/leaks.ts';
import { realRuntime } from '../helpers/real.ts';
import { needs } from '../helpers/require.ts';
import { lazyTempDir } from '../helpers/tmp.ts';

const dir = lazyTempDir('runbench-wasmer-in-image-');
const jit = await realRuntime('crun/wasmer-in-image');
const aot = await realRuntime('crun/wasmer-aot-in-image');

/** Runs `fn` in an OCI session of `rt`, then checks that nothing of it is left. */
async function inSession<T>(rt: RuntimeInfo, fn: (s: OciSession) => Promise<T>): Promise<T> {
  const host = hostFacts();
  const scope = new Scope('test');
  const runId = `20000103${Math.floor(Math.random() * 0xffffff)
    .toString(16)
    .padStart(6, '0')}`;
  const session = new OciSession(rt, { runId, host, arch: host.arch, scope, events: new EventBus(), workDir: join(dir(), runId) });
  try {
    return await fn(session);
  } finally {
    await scope.close();
    await sweepCgroups(`runbench-${runId}`);
    expect(leftovers(runId)).toEqual(nothingLeft);
  }
}

async function cpuRate(rt: RuntimeInfo): Promise<number> {
  return inSession(rt, async (s) => {
    const run = await s.runOnce({ workload: { name: 'cpu', kind: 'wasm', args: ['1', '2000000'] }, timeoutMs: 120_000 });
    expect(run.exitCode, `${rt.name}: ${run.stderr}`).toBe(0);
    const line = run.stdout.split('\n').find((l) => l.includes('"workload":"cpu"')) ?? '{}';
    return (JSON.parse(line) as { intOpsPerSec: number }).intOpsPerSec;
  });
}

for (const a of [jit, aot]) {
  const name = a === jit ? 'crun/wasmer-in-image' : 'crun/wasmer-aot-in-image';
  needs(name, a.skip).describe(`${name} at the OCI layer`, () => {
    it("runs hello and mem with the image's wasmer, passes the container's environment on, leaves nothing", async () => {
      const rt = a.runtime!;
      expect(rt.engine).toMatchObject({ name: 'wasmer', mode: a === jit ? 'jit' : 'aot' });
      await inSession(rt, async (s) => {
        expect(s.supports('wasm')).toBeNull();
        expect(s.supports('native')?.reason).toMatch(/measured as crun itself/);
        const hello = await s.runOnce({ workload: { name: 'hello', kind: 'wasm', args: [] }, timeoutMs: 60_000 });
        expect(hello.exitCode, hello.stderr).toBe(0);
        expect(hello.stdout).toContain('runbench-hello-ok');
        const life = await s.lifecycle({ workload: { name: 'mem', kind: 'wasm', args: ['16'] }, timeoutMs: 60_000 });
        expect(life.exitCode, life.stderr).toBe(0);
        expect(life.stdout).toContain('"workload":"mem"');
        // wasmer itself plus the 16 MiB the module touched, all inside the container's cgroup
        expect(life.cgroupPeakBytes).toBeGreaterThan(16 * 1024 * 1024);
        const probe = await s.runOnce({ workload: { name: 'probe', kind: 'wasm', args: [] }, timeoutMs: 60_000 });
        expect(probe.exitCode, probe.stderr).toBe(0);
        const seen = JSON.parse(probe.stdout.trim().split('\n').pop() ?? '{}') as { env?: Record<string, string> };
        expect(seen.env?.HOME).toBe('/root');
      });
    }, 180_000);
  });
}

needs(['crun/wasmer-in-image', 'crun/wasmer-aot-in-image'], jit.skip ?? aot.skip).describe('wasmer JIT against AOT', () => {
  it("runs wasmer's own precompiled artifacts, whose cranelift code runs at the JIT's rate", async () => {
    const via = aot.runtime!.wasmVia!;
    const module = join(inImageRootfs(via, hostFacts().arch), inImageModule(via, 'cpu'));
    // a wasmer artifact, not a Wasm module: `wasmer run` tells them apart by this header
    expect(readFileSync(module).subarray(0, 16).toString('latin1')).toBe('wasmer-universal');
    const j = await cpuRate(jit.runtime!);
    const c = await cpuRate(aot.runtime!);
    // the same compiler, the same code: only noise tells the two rates apart
    expect(c / j).toBeGreaterThan(0.5);
    expect(c / j).toBeLessThan(2);
  }, 300_000);
});
