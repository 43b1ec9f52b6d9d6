/**
 * youki-wasmer for real (the wasmer set-up tier): youki 0.7.0 built with its wasmer executor
 * runs the wasm32-wasi hello through wasmer, at the oci layer and behind containerd's runc shim,
 * and its native containers natively, from one runtime definition.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { sweepCgroups } from '../../core/cgroups.ts';
import { EventBus } from '../../core/events.ts';
import { hostFacts } from '../../core/host.ts';
import { findBinary } from '../../core/runtimes.ts';
import { Scope } from '../../core/scope.ts';
import { workloadBuilt } from '../../core/workloads.ts';
import { images } from '../../runners/containerd/images.ts';
import { ContainerdSession } from '../../runners/containerd/index.ts';
import { OciSession } from '../../runners/oci/index.ts';
import { leftovers, nothingLeft } from '../helpers/leaks.ts';
import { realRuntime } from '../helpers/real.ts';
import { needs } from '../helpers/require.ts';

const a = await realRuntime('youki-wasmer');
const host = hostFacts();
const why =
  a.skip ??
  (a.runtime?.wasmHandlers.includes('wasmer') ? null : 'youki-wasmer has no wasmer executor recorded (status/youki-wasmer.wasm)') ??
  (workloadBuilt('hello', 'wasm', host.arch) ? null : 'the Wasm hello is not built (scripts/build-fixtures.sh)');
const ctrdWhy =
  why ??
  (!findBinary('containerd') || !findBinary('ctr') ? 'containerd/ctr not installed' : null) ??
  (!existsSync(images(host.arch).wasm.archive) ? 'images not built (scripts/build-images.sh)' : null);

let dir: string | null = null;
const workDir = () => (dir ??= mkdtempSync(join(tmpdir(), 'runbench-youki-wasmer-')));
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});
const newRunId = () =>
  `20000101${Math.floor(Math.random() * 0xffffff)
    .toString(16)
    .padStart(6, '0')}`;

needs('youki-wasmer', why).describe('youki-wasmer through the OCI CLI', () => {
  it('is youki 0.7.0 under a name of its own, labelled with the wasmer its lock pins, compiling when it loads', () => {
    const rt = a.runtime!;
    expect(basename(rt.path!)).toBe('youki-wasmer');
    expect(rt.version).toBe('0.7.0');
    expect(rt.wasmHandlers).toEqual(['wasmer']);
    expect(rt.wasmAnnotations).toEqual({ 'run.oci.handler': 'wasm' });
    expect(rt.engine).toMatchObject({ name: 'wasmer', mode: 'jit' });
    expect(rt.engine?.version).toMatch(/^7\.\d+\.\d+$/);
  });

  it('hands a Wasm container to its wasmer executor (its own debug log says so) and runs a native one natively', async () => {
    const runId = newRunId();
    const log = join(workDir(), `${runId}.log`);
    const scope = new Scope('test');
    // youki's global --debug and --log: the container's init logs which executor took it
    const rt = { ...a.runtime!, globalArgs: ['--debug', '--log', log] };
    const session = new OciSession(rt, { runId, host, arch: host.arch, scope, events: new EventBus(), workDir: join(workDir(), runId) });
    try {
      expect(session.supports('wasm')).toBeNull();
      expect(session.supports('native')).toBeNull();
      const wasm = await session.runOnce({ workload: { name: 'hello', kind: 'wasm', args: [] }, timeoutMs: 60_000 });
      expect(wasm.exitCode, wasm.stderr).toBe(0);
      expect(wasm.stdout).toContain('runbench-hello-ok');
      const text = readFileSync(log, 'utf8');
      expect(text).toContain('executing workload with wasmer handler');
      expect(text).not.toContain('wasmtime handler');
      // native through create/start/delete: youki 0.7's foreground `run` of a native container hangs now and then
      const native = await session.lifecycle({ workload: { name: 'hello', kind: 'native', args: [] }, timeoutMs: 60_000 });
      expect(native.exitCode, native.stderr).toBe(0);
      expect(native.stdout).toContain('runbench-hello-ok');
      const life = await session.lifecycle({ workload: { name: 'hello', kind: 'wasm', args: [] }, timeoutMs: 60_000 });
      expect(life.exitCode, life.stderr).toBe(0);
      expect(life.stdout).toContain('runbench-hello-ok');
      expect(Object.keys(life.phasesNs)).toEqual(['create', 'start', 'exit', 'delete']);
    } finally {
      await scope.close();
      await sweepCgroups(`runbench-${runId}`);
    }
    expect(leftovers(runId)).toEqual(nothingLeft);
  }, 300_000);
});

needs(['youki-wasmer', 'containerd'], ctrdWhy).describe('youki-wasmer through containerd', () => {
  it("runs the Wasm image's hello behind the runc shim, timing each phase, and leaves nothing", async () => {
    const scope = new Scope('test');
    const runId = newRunId();
    const workDir = join('/run/runbench', runId);
    const session = new ContainerdSession(a.runtime!, { runId, host, arch: host.arch, scope, events: new EventBus(), workDir }, {});
    try {
      await session.open();
      expect(session.supports('wasm')).toBeNull();
      const run = await session.runOnce({ workload: { name: 'hello', kind: 'wasm', args: [] }, timeoutMs: 60_000 });
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stdout).toContain('runbench-hello-ok');
      const life = await session.lifecycle({ workload: { name: 'hello', kind: 'wasm', args: [] }, timeoutMs: 60_000 });
      expect(life.exitCode, life.stderr).toBe(0);
      expect(Object.keys(life.phasesNs)).toEqual([...session.lifecyclePhases]);
    } finally {
      await scope.close();
      await sweepCgroups(`runbench-${runId}`);
    }
    // the session removed its containerd's state; the run's directory is the caller's (the pipeline's)
    expect(existsSync(join(workDir, 'containerd', 'runc'))).toBe(false);
    rmSync(workDir, { recursive: true, force: true });
    expect(leftovers(runId)).toEqual(nothingLeft);
  }, 300_000);
});
