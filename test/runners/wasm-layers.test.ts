/**
 * wasmtime-shim/aot without a containerd: the same shim as wasmtime-shim on an image per
 * workload whose module is an OCI Wasm layer, imported without unpacking into an empty
 * rootfs, and the content-store labels that say runwasi's library kept compiled code for it.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { engineLabels } from '../../core/engines.ts';
import { buildDir } from '../../core/paths.ts';
import { KNOWN_RUNTIMES, kindUnsupported } from '../../core/runtimes.ts';
import type { RuntimeInfo } from '../../core/schema.ts';
import { wasmLayersImage } from '../../core/wasm-layers.ts';
import type { ContainerdClient } from '../../runners/containerd/api.ts';
import { imageOf, importImage } from '../../runners/containerd/images.ts';
import { PRECOMPILED_LABEL_PREFIX, precompiledCode } from '../../runners/containerd/precompiled.ts';
import { containerSpec, sessionImages } from '../../runners/containerd/spec.ts';
import { criRunner } from '../../runners/cri/index.ts';
import { runtimeInfo } from '../helpers/runtime.ts';

const dir = mkdtempSync(join(tmpdir(), 'runbench-wasm-layers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const def = (name: string) => KNOWN_RUNTIMES.find((r) => r.name === name)!;
const shim = (name: string): RuntimeInfo => {
  const d = def(name);
  return runtimeInfo({
    name,
    kind: 'containerd-shim',
    path: '/c/containerd-shim-wasmtime-v1',
    wasmOnly: true,
    handler: d.handler!,
    ...(d.wasmLayers ? { wasmLayers: d.wasmLayers } : {}),
    engine: { name: 'wasmtime', version: '46.0.1', mode: d.engine!.mode },
  });
};
const aot = shim('wasmtime-shim/aot');
const jit = shim('wasmtime-shim');

describe('wasmtime-shim/aot', () => {
  it('is the same shim binary and runtime type as wasmtime-shim, labelled wasmtime AOT', () => {
    expect(def('wasmtime-shim/aot')).toMatchObject({ kind: 'containerd-shim', binary: def('wasmtime-shim').binary, handler: def('wasmtime-shim').handler });
    expect(engineLabels(aot, 'wasm')).toEqual({ engine: 'wasmtime', engineMode: 'aot' });
    expect(engineLabels(jit, 'wasm')).toEqual({ engine: 'wasmtime', engineMode: 'jit' });
    expect(kindUnsupported(aot, 'native')).toContain('runs every container as a Wasm module');
    expect(kindUnsupported(aot, 'wasm')).toBeNull();
  });

  it("runs each workload from an image of its own (build-images.sh's wasm-oci.tar), with the plain rows' argv", () => {
    const ref = sessionImages(aot, 'amd64').wasm;
    expect(ref.archive).toBe(join(buildDir, 'images', 'wasm-oci.tar'));
    expect(imageOf(ref, 'cpu')).toBe('docker.io/runbench/wasm:oci-cpu');
    expect(wasmLayersImage(aot.wasmLayers!, 'probe')).toBe('docker.io/runbench/wasm:oci-probe');
    // the plain row keeps its one image for every workload
    const plain = sessionImages(jit, 'amd64').wasm;
    expect(imageOf(plain, 'cpu')).toBe('docker.io/runbench/wasm:latest');
    expect(plain.wasmLayerImage).toBeUndefined();
    const req = { workload: { name: 'cpu', kind: 'wasm' as const, args: ['8'] }, timeoutMs: 1 };
    const a = containerSpec(aot, ref, req, '/x', {});
    const j = containerSpec(jit, plain, req, '/x', {});
    expect(a.process?.args).toEqual(j.process?.args);
    expect(a.process?.args).toEqual(['/cpu.wasm', '8']);
    expect(a.annotations ?? {}).toEqual({});
  });

  it('imports the images without unpacking them: containerd 1.6.20 cannot unpack a Wasm layer', async () => {
    const log = join(dir, 'ctr-args');
    const ctr = join(dir, 'ctr');
    writeFileSync(ctr, `#!/bin/sh\necho "$@" > '${log}'\n`);
    chmodSync(ctr, 0o755);
    await importImage(ctr, '/s.sock', 'ns', sessionImages(aot, 'amd64').wasm, 'overlayfs');
    expect(readFileSync(log, 'utf8').trim().split(' ')).toEqual(expect.arrayContaining(['--all-platforms', '--no-unpack']));
    await importImage(ctr, '/s.sock', 'ns', sessionImages(jit, 'amd64').wasm, 'overlayfs');
    expect(readFileSync(log, 'utf8')).not.toContain('--no-unpack');
  });

  it("is not run at the cri layer, whose images are critest's own", () => {
    expect(criRunner.refuses?.(aot)).toContain('Wasm layers');
    expect(criRunner.refuses?.(jit)).toBeNull();
  });
});

describe("runwasi's precompiled labels", () => {
  const manifest = {
    config: { digest: 'sha256:c' },
    layers: [{ mediaType: 'application/vnd.bytecodealliance.wasm.component.layer.v0+wasm', digest: 'sha256:l' }],
  };
  const label = `${PRECOMPILED_LABEL_PREFIX}wasmtime/123`;
  const store = (labels: Record<string, Record<string, string>>) =>
    ({
      getImage: async () => ({ name: 'i', target: { media_type: 'application/vnd.oci.image.manifest.v1+json', digest: 'sha256:m', size: 1 } }),
      readContent: async () => Buffer.from(JSON.stringify(manifest)),
      contentInfo: async (digest: string) => ({ digest, size: digest === 'sha256:code' ? 169_000 : 10, labels: labels[digest] ?? {} }),
    }) as unknown as ContainerdClient;

  it("finds the code the library compiled: the manifest marked, the layer's label naming the code", async () => {
    const labelled = store({ 'sha256:m': { [label]: 'true' }, 'sha256:l': { [label]: 'sha256:code' } });
    expect(await precompiledCode(labelled, 'i')).toEqual({ label, digest: 'sha256:code', bytes: 169_000 });
  });

  it('finds none before the first run, or when the compiler failed and the module ran as it was', async () => {
    expect(await precompiledCode(store({}), 'i')).toBeNull();
    // the manifest marked but the layer not: nothing the shim could have been handed
    expect(await precompiledCode(store({ 'sha256:m': { [label]: 'true' } }), 'i')).toBeNull();
  });
});
