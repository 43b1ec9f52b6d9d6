/**
 * Runtime names are display names and may hold a slash (`runc/wasmtime-in-image`: the base
 * runtime / the way it runs Wasm). Container ids, containerd namespaces, state directories
 * and cgroup paths take a slug of the name instead, where the slash would be a path
 * separator or an invalid character.
 */

/** `runc/wasmtime-in-image` -> `runc_wasmtime-in-image`; other characters outside [A-Za-z0-9._-] become '-'. */
export function slug(name: string): string {
  return name.replace(/\//g, '_').replace(/[^A-Za-z0-9._-]/g, '-');
}
