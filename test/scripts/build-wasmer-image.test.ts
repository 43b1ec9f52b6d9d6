/**
 * What scripts/build-wasmer-image.sh leaves: a one-platform image of the host's arch whose
 * blobs match their descriptors, whose entrypoint is the image's wasmer, and a rootfs that
 * carries every library wasmer loads and each workload precompiled by `wasmer compile`.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ociArch } from '../../core/host.ts';
import { inImageRootfs } from '../../core/in-image.ts';
import { buildDir } from '../../core/paths.ts';
import { KNOWN_RUNTIMES } from '../../core/runtimes.ts';
import { needs } from '../helpers/require.ts';

const via = KNOWN_RUNTIMES.find((r) => r.name === 'crun/wasmer-aot-in-image')!.wasmVia!;
const layout = join(buildDir, 'images', 'wasmer-in-image');
const host = ociArch();
const noImage = existsSync(join(layout, 'index.json')) ? null : 'the image is not built (scripts/build-wasmer-image.sh)';

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string };
  annotations?: Record<string, string>;
}

function blob(d: Descriptor): unknown {
  const bytes = readFileSync(join(layout, 'blobs', 'sha256', d.digest.replace(/^sha256:/, '')));
  expect(`sha256:${createHash('sha256').update(bytes).digest('hex')}`).toBe(d.digest);
  expect(bytes.length).toBe(d.size);
  return JSON.parse(bytes.toString('utf8'));
}

needs('crun/wasmer-in-image', noImage).describe('the wasmer-in-image layout and rootfs', () => {
  it("names one image index holding the host's linux manifest, wasmer as its entrypoint", () => {
    const top = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
    expect(top.manifests).toHaveLength(1);
    expect(top.manifests[0]!.annotations?.['io.containerd.image.name']).toBe(via.image.name);
    const index = blob(top.manifests[0]!) as { manifests: Descriptor[] };
    expect(index.manifests.map((m) => m.platform)).toEqual([{ architecture: host, os: 'linux' }]);
    const manifest = blob(index.manifests[0]!) as { config: Descriptor; layers: Descriptor[] };
    const config = blob(manifest.config) as { architecture: string; config: { Entrypoint: string[]; Labels: Record<string, string> } };
    expect(config.architecture).toBe(host);
    expect(config.config.Entrypoint).toEqual([via.runtimePath, ...via.args]);
    expect(config.config.Labels['org.opencontainers.image.version']).toMatch(/^\d+\.\d+\.\d+/);
    expect(manifest.layers).toHaveLength(1);
  });

  it('carries every library ldd finds for its wasmer, and each workload as a wasmer artifact', () => {
    const rootfs = inImageRootfs(via, host);
    const bin = join(rootfs, via.runtimePath);
    // ldd of the copy: what it resolves on the host must be in the rootfs at the same path
    const libs = [...execFileSync('ldd', [bin], { encoding: 'utf8' }).matchAll(/(?:=> )?(\/\S+) \(0x/g)].map((m) => m[1]!);
    expect(libs.length).toBeGreaterThan(2);
    for (const lib of libs) expect(existsSync(join(rootfs, lib)), `${lib} in ${rootfs}`).toBe(true);
    // the directory wasmer creates on every start, there before a read-only rootfs is mounted
    expect(existsSync(join(rootfs, 'root', '.wasmer'))).toBe(true);
    const modules = readdirSync(join(rootfs, 'wasm')).filter((f) => f.endsWith('.wasm'));
    expect(modules.length).toBeGreaterThan(0);
    for (const m of modules) {
      const artifact = join(rootfs, via.moduleDir!, m.replace(/\.wasm$/, via.moduleExt!));
      expect(readFileSync(artifact).subarray(0, 16).toString('latin1'), artifact).toBe('wasmer-universal');
    }
  });
});
