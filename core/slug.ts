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

/**
 * The id of a session's n-th container: `rb-<runId>-<slug>-<n>`, n zero-padded so that no id
 * is a prefix of another (runsc accepts an unambiguous prefix of an id, and refuses
 * `…-1` while `…-11` exists).
 */
export function containerId(runId: string, runtimeSlug: string, n: number): string {
  return `rb-${runId}-${runtimeSlug}-${String(n).padStart(6, '0')}`;
}
