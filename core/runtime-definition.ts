/** What a runtime is to runbench: configuration (a name, a binary, its flags, its Wasm engine), never code. */
import type { EngineMode, RuntimeInfo } from './schema.ts';

export interface RuntimeDefinition {
  name: string;
  kind: RuntimeInfo['kind'];
  /** Binary name searched on PATH and in runbench's cache, or an absolute path. */
  binary: string;
  /**
   * Found only where scripts/setup.sh records it, never on PATH: the KEY=PATH line `key`
   * of `file` in runbench's cache, written by the set-up tier `tier`. For a binary whose
   * name is shared with another runtime's (crun-wasmedge is a crun named `crun`).
   */
  recorded?: RecordedBinary;
  /** Arguments placed before every subcommand. */
  globalArgs: string[];
  /** The Wasm handler a module runs under with this runtime, if it has one. */
  wasm?: { annotations: Record<string, string> };
  /** For a containerd shim, its runtime type (io.containerd.spin.v2); for a RuntimeClass, its name. */
  handler?: string;
  /**
   * Runs every container as a Wasm module (a Wasm shim, crun under a wasm program name), or is
   * one Wasm configuration of a runtime whose native rows are its base's (`base/variant`).
   */
  wasmOnly?: boolean;
  /**
   * Wasm through a runtime carried in the container's image instead of a handler: the
   * `wasm` workload kind runs `runtimePath args... /wasm/<w>.wasm <args>` from that
   * image's rootfs, with no Wasm annotation. Set with wasmOnly: the native kind is the
   * base runtime's own row.
   */
  wasmVia?: NonNullable<RuntimeInfo['wasmVia']>;
  /** The modules its Wasm workloads run instead of the plain builds (compiled ahead of time). */
  wasmModules?: NonNullable<RuntimeInfo['wasmModules']>;
  /** Its Wasm workloads as OCI Wasm layers, an image per workload (a containerd shim's). */
  wasmLayers?: NonNullable<RuntimeInfo['wasmLayers']>;
  /** The Wasm engine behind its Wasm workloads and how it runs them; the probe adds the version. */
  engine?: EngineSpec;
  description: string;
}

export interface RecordedBinary {
  file: string;
  key: string;
  tier: string;
}

export interface EngineSpec {
  name: string;
  mode: EngineMode;
  /**
   * Where set-up recorded the engine's version: the KEY=VALUE line `key` of `file` in runbench's
   * cache (debian13.env for Debian's WasmEdge, engines.env for the engines set-up builds); or
   * the version itself, as a config file gives it.
   */
  version?: { file: string; key: string } | string;
}
