/**
 * A set of modules a runtime's Wasm workloads run instead of the plain wasm32-wasi builds
 * (RuntimeInfo.wasmModules), e.g. the same modules compiled ahead of time by `wasmedge
 * compile`: a rootfs at the oci layer, an image at the containerd and kubernetes layers,
 * with each module at the path the plain one has, so only the bytes differ.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildDir, statusMarker } from './paths.ts';
import type { RuntimeInfo } from './schema.ts';

export type WasmModules = NonNullable<RuntimeInfo['wasmModules']>;

/** The script that builds each set (it also records its failure as status/<variant>.failed). */
const BUILDERS: Readonly<Record<string, string>> = {
  'wasmedge-aot': 'scripts/build-wasmedge-aot.sh (part of scripts/setup.sh --tier debian13)',
};

/** build/rootfs/<rootfs>-<arch>: the native rootfs with these modules in /wasm. */
export function wasmModulesRootfs(m: WasmModules, arch: string): string {
  return join(buildDir, 'rootfs', `${m.rootfs}-${arch}`);
}

export function wasmModulesArchive(m: WasmModules): string {
  return join(buildDir, 'images', m.image.archive);
}

/** Why the set cannot run here on `arch`, or null. */
export function wasmModulesMissing(m: WasmModules, arch: string): string | null {
  const failed = statusMarker([m.variant], 'failed', 'no reason recorded');
  if (failed !== null) return `the ${m.variant} modules failed to build: ${failed}`;
  const rootfs = wasmModulesRootfs(m, arch);
  if (existsSync(join(rootfs, 'wasm', 'hello.wasm'))) return null;
  return `no ${m.variant} modules for ${arch} at ${rootfs}: run ${BUILDERS[m.variant] ?? 'the script that builds them'}`;
}
