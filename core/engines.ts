/**
 * The Wasm engine behind each way of running a module, and how it runs the module. A runtime's
 * definition names its engine and mode (core/runtimes.ts); the probe adds the engine's version;
 * every Wasm figure carries engine and mode as labels, so engines can be compared with the way
 * and the layer held equal. Where nothing names the engine (a document from before engines were
 * recorded, a runtime given as NAME=PATH), it is told from the runtime's configuration.
 */
import { basename } from 'node:path';
import type { EngineInfo, EngineMode, Labels, RuntimeInfo, WorkloadKind } from './schema.ts';
import { HANDLER_ANNOTATION } from './wasm-annotations.ts';

export const ENGINE_MODES: readonly EngineMode[] = ['interpreter', 'jit', 'aot'];

export const ENGINE_MODE_TITLES: Record<EngineMode, string> = {
  interpreter: 'interpreter',
  jit: 'JIT (compiled when loaded)',
  aot: 'AOT (compiled before the run)',
};

/**
 * How an engine runs a plain wasm32-wasi module when nothing else is said: wasmtime and wasmer
 * compile it with Cranelift when it is loaded; WasmEdge (crun's handler and the CLI without
 * --enable-jit) and WAMR interpret it.
 */
export const DEFAULT_ENGINE_MODE: Readonly<Record<string, EngineMode>> = {
  wasmtime: 'jit',
  wasmer: 'jit',
  wasmedge: 'interpreter',
  wamr: 'interpreter',
};

/** Engines listed in every engine table although nothing here runs them, with the reason. */
export const UNTESTED_ENGINES: readonly { engine: string; way: string; reason: string }[] = [
  {
    engine: 'wamr',
    way: "crun's WAMR handler (--with-wamr)",
    reason:
      "untested here: Debian 12 and 13 have no WAMR package, and the only WAMR source on crates.io (wamr-sys 0.1.1) vendors a WAMR older than crun 1.21's handler needs (it has no wasm_runtime_get_wasi_exit_code); add a crun built with it as NAME=PATH or in the config",
  },
  {
    engine: 'spin',
    way: 'containerd shim (containerd-shim-spin) and crun\'s Spin handler',
    reason:
      'untested here: containerd-shim-spin is not on crates.io, spin-cli there is an empty placeholder, and Debian has no Spin package; add its shim in the config (shim: io.containerd.spin.v2)',
  },
];

type EngineSource = Pick<RuntimeInfo, 'kind' | 'wasmHandlers' | 'wasmVia' | 'handler' | 'wasmAnnotations'> & { engine?: EngineInfo | undefined };

/** The engine's name told from the configuration: the in-image runtime's program, a shim's type, the one handler (or the one the annotation picks). */
function inferredName(rt: EngineSource): string | null {
  if (rt.wasmVia) return basename(rt.wasmVia.runtimePath);
  if (rt.kind === 'containerd-shim') {
    const m = /^io\.containerd\.(.+)\.v\d+$/.exec(rt.handler ?? '');
    return m?.[1] ?? rt.wasmHandlers[0] ?? null;
  }
  if (rt.wasmHandlers.length === 1) return rt.wasmHandlers[0] ?? null;
  // several handlers in one binary (crun 1.21 built with three): the annotation names one
  const picked = rt.wasmAnnotations?.[HANDLER_ANNOTATION];
  return picked && rt.wasmHandlers.includes(picked) ? picked : null;
}

/** The engine a runtime's Wasm workloads run under, or null when it runs none or nothing tells which. */
export function engineOf(rt: EngineSource): EngineInfo | null {
  if (rt.engine) return rt.engine;
  const name = inferredName(rt);
  if (!name) return null;
  return { name, version: null, mode: DEFAULT_ENGINE_MODE[name] ?? 'jit' };
}

/** The engine labels of a figure: `none` for native, `unknown` for a Wasm figure whose engine nothing names. */
export function engineLabels(rt: EngineSource | null, kind: WorkloadKind): Pick<Labels, 'engine' | 'engineMode'> {
  if (kind === 'native') return { engine: 'none', engineMode: 'none' };
  const e = rt ? engineOf(rt) : null;
  return e ? { engine: e.name, engineMode: e.mode } : { engine: 'unknown', engineMode: 'unknown' };
}

/** "wasmedge 0.14.1, AOT (compiled before the run)" */
export function describeEngine(e: EngineInfo): string {
  return `${e.name}${e.version ? ` ${e.version}` : ''}, ${ENGINE_MODE_TITLES[e.mode]}`;
}
