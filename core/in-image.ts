/**
 * The "in-image" way of running Wasm: an ordinary container, run by an ordinary OCI
 * runtime, whose image carries a Wasm runtime next to the modules. The runtime's
 * definition says where that Wasm runtime sits and which rootfs / image carry it
 * (RuntimeInfo.wasmVia); these helpers turn that into paths and a process argv.
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ociArch } from './host.ts';
import { buildDir, statusMarker } from './paths.ts';
import type { RuntimeInfo } from './schema.ts';
import { workloadEntrypoint, type WorkloadRef } from './workloads.ts';

export type WasmVia = NonNullable<RuntimeInfo['wasmVia']>;

/** build/rootfs/<rootfs>-<arch>: the native rootfs plus the Wasm runtime and its libraries. */
export function inImageRootfs(via: WasmVia, arch: string): string {
  return join(buildDir, 'rootfs', `${via.rootfs}-${arch}`);
}

export function inImageArchive(via: WasmVia): string {
  return join(buildDir, 'images', via.image.archive);
}

/** A workload's module in the image: /wasm/<workload>.wasm, or in the configuration's own directory and extension. */
export function inImageModule(via: WasmVia, workload: string): string {
  return `${via.moduleDir ?? '/wasm'}/${workload}${via.moduleExt ?? '.wasm'}`;
}

/** The container's process: `<runtimePath> <args...> /wasm/<workload>.wasm <workload args...>`. */
export function inImageArgs(via: WasmVia, ref: WorkloadRef): string[] {
  const module = via.moduleDir || via.moduleExt ? inImageModule(via, ref.name) : workloadEntrypoint({ ...ref, kind: 'wasm' });
  return [via.runtimePath, ...via.args, module, ...ref.args];
}

/**
 * How each Wasm runtime carried in an image is built: its program, then its rootfs and image;
 * `hostOnly` when its scripts build no other architecture than the host's.
 */
function builders(via: WasmVia, foreign: string | null): { cli: string; image: string; hostOnly?: true } {
  switch (basename(via.runtimePath)) {
    case 'wasmedge':
      return { cli: 'scripts/setup.sh --tier debian13', image: 'scripts/build-wasmedge-image.sh' };
    case 'wasmer':
      return { cli: 'scripts/build-wasmer-cli.sh', image: 'scripts/build-wasmer-image.sh', hostOnly: true };
    default:
      return { cli: `scripts/build-wasmtime-cli.sh${foreign ? ` --arch ${foreign}` : ''}`, image: 'scripts/build-wasmtime-image.sh' };
  }
}

/**
 * A failed build of one architecture's part, as scripts/build-wasmtime-cli.sh --arch and
 * scripts/build-wasmtime-image.sh record it: the host's is the runtime's own set-up failure
 * (core/runtimes.ts), a foreign one only takes that arch away.
 */
function archFailure(via: WasmVia, arch: string): string | null {
  return statusMarker([`${basename(via.runtimePath)}-cli-${arch}`, `${via.rootfs}-${arch}`], 'failed', 'its build failed (no reason recorded)');
}

/** Why the in-image rootfs of `arch` cannot run here, or null. */
export function inImageRootfsMissing(via: WasmVia, arch: string): string | null {
  const rootfs = inImageRootfs(via, arch);
  const foreign = arch !== ociArch();
  if (existsSync(join(rootfs, via.runtimePath))) {
    // the modules compiled ahead of time are added by the image's script: an older rootfs has none
    if (via.moduleDir && !existsSync(join(rootfs, via.moduleDir))) return `${rootfs} has no ${via.moduleDir}: run ${builders(via, null).image}`;
    return null;
  }
  const failed = foreign ? archFailure(via, arch) : null;
  if (failed) return `the ${arch} build of ${basename(via.runtimePath)} in its image failed: ${failed}`;
  const how = builders(via, foreign ? arch : null);
  if (foreign && how.hostOnly) {
    return `${basename(via.runtimePath)} is built for the host architecture only (${how.cli} has no cross build): no ${arch} image to run`;
  }
  if (!existsSync(rootfs)) return `no rootfs at ${rootfs}: run ${how.cli}, then ${how.image}`;
  return `${rootfs} has no ${via.runtimePath}: run ${how.image}`;
}
