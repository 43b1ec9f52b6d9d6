/**
 * The three ways a container platform runs a Wasm module, told apart by a runtime's
 * configuration and what its probe found, never by its name:
 *   in-image         an ordinary container whose image carries a Wasm runtime (wasmVia)
 *   oci-handler      an OCI runtime with a built-in Wasm handler (crun, youki)
 *   containerd-shim  a containerd shim that is itself the Wasm engine (runwasi)
 */
import type { RuntimeInfo } from './schema.ts';

export type WasmWay = 'in-image' | 'oci-handler' | 'containerd-shim';

export const WASM_WAYS: readonly WasmWay[] = ['in-image', 'oci-handler', 'containerd-shim'];

export const WASM_WAY_TITLES: Record<WasmWay, string> = {
  'in-image': 'in-image (Wasm runtime inside an ordinary container)',
  'oci-handler': 'OCI runtime handler',
  'containerd-shim': 'containerd shim',
};

/** How this runtime runs a Wasm module, or null when it does not. */
export function wasmWay(runtime: Pick<RuntimeInfo, 'kind' | 'wasmHandlers' | 'wasmAnnotations' | 'wasmOnly' | 'wasmVia'>): WasmWay | null {
  if (runtime.wasmVia) return 'in-image';
  if (runtime.kind === 'containerd-shim') return runtime.wasmOnly ? 'containerd-shim' : null;
  if (runtime.kind === 'oci' && runtime.wasmHandlers.length > 0) return 'oci-handler';
  // a RuntimeClass whose pods carry a Wasm handler's annotation: an OCI runtime's handler behind it
  if (runtime.kind === 'runtime-class' && runtime.wasmAnnotations) return 'oci-handler';
  return null;
}
