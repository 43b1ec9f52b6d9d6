/** hello as a Wasm module through runc/wasmtime-in-image: an ordinary runc container whose image carries wasmtime. */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { sweepCgroups } from '../../core/cgroups.ts';
import { EventBus } from '../../core/events.ts';
import { hostFacts } from '../../core/host.ts';
import { Scope } from '../../core/scope.ts';
import { OciSession } from '../../runners/oci/index.ts';
import { leftovers, nothingLeft } from '../helpers/leaks.ts';
import { realRuntime } from '../helpers/real.ts';
import { needs } from '../helpers/require.ts';
import { lazyTempDir } from '../helpers/tmp.ts';

// missing wasmtime or in-image rootfs, not root, or fixtures unbuilt: the probe says which
const a = await realRuntime('runc/wasmtime-in-image');
const dir = lazyTempDir('runbench-in-image-');

needs('runc/wasmtime-in-image', a.skip).describe('runc/wasmtime-in-image at the OCI layer', () => {
  it("runs hello.wasm with the image's wasmtime, times its lifecycle, reads the cgroup peak, leaves nothing", async () => {
    const host = hostFacts();
    const scope = new Scope('test');
    const runId = `20000101${Math.floor(Math.random() * 0xffffff)
      .toString(16)
      .padStart(6, '0')}`;
    const session = new OciSession(a.runtime!, { runId, host, arch: host.arch, scope, events: new EventBus(), workDir: join(dir(), runId) });
    try {
      expect(session.supports('wasm')).toBeNull();
      expect(session.supports('native')?.reason).toMatch(/measured as runc itself/);
      const run = await session.runOnce({ workload: { name: 'hello', kind: 'wasm', args: [] }, timeoutMs: 60_000 });
      expect(run.stderr).toBe('');
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toContain('runbench-hello-ok');
      const life = await session.lifecycle({ workload: { name: 'mem', kind: 'wasm', args: ['16'] }, timeoutMs: 60_000 });
      expect(life.exitCode).toBe(0);
      expect(life.stdout).toContain('"workload":"mem"');
      expect(Object.keys(life.phasesNs)).toEqual(['create', 'start', 'exit', 'delete']);
      // wasmtime itself plus the 16 MiB the module touched, all inside the container's cgroup
      expect(life.cgroupPeakBytes).toBeGreaterThan(16 * 1024 * 1024);
    } finally {
      await scope.close();
      await sweepCgroups(`runbench-${runId}`);
    }
    expect(leftovers(runId)).toEqual(nothingLeft);
  });
});
