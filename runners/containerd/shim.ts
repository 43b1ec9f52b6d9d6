/**
 * How a runtime is reached through containerd: a containerd shim of its own by name
 * (runwasi's io.containerd.wasmtime.v1 and io.containerd.wasmer.v1), or an OCI binary behind the runc shim
 * (io.containerd.runc.v2) with the BinaryName option, wrapped in a script when it
 * needs global arguments.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { RuntimeFailure } from '../../core/errors.ts';
import type { RuntimeInfo } from '../../core/schema.ts';
import { runcOptions, type ProtoAny } from './api.ts';

const RUNC_SHIM = 'io.containerd.runc.v2';

/** How one runtime is reached through containerd. */
export interface ShimConfig {
  /** The runtime name containerd resolves to a shim binary (or the shim's absolute path). */
  runtimeName: string;
  options: ProtoAny | null;
  /** runc-style shims take a `file://` URI for stdio; runwasi's take a plain path. */
  stdioUri: (path: string) => string;
  /** Directory to put on containerd's PATH so it finds the shim binary. */
  shimDir: string | null;
}

/** A shim binary is named containerd-shim-<name>-<version>; containerd calls it io.containerd.<name>.<version>. */
export function shimRuntimeName(binaryPath: string): string | null {
  const m = /^containerd-shim-(.+)-(v\d+)$/.exec(basename(binaryPath));
  return m ? `io.containerd.${m[1]}.${m[2]}` : null;
}

/** Where runwasi's containerd-shim-wasm keeps its containers' state: <root>/<shim's name>/<namespace>. */
export const RUNWASI_STATE_ROOT = '/run/containerd';

/**
 * The directory runwasi's library makes for a Wasm shim's containers in a namespace. It removes
 * each container's state but leaves the namespace's directory behind, so the session removes it.
 */
export function runwasiStateDir(runtime: RuntimeInfo, namespace: string): string | null {
  if (runtime.kind !== 'containerd-shim' || !runtime.path) return null;
  const m = /^containerd-shim-(.+)-v\d+$/.exec(basename(runtime.path));
  return m?.[1] ? join(RUNWASI_STATE_ROOT, m[1], namespace) : null;
}

export function isShim(runtime: RuntimeInfo): boolean {
  return runtime.kind === 'containerd-shim' || (runtime.path !== null && shimRuntimeName(runtime.path) !== null);
}

/**
 * The shim for a runtime. `dir` is the session's directory (a wrapper script and the
 * runc shim's state go under it); `address` is set when the containerd is not
 * runbench's own.
 */
export function shimConfig(rt: RuntimeInfo, dir: string, address: string | undefined): ShimConfig {
  if (!rt.path) throw new RuntimeFailure(rt.name, `${rt.name} has no binary`);
  if (isShim(rt)) {
    const name = shimRuntimeName(rt.path);
    if (!name) throw new RuntimeFailure(rt.name, `${rt.path} is not named containerd-shim-<name>-<version>`);
    return {
      // our own daemon finds it on PATH; someone else's gets the absolute path (containerd >= 1.6)
      runtimeName: address ? rt.path : name,
      options: null,
      stdioUri: (p) => p,
      shimDir: dirname(rt.path),
    };
  }
  let binary = rt.path;
  if (rt.globalArgs.length > 0) {
    // BinaryName takes a path, not arguments: runsc's --platform etc. go in a wrapper.
    binary = join(dir, 'bin', rt.name);
    mkdirSync(dirname(binary), { recursive: true });
    const quoted = [rt.path, ...rt.globalArgs].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    writeFileSync(binary, `#!/bin/sh\nexec ${quoted} "$@"\n`);
    chmodSync(binary, 0o755);
  }
  return {
    runtimeName: RUNC_SHIM,
    // runc's state for our containers under our directory, not /run/containerd/runc
    options: runcOptions({ binaryName: binary, root: join(dir, 'runc-root') }),
    stdioUri: (p) => `file://${p}`,
    shimDir: null,
  };
}
