/**
 * The arm64 wasmtime-in-image image under qemu-user: runc and crun run hello.wasm with the
 * image's own aarch64 wasmtime at the OCI layer, and containerd imports the arm64 platform of
 * the multi-arch image and runs it. The container's rootfs alone must carry wasmtime's loader
 * and libraries: nothing of the host's is visible inside.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { sweepCgroups } from '../../core/cgroups.ts';
import { EventBus } from '../../core/events.ts';
import { emulatedArchs, hostFacts } from '../../core/host.ts';
import { inImageRootfsMissing } from '../../core/in-image.ts';
import { KNOWN_RUNTIMES, findBinary } from '../../core/runtimes.ts';
import { Scope } from '../../core/scope.ts';
import { ContainerdSession } from '../../runners/containerd/index.ts';
import { OciSession } from '../../runners/oci/index.ts';
import { leftovers, nothingLeft } from '../helpers/leaks.ts';
import { realRuntime } from '../helpers/real.ts';
import { needs } from '../helpers/require.ts';
import { lazyTempDir } from '../helpers/tmp.ts';

const ARCH = 'arm64';
const host = hostFacts();
const via = KNOWN_RUNTIMES.find((r) => r.name === 'runc/wasmtime-in-image')!.wasmVia!;
const runc = await realRuntime('runc/wasmtime-in-image');
const crun = await realRuntime('crun/wasmtime-in-image');
const foreign =
  host.arch === ARCH
    ? null
    : !emulatedArchs().includes(ARCH)
      ? 'arm64 emulation is not registered with binfmt_misc (scripts/setup.sh registers qemu-aarch64)'
      : null;
const noRootfs = inImageRootfsMissing(via, ARCH);
const why = (rt: typeof runc) => rt.skip ?? foreign ?? (noRootfs ? `the arm64 in-image rootfs is not built: ${noRootfs}` : null);
const noContainerd = !findBinary('containerd') || !findBinary('ctr') ? 'containerd/ctr not installed' : null;
const newRunId = () =>
  `20000101${Math.floor(Math.random() * 0xffffff)
    .toString(16)
    .padStart(6, '0')}`;

const dir = lazyTempDir('runbench-in-image-arm64-');

for (const [name, a] of [
  ['runc', runc],
  ['crun', crun],
] as const) {
  const skip = why(a);
  needs([`${name}/wasmtime-in-image`, 'arm64'], skip).describe(`${name}/wasmtime-in-image as arm64 at the OCI layer`, () => {
    it("runs hello.wasm and mem.wasm with the image's aarch64 wasmtime and leaves nothing", async () => {
      const scope = new Scope('test');
      const runId = newRunId();
      const session = new OciSession(a.runtime!, { runId, host, arch: ARCH, scope, events: new EventBus(), workDir: join(dir(), runId) });
      try {
        expect(session.supports('wasm')).toBeNull();
        const run = await session.runOnce({ workload: { name: 'hello', kind: 'wasm', args: [] }, timeoutMs: 120_000 });
        expect(run.stderr).toBe('');
        expect(run.exitCode).toBe(0);
        expect(run.stdout).toContain('runbench-hello-ok');
        const life = await session.lifecycle({ workload: { name: 'mem', kind: 'wasm', args: ['16'] }, timeoutMs: 120_000 });
        expect(life.exitCode).toBe(0);
        expect(life.stdout).toContain('"workload":"mem"');
        expect(life.cgroupPeakBytes).toBeGreaterThan(16 * 1024 * 1024);
      } finally {
        await scope.close();
        await sweepCgroups(`runbench-${runId}`);
      }
      expect(leftovers(runId)).toEqual(nothingLeft);
    });
  });
}

const skipCtrd = why(runc) ?? noContainerd;
needs(['runc/wasmtime-in-image', 'arm64', 'containerd'], skipCtrd).describe('runc/wasmtime-in-image as arm64 through containerd', () => {
  it('imports the arm64 platform of the multi-arch image and runs hello.wasm from it', async () => {
    const scope = new Scope('test');
    const runId = newRunId();
    const workDir = join('/run/runbench', runId);
    const session = new ContainerdSession(runc.runtime!, { runId, host, arch: ARCH, scope, events: new EventBus(), workDir }, {});
    try {
      await session.open();
      expect(session.supports('wasm')).toBeNull();
      const run = await session.runOnce({ workload: { name: 'hello', kind: 'wasm', args: [] }, timeoutMs: 120_000 });
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toContain('runbench-hello-ok');
    } finally {
      await scope.close();
      await sweepCgroups(`runbench-${runId}`);
      rmSync(workDir, { recursive: true, force: true });
    }
    expect(leftovers(runId)).toEqual(nothingLeft);
  });
});
