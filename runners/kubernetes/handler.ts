/**
 * How a runtime is reached in a cluster: the CRI handler its RuntimeClass names, the
 * annotations a Wasm pod carries for it, and whether it can run Wasm at all.
 */
import { basename } from 'node:path';
import type { RuntimeInfo } from '../../core/schema.ts';
import { HANDLER_ANNOTATION, handlerAnnotations, variantAnnotations } from '../../core/wasm-annotations.ts';

/**
 * The CRI handler a runtime is reached through: for a RuntimeClass, its name; a shim's own name (io.containerd.wasmtime.v1
 * -> wasmtime); for a Wasm runtime in the image, the OCI runtime that runs its container
 * (runc/wasmtime-in-image -> runc); else the runtime's name.
 */
export function handlerFor(runtime: RuntimeInfo): string {
  // a RuntimeClass: the name it was given ('' for none, the node's default handler)
  if (runtime.kind === 'runtime-class') return runtime.handler ?? runtime.name;
  if (runtime.wasmVia) return runtime.path ? basename(runtime.path) : (runtime.name.split('/')[0] ?? runtime.name);
  // one Wasm configuration of a runtime (crun-wasmedge/aot): the base runtime's handler, its own image
  if (runtime.wasmModules || (runtime.wasmOnly && runtime.kind === 'oci' && runtime.name.includes('/'))) return runtime.name.split('/')[0] ?? runtime.name;
  const m = runtime.path ? /containerd-shim-(.+)-v\d+$/.exec(runtime.path) : null;
  if (m?.[1]) return m[1];
  const t = /^io\.containerd\.(.+)\.v\d+$/.exec(runtime.name);
  if (t?.[1]) return t[1];
  return runtime.name;
}

/** Runs its Wasm module from the rootfs through a Wasm-aware shim (runwasi) rather than an OCI runtime's handler. */
export function isWasmShim(runtime: RuntimeInfo): boolean {
  return runtime.kind === 'containerd-shim' || (runtime.path !== null && /containerd-shim-/.test(runtime.path));
}

/**
 * Annotations a Wasm pod carries. containerd passes pod annotations to every container
 * of the pod, the pause sandbox included, so an OCI runtime's handler has to be told in
 * the form that leaves non-Wasm executables alone: crun's `compat-smart` variant checks
 * the executable's magic; youki's handler takes `run.oci.handler` only.
 */
export function wasmPodAnnotations(runtime: RuntimeInfo): Record<string, string> {
  // an ordinary container: its image's Wasm runtime is the process
  if (isWasmShim(runtime) || runtime.wasmVia) return {};
  if (runtime.kind === 'runtime-class') return { ...(runtime.wasmAnnotations ?? {}) };
  // crun leaves a pod's sandbox to itself whatever the annotations say: a handler named by
  // engine (crun-engines/wasmtime) is kept, so the pod runs the engine its configuration names
  const named = runtime.wasmAnnotations?.[HANDLER_ANNOTATION];
  if (runtime.name.startsWith('crun') && named && named !== 'wasm') return { [HANDLER_ANNOTATION]: named };
  if (runtime.name.startsWith('crun')) return variantAnnotations('compat-smart');
  return { ...(runtime.wasmAnnotations ?? handlerAnnotations()) };
}

export function wasmCapable(runtime: RuntimeInfo): boolean {
  // a RuntimeClass named in the config says nothing about Wasm: its probe pod decides
  return (
    runtime.kind === 'runtime-class' ||
    isWasmShim(runtime) ||
    runtime.wasmVia !== undefined ||
    runtime.wasmHandlers.length > 0 ||
    runtime.wasmAnnotations !== undefined
  );
}
