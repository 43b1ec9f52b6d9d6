/**
 * wasmtime-shim/aot for real: runwasi's library has the shim compile each image's Wasm layer on
 * the image's first run and keeps the native code in containerd's content store; later
 * containers run that code. Under Debian 12's containerd 1.6.20 (runbench's own daemon) and
 * Debian 13's 1.7.24 (the debian13 tier), against wasmtime-shim, which compiles on each start.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { sweepCgroups } from '../../core/cgroups.ts';
import { EventBus } from '../../core/events.ts';
import { hostFacts } from '../../core/host.ts';
import { wasmModule } from '../../core/paths.ts';
import { findBinary, readCacheEnv } from '../../core/runtimes.ts';
import type { RuntimeInfo } from '../../core/schema.ts';
import { Scope } from '../../core/scope.ts';
import { wasmLayersArchive, wasmLayersImage } from '../../core/wasm-layers.ts';
import { ContainerdClient } from '../../runners/containerd/api.ts';
import { startContainerd } from '../../runners/containerd/daemon.ts';
import { images } from '../../runners/containerd/images.ts';
import { ContainerdSession } from '../../runners/containerd/index.ts';
import { precompiledCode } from '../../runners/containerd/precompiled.ts';
import { leftovers, nothingLeft } from '../helpers/leaks.ts';
import { realRuntime } from '../helpers/real.ts';
import { needs } from '../helpers/require.ts';

const aot = await realRuntime('wasmtime-shim/aot');
const jit = await realRuntime('wasmtime-shim');
const host = hostFacts();
const why =
  aot.skip ??
  jit.skip ??
  (!findBinary('containerd') || !findBinary('ctr') ? 'containerd/ctr not installed' : null) ??
  (!existsSync(images(host.arch).wasm.archive) ? 'images not built (scripts/build-images.sh)' : null);
const containerd17 = readCacheEnv('debian13.env').DEBIAN13_CONTAINERD;

const dir = mkdtempSync(join(tmpdir(), 'runbench-shim-aot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const newRunId = () =>
  `20000103${Math.floor(Math.random() * 0xffffff)
    .toString(16)
    .padStart(6, '0')}`;
const hello = { workload: { name: 'hello', kind: 'wasm' as const, args: [] }, timeoutMs: 60_000 };

/** A session of `rt` (in the containerd at `address`, else runbench's own), handed with a client of its namespace; everything removed after. */
async function withSession(rt: RuntimeInfo, address: string | undefined, fn: (s: ContainerdSession, store: ContainerdClient) => Promise<void>): Promise<void> {
  const scope = new Scope('test');
  const runId = newRunId();
  const workDir = join('/run/runbench', runId);
  const session = new ContainerdSession(rt, { runId, host, arch: host.arch, scope, events: new EventBus(), workDir }, address ? { address } : {});
  try {
    await session.open();
    const store = new ContainerdClient(session.daemonInfo!.address, session.namespace);
    try {
      await fn(session, store);
    } finally {
      store.close();
    }
  } finally {
    await scope.close();
    await sweepCgroups(`runbench-${runId}`);
    rmSync(workDir, { recursive: true, force: true });
  }
  expect(leftovers(runId)).toEqual(nothingLeft);
}

/** Runs hello twice, cpu once and an idle container through wasmtime-shim/aot, checking the code the library kept. */
async function compiledOnceAndRun(address?: string): Promise<void> {
  await withSession(aot.runtime!, address, async (session, store) => {
    expect(session.supports('wasm')).toBeNull();
    const image = wasmLayersImage(aot.runtime!.wasmLayers!, 'hello');
    expect(await precompiledCode(store, image)).toBeNull();
    // the first start: the library compiles in the shim while the task is created
    const first = await session.runOnce(hello);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout).toContain('runbench-hello-ok');
    const code = await precompiledCode(store, image);
    expect(code?.label).toMatch(/^runwasi\.io\/precompiled\/wasmtime\/\d+$/);
    // wasmtime's native code, an ELF object, larger than the module it came from
    const bytes = await store.readContent(code!.digest);
    expect([...bytes.subarray(0, 4)]).toEqual([0x7f, 0x45, 0x4c, 0x46]);
    expect(code!.bytes).toBeGreaterThan(statSync(wasmModule('hello')).size);
    // later starts are handed that code: nothing is compiled again
    const later = await session.lifecycle(hello);
    expect(later.exitCode, later.stderr).toBe(0);
    expect(await precompiledCode(store, image)).toEqual(code);
    const cpu = await session.runOnce({ workload: { name: 'cpu', kind: 'wasm', args: ['1', '2000000'] }, timeoutMs: 120_000 });
    expect(cpu.exitCode, cpu.stderr).toBe(0);
    expect(cpu.stdout).toContain('"workload":"cpu"');
    expect(await precompiledCode(store, wasmLayersImage(aot.runtime!.wasmLayers!, 'cpu'))).not.toBeNull();
    // the density fill's idle containers too: the first one compiles the idle image
    const density = session.capabilities.density!;
    const unit = await density.startIdle({ workload: { name: 'idle', kind: 'wasm', args: [] }, timeoutMs: 60_000 });
    expect(await precompiledCode(store, wasmLayersImage(aot.runtime!.wasmLayers!, 'idle'))).not.toBeNull();
    expect((await density.remove([unit.name], Date.now() + 60_000)).leftovers).toEqual([]);
  });
}

needs(['wasmtime-shim', 'containerd'], why).describe('wasmtime-shim/aot through containerd', () => {
  it("compiles an image's Wasm layer once, on its first run, keeps the code in containerd 1.6.20's content store and runs it", async () => {
    expect(existsSync(wasmLayersArchive(aot.runtime!.wasmLayers!))).toBe(true);
    await compiledOnceAndRun();
  }, 300_000);

  it("runs an ordinary image's module as before: compiled on start, nothing kept", async () => {
    await withSession(jit.runtime!, undefined, async (session, store) => {
      const r = await session.runOnce(hello);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toContain('runbench-hello-ok');
      expect(await precompiledCode(store, images(host.arch).wasm.name)).toBeNull();
    });
  }, 120_000);
});

// crun-wasmedge stands for the debian13 tier, which brings containerd 1.7
needs(
  ['wasmtime-shim', 'containerd', 'crun-wasmedge'],
  why ?? (containerd17 && existsSync(containerd17) ? null : 'no containerd 1.7 (scripts/setup.sh --tier debian13)'),
).describe('wasmtime-shim/aot through containerd 1.7', () => {
  it("compiles once and runs the code from Debian 13's containerd 1.7.24's content store", async () => {
    const daemon = await startContainerd({ dir: join('/run/runbench', `ext-${newRunId()}`), binary: containerd17!, searchPath: [], readyTimeoutMs: 30_000 });
    try {
      await compiledOnceAndRun(daemon.address);
    } finally {
      await daemon.stop();
    }
  }, 300_000);
});
