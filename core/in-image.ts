/**
 * The "in-image" way of running Wasm: an ordinary container, run by an ordinary OCI
 * runtime, whose image carries a Wasm runtime next to the modules. The runtime's
 * definition says where that Wasm runtime sits and which rootfs / image carry it
 * (RuntimeInfo.wasmVia); these helpers turn that into paths and a process argv.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildDir } from './paths.ts';
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

/** The container's process: `<runtimePath> <args...> /wasm/<workload>.wasm <workload args...>`. */
export function inImageArgs(via: WasmVia, ref: WorkloadRef): string[] {
  return [via.runtimePath, ...via.args, workloadEntrypoint({ ...ref, kind: 'wasm' }), ...ref.args];
}

/** Why the in-image rootfs cannot run here, or null. */
export function inImageRootfsMissing(via: WasmVia, arch: string): string | null {
  const rootfs = inImageRootfs(via, arch);
  if (!existsSync(rootfs)) return `no rootfs at ${rootfs}: run scripts/build-wasmtime-cli.sh, then scripts/build-wasmtime-image.sh`;
  if (!existsSync(join(rootfs, via.runtimePath))) return `${rootfs} has no ${via.runtimePath}: run scripts/build-wasmtime-image.sh`;
  return null;
}
