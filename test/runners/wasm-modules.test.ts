/** A runtime with modules compiled ahead of time runs them from a rootfs and an image of their own, at the module's usual path; native stays its base's. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inImageArgs } from '../../core/in-image.ts';
import { rootfsDir } from '../../core/paths.ts';
import { KNOWN_RUNTIMES } from '../../core/runtimes.ts';
import { wasmModulesArchive, wasmModulesRootfs } from '../../core/wasm-modules.ts';
import { runtimeInfo } from '../helpers/runtime.ts';
import { sessionImages } from '../../runners/containerd/spec.ts';
import { handlerFor, wasmPodAnnotations } from '../../runners/kubernetes/handler.ts';
import { writeBundle } from '../../runners/oci/bundle.ts';

const dir = mkdtempSync(join(tmpdir(), 'runbench-modules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const def = (name: string) => KNOWN_RUNTIMES.find((r) => r.name === name)!;
const aot = runtimeInfo({
  name: 'crun-wasmedge/aot',
  path: '/c/crun',
  wasmHandlers: ['wasmedge'],
  wasmOnly: true,
  wasmAnnotations: def('crun-wasmedge/aot').wasm!.annotations,
  wasmModules: def('crun-wasmedge/aot').wasmModules!,
});

describe('modules compiled ahead of time', () => {
  it('bundles the Wasm workload on the compiled rootfs, with the handler annotation and the usual path', () => {
    const bundle = (kind: 'wasm' | 'native', n: string) => {
      const c = writeBundle({ id: n, dir: join(dir, n), cgroupsPath: '/x', runtime: aot, arch: 'amd64', req: { workload: { name: 'cpu', kind, args: ['1'] }, timeoutMs: 1 }, overrides: {} });
      return JSON.parse(readFileSync(join(c.bundle, 'config.json'), 'utf8'));
    };
    const wasm = bundle('wasm', 'a');
    expect(wasm.root.path).toBe(wasmModulesRootfs(aot.wasmModules!, 'amd64'));
    expect(wasm.root.path).toMatch(/build\/rootfs\/wasmedge-aot-amd64$/);
    expect(wasm.process.args).toEqual(['/wasm/cpu.wasm', '1']);
    expect(wasm.annotations).toEqual({ 'module.wasm.image/variant': 'compat-smart' });
    expect(bundle('native', 'b').root.path).toBe(rootfsDir('amd64'));
  });

  it('imports its own Wasm image at the containerd layer and reaches the base handler in a cluster', () => {
    const images = sessionImages(aot, 'amd64');
    expect(images.wasm).toMatchObject({ archive: wasmModulesArchive(aot.wasmModules!), name: 'docker.io/runbench/wasm-wasmedge-aot:latest', platform: { os: 'wasi', architecture: 'wasm' } });
    expect(images.wasm.entrypoint('cpu')).toBe('/cpu.wasm');
    expect(handlerFor(aot)).toBe('crun-wasmedge');
    // one crun with three handlers: the pod names its engine; crun leaves the sandbox alone whatever it says
    const wasmtime = runtimeInfo({ name: 'crun-engines/wasmtime', wasmOnly: true, wasmHandlers: ['wasmedge', 'wasmtime'], wasmAnnotations: def('crun-engines/wasmtime').wasm!.annotations });
    expect(handlerFor(wasmtime)).toBe('crun-engines');
    expect(wasmPodAnnotations(wasmtime)).toEqual({ 'run.oci.handler': 'wasmtime' });
    expect(wasmPodAnnotations(runtimeInfo({ name: 'crun-wasmedge', wasmHandlers: ['wasmedge'] }))).toEqual({ 'module.wasm.image/variant': 'compat-smart' });
  });

  it('runs the in-image CLI on the compiled modules from their own directory', () => {
    const via = def('crun/wasmedge-aot-in-image').wasmVia!;
    expect(inImageArgs(via, { name: 'cpu', kind: 'wasm', args: ['8'] })).toEqual(['/usr/bin/wasmedge', '--dir', '/:/', '/wasm-aot/cpu.wasm', '8']);
    expect(inImageArgs(def('crun/wasmedge-jit-in-image').wasmVia!, { name: 'hello', kind: 'wasm', args: [] })).toEqual(['/usr/bin/wasmedge', '--dir', '/:/', '--enable-jit', '/wasm/hello.wasm']);
  });

  it("runs wasmtime's precompiled modules from /wasm-aot, only with --allow-precompiled, in the JIT rows' image", () => {
    const aot = def('runc/wasmtime-aot-in-image').wasmVia!;
    const jit = def('runc/wasmtime-in-image').wasmVia!;
    expect(inImageArgs(aot, { name: 'cpu', kind: 'wasm', args: ['8'] })).toEqual(['/usr/local/bin/wasmtime', 'run', '--allow-precompiled', '-C', 'cache=n', '-S', 'inherit-env=y', '--dir=/', '/wasm-aot/cpu.cwasm', '8']);
    expect(inImageArgs(jit, { name: 'cpu', kind: 'wasm', args: ['8'] })).toEqual(['/usr/local/bin/wasmtime', 'run', '-C', 'cache=n', '-S', 'inherit-env=y', '--dir=/', '/wasm/cpu.wasm', '8']);
    expect(aot.image).toEqual(jit.image);
    expect(aot.rootfs).toBe(jit.rootfs);
  });
});
