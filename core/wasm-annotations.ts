/**
 * The OCI annotations that ask an OCI runtime to run a container's process as a Wasm
 * module, written once: the runtime definitions (core/runtimes.ts) and every layer that
 * annotates a Wasm container or pod (runners/) take them from here.
 */

/** crun's and youki's handler selector, by handler name. */
export const HANDLER_ANNOTATION = 'run.oci.handler';
/** crun's selector by the image's variant. */
export const VARIANT_ANNOTATION = 'module.wasm.image/variant';

/**
 * `module.wasm.image/variant` values crun knows: `compat` runs every container as Wasm,
 * `compat-smart` only those whose executable is a Wasm module (a pod's pause sandbox is not).
 */
export type WasmVariant = 'compat' | 'compat-smart';

/** `run.oci.handler: wasm`: the handler asked for by name, and what a runtime is given when nothing names another. */
export function handlerAnnotations(): Record<string, string> {
  return { [HANDLER_ANNOTATION]: 'wasm' };
}

/** `module.wasm.image/variant: <variant>`. */
export function variantAnnotations(variant: WasmVariant): Record<string, string> {
  return { [VARIANT_ANNOTATION]: variant };
}
