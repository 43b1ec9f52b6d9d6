/** One builder of the RuntimeInfo a test needs: an ok OCI runtime, with what the test says on top. */
import type { RuntimeInfo } from '../../core/schema.ts';

export function runtimeInfo(over: Partial<RuntimeInfo> & { name: string }): RuntimeInfo {
  return { kind: 'oci', path: null, version: null, features: [], wasmHandlers: [], status: 'ok', reason: null, globalArgs: [], ...over };
}
