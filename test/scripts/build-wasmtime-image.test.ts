/**
 * What scripts/build-wasmtime-image.sh leaves: one multi-arch image index whose manifests
 * match their platforms and blobs, and per arch a rootfs that carries everything its
 * wasmtime needs to start. The arm64 parts are checked when they were built.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ociArch } from '../../core/host.ts';
import { inImageRootfs, inImageRootfsMissing } from '../../core/in-image.ts';
import { buildDir } from '../../core/paths.ts';
import { KNOWN_RUNTIMES, findBinary } from '../../core/runtimes.ts';
import { needs } from '../helpers/require.ts';

const via = KNOWN_RUNTIMES.find((r) => r.name === 'runc/wasmtime-in-image')!.wasmVia!;
const layout = join(buildDir, 'images', 'wasmtime-in-image');
const host = ociArch();
const noImage = existsSync(join(layout, 'index.json')) ? null : 'the image is not built (scripts/build-wasmtime-image.sh)';
const arm64Missing = inImageRootfsMissing(via, 'arm64');

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string; variant?: string };
  annotations?: Record<string, string>;
}

function blob(d: Descriptor): unknown {
  const file = join(layout, 'blobs', 'sha256', d.digest.replace(/^sha256:/, ''));
  const bytes = readFileSync(file);
  expect(`sha256:${createHash('sha256').update(bytes).digest('hex')}`).toBe(d.digest);
  expect(bytes.length).toBe(d.size);
  return JSON.parse(bytes.toString('utf8'));
}

needs('runc/wasmtime-in-image', noImage).describe('the wasmtime-in-image layout', () => {
  it('names one image index holding a linux manifest per arch built, each config of its own arch', () => {
    const top = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
    expect(top.manifests).toHaveLength(1);
    const ref = top.manifests[0]!;
    expect(ref.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(ref.annotations?.['io.containerd.image.name']).toBe(via.image.name);
    const index = blob(ref) as { manifests: Descriptor[] };
    const archs = index.manifests.map((m) => m.platform?.architecture);
    const want = [host, ...(arm64Missing || host === 'arm64' ? [] : ['arm64'])];
    expect(archs).toEqual(want);
    for (const m of index.manifests) {
      expect(m.platform?.os).toBe('linux');
      expect(m.platform?.variant).toBe(m.platform?.architecture === 'arm64' ? 'v8' : undefined);
      const manifest = blob(m) as { config: Descriptor; layers: Descriptor[] };
      const config = blob(manifest.config) as { architecture: string; os: string; config: { Entrypoint: string[] } };
      expect(config).toMatchObject({ architecture: m.platform?.architecture, os: 'linux' });
      expect(config.config.Entrypoint[0]).toBe(via.runtimePath);
      expect(manifest.layers).toHaveLength(1);
      expect(existsSync(join(layout, 'blobs', 'sha256', manifest.layers[0]!.digest.slice('sha256:'.length)))).toBe(true);
    }
  });

  it('records the sizes of every arch it holds', () => {
    const sizes = JSON.parse(readFileSync(join(buildDir, 'images', 'wasmtime-in-image.sizes.json'), 'utf8')) as {
      wasmtimeInImage: { perArch: Record<string, { layerBytes: number; uncompressedBytes: number; wasmtimeBinaryBytes: number }> };
    };
    const per = sizes.wasmtimeInImage.perArch;
    expect(Object.keys(per)).toEqual([host, ...(arm64Missing || host === 'arm64' ? [] : ['arm64'])]);
    for (const s of Object.values(per)) {
      expect(s.wasmtimeBinaryBytes).toBeGreaterThan(1 << 20);
      expect(s.uncompressedBytes).toBeGreaterThan(s.layerBytes);
    }
  });
});

const readelf = findBinary('aarch64-linux-gnu-readelf');
const arm64Skip = arm64Missing ?? (readelf ? null : 'aarch64-linux-gnu-readelf not installed (binutils-aarch64-linux-gnu)');
needs(['runc/wasmtime-in-image', 'arm64'], arm64Skip).describe('the arm64 in-image rootfs', () => {
  const rootfs = inImageRootfs(via, 'arm64');
  const bin = join(rootfs, via.runtimePath);
  const elf = (args: string[], file: string) => execFileSync(readelf!, [...args, file], { encoding: 'utf8' });

  it('carries an aarch64 wasmtime, its program interpreter and every library it needs, followed through the libraries', () => {
    expect(elf(['-h'], bin)).toMatch(/Machine:\s+AArch64/);
    const interp = /Requesting program interpreter: (\S+)\]/.exec(elf(['-l'], bin))?.[1];
    expect(interp).toBe('/lib/ld-linux-aarch64.so.1');
    expect(existsSync(join(rootfs, interp!))).toBe(true);
    const seen = new Set<string>();
    const queue = [bin];
    while (queue.length > 0) {
      const file = queue.shift()!;
      for (const [, name] of elf(['-d'], file).matchAll(/\(NEEDED\)\s+Shared library: \[(.+)\]/g)) {
        if (seen.has(name!) || name === 'ld-linux-aarch64.so.1') continue;
        seen.add(name!);
        const lib = join(rootfs, 'lib', 'aarch64-linux-gnu', name!);
        expect(existsSync(lib), `${name} in ${rootfs}/lib/aarch64-linux-gnu`).toBe(true);
        expect(elf(['-h'], lib)).toMatch(/Machine:\s+AArch64/);
        queue.push(lib);
      }
    }
    expect(seen).toContain('libc.so.6');
  });
});
