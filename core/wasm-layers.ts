/**
 * The workloads as OCI Wasm layers (RuntimeInfo.wasmLayers): one `wasm` image per workload
 * whose only layer is the module itself, the form runwasi's library reads from containerd's
 * content store and hands a shim, compiled ahead of time when the shim has a compiler.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildDir, statusMarker } from './paths.ts';
import type { RuntimeInfo } from './schema.ts';

export type WasmLayers = NonNullable<RuntimeInfo['wasmLayers']>;

/** The image whose layer is `workload`'s module. */
export function wasmLayersImage(l: WasmLayers, workload: string): string {
  return `${l.repository}:${l.tagPrefix}${workload}`;
}

export function wasmLayersArchive(l: WasmLayers): string {
  return join(buildDir, 'images', l.archive);
}

/** Why the images cannot be imported here, or null. */
export function wasmLayersMissing(l: WasmLayers): string | null {
  const failed = statusMarker(['build-images'], 'failed', 'no reason recorded');
  if (failed !== null) return `the images failed to build: ${failed}`;
  const archive = wasmLayersArchive(l);
  return existsSync(archive) ? null : `${archive} is missing: run scripts/build-images.sh`;
}
