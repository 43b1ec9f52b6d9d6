/**
 * The Wasm configurations runbench knows by name: each is one engine, in one mode, reached one
 * way (an OCI runtime's handler, a containerd shim, a Wasm runtime in the image). Engines are
 * compared with everything else held equal: the same crun 1.21 binary with its WasmEdge,
 * wasmtime and wasmer handlers (crun-engines/*), the same WasmEdge interpreted and compiled
 * ahead of time (crun-wasmedge, crun-wasmedge/aot), the same CLI in an image in three modes,
 * the same wasmtime shim compiling on each start or loading code compiled on an image's first
 * run (wasmtime-shim, wasmtime-shim/aot).
 */
import type { EngineSpec, RecordedBinary, RuntimeDefinition } from './runtime-definition.ts';
import type { RuntimeInfo } from './schema.ts';
import { HANDLER_ANNOTATION, handlerAnnotations, variantAnnotations } from './wasm-annotations.ts';

type WasmVia = NonNullable<RuntimeInfo['wasmVia']>;
type WasmModules = NonNullable<RuntimeInfo['wasmModules']>;
type WasmLayers = NonNullable<RuntimeInfo['wasmLayers']>;

/** Where set-up records the versions of the engines it builds (scripts/setup.sh). */
const ENGINES_ENV = 'engines.env';
const wasmtime = (key: string): EngineSpec => ({ name: 'wasmtime', mode: 'jit', version: { file: ENGINES_ENV, key } });
/** Debian 13's libwasmedge0, which crun 1.21 loads. */
const libWasmedge = { file: 'debian13.env', key: 'DEBIAN13_VERSION_LIBWASMEDGE0' };
/** Debian 13's wasmedge CLI. */
const wasmedgeCli = { file: 'debian13.env', key: 'DEBIAN13_VERSION_WASMEDGE' };

/** wasmtime's command line inside the wasmtime-in-image rootfs and image (scripts/build-wasmtime-image.sh). */
const WASMTIME_IN_IMAGE: WasmVia = {
  kind: 'in-image',
  runtimePath: '/usr/local/bin/wasmtime',
  // The whole rootfs preopened at / as youki's and crun's handlers do; no compilation
  // cache, since the handlers compile the module on every start too. The container's
  // environment is passed on to the module, as the handlers and the shim do.
  args: ['run', '-C', 'cache=n', '-S', 'inherit-env=y', '--dir=/'],
  rootfs: 'wasmtime-in-image',
  image: { name: 'docker.io/runbench/wasmtime-in-image:latest', archive: 'wasmtime-in-image.tar' },
};

/**
 * The same image's wasmtime on the workloads compiled ahead of time by that wasmtime
 * (`wasmtime compile`, scripts/build-wasmtime-image.sh: /wasm-aot/<w>.cwasm, native code for
 * this host's CPU), which it runs only when told `--allow-precompiled`.
 */
const WASMTIME_AOT_IN_IMAGE: WasmVia = {
  ...WASMTIME_IN_IMAGE,
  // -C cache=n as for the JIT rows: wasmtime sets its cache directory up even for native code
  args: ['run', '--allow-precompiled', '-C', 'cache=n', '-S', 'inherit-env=y', '--dir=/'],
  moduleDir: '/wasm-aot',
  moduleExt: '.cwasm',
};

/**
 * Debian 13's wasmedge CLI in an ordinary image (scripts/build-wasmedge-image.sh), with the
 * whole rootfs preopened at /. The CLI passes a module no environment variable it is not
 * given with --env, unlike the handlers.
 */
function wasmedgeInImage(extra: string[], moduleDir?: string): WasmVia {
  return {
    kind: 'in-image',
    runtimePath: '/usr/bin/wasmedge',
    args: ['--dir', '/:/', ...extra],
    ...(moduleDir ? { moduleDir } : {}),
    rootfs: 'wasmedge-in-image',
    image: { name: 'docker.io/runbench/wasmedge-in-image:latest', archive: 'wasmedge-in-image.tar' },
  };
}

/**
 * wasmer's CLI in an ordinary image (scripts/build-wasmer-image.sh), built by
 * scripts/build-wasmer-cli.sh with cranelift, the compiler of crun's wasmer handler. The whole
 * rootfs is mapped at /, the container's environment is passed on to the module (as the
 * handlers do) and no compiled module is cached: every start compiles the module again, as
 * the handlers do. The precompiled modules are `wasmer compile`'s .wasmu files, which
 * `wasmer run` tells from a module by their header: no flag is needed.
 */
function wasmerInImage(aot: boolean): WasmVia {
  return {
    kind: 'in-image',
    runtimePath: '/usr/local/bin/wasmer',
    // `--`: what follows the module is the module's, even when it starts with a dash
    args: ['run', '--disable-cache', '--forward-host-env', '--volume=/:/', '--'],
    ...(aot ? { moduleDir: '/wasm-aot', moduleExt: '.wasmu' } : {}),
    rootfs: 'wasmer-in-image',
    image: { name: 'docker.io/runbench/wasmer-in-image:latest', archive: 'wasmer-in-image.tar' },
  };
}
const wasmerCli = (mode: EngineSpec['mode']): EngineSpec => ({ name: 'wasmer', mode, version: { file: ENGINES_ENV, key: 'WASMER_CLI' } });

/** The workloads compiled by Debian 13's `wasmedge compile` into universal wasm files (scripts/build-wasmedge-aot.sh). */
const WASMEDGE_AOT: WasmModules = {
  variant: 'wasmedge-aot',
  rootfs: 'wasmedge-aot',
  image: { name: 'docker.io/runbench/wasm-wasmedge-aot:latest', archive: 'wasm-wasmedge-aot.tar' },
};

/**
 * The workloads as OCI Wasm layers, one wasip1/wasm image each (scripts/build-images.sh:
 * wasm-oci.tar, `docker.io/runbench/wasm:oci-<workload>`), which runwasi's library reads
 * from containerd's content store instead of the rootfs.
 */
const WASM_LAYERS: WasmLayers = { repository: 'docker.io/runbench/wasm', tagPrefix: 'oci-', archive: 'wasm-oci.tar' };

const DEBIAN13_CRUN: RecordedBinary = { file: 'debian13.env', key: 'DEBIAN13_CRUN', tier: 'debian13' };
/** crun 1.21 rebuilt with three handlers (scripts/lib/crun-engines.sh); named `crun`, so no handler is global. */
const CRUN_ENGINES: RecordedBinary = { file: ENGINES_ENV, key: 'CRUN_ENGINES', tier: 'engines' };
const pick = (handler: string) => ({ annotations: { [HANDLER_ANNOTATION]: handler } });

export const WASM_RUNTIMES: readonly RuntimeDefinition[] = [
  {
    name: 'crun-wasmtime',
    kind: 'oci',
    binary: 'crun-wasmtime',
    globalArgs: [],
    // crun picks a global handler from its program name: under this name every container
    // goes through wasmtime, and a run.oci.handler annotation is refused.
    wasm: { annotations: variantAnnotations('compat') },
    wasmOnly: true,
    engine: wasmtime('CRUN_WASMTIME_WASMTIME'),
    description: 'crun built with its wasmtime handler (Wasm only under this name)',
  },
  {
    name: 'crun-wasmedge',
    kind: 'oci',
    // crun picks a global handler from its program name: the binary keeps the name `crun`
    // (in a directory of its own) so that native containers run natively, and the Wasm
    // bundle's annotation selects WasmEdge. compat-smart hands a Wasm entrypoint to
    // WasmEdge and runs a native one natively; run.oci.handler=wasm works for Wasm too.
    binary: 'crun',
    recorded: DEBIAN13_CRUN,
    globalArgs: [],
    wasm: { annotations: variantAnnotations('compat-smart') },
    engine: { name: 'wasmedge', mode: 'interpreter', version: libWasmedge },
    description: "Debian 13's crun 1.21 with its WasmEdge handler, run from a Debian 13 root (native and Wasm)",
  },
  {
    name: 'crun-wasmedge/aot',
    kind: 'oci',
    binary: 'crun',
    recorded: DEBIAN13_CRUN,
    globalArgs: [],
    wasm: { annotations: variantAnnotations('compat-smart') },
    wasmOnly: true,
    wasmModules: WASMEDGE_AOT,
    engine: { name: 'wasmedge', mode: 'aot', version: libWasmedge },
    description: "crun-wasmedge running the workloads compiled ahead of time by Debian 13's `wasmedge compile` (Wasm only)",
  },
  {
    // The recipe's node: crun-wasmedge in runc's place as the node's default runtime
    // (scripts/cluster.sh with RUNBENCH_CLUSTER_DEFAULT_RUNTIME=crun-wasmedge), pods with no
    // RuntimeClass and annotated compat-smart, so the pause container runs natively and a
    // Wasm entrypoint as Wasm. Reached through the cluster alone: handler '' names no RuntimeClass.
    name: 'crun-wasmedge/node-default',
    kind: 'runtime-class',
    binary: '',
    handler: '',
    recorded: DEBIAN13_CRUN,
    globalArgs: [],
    wasm: { annotations: variantAnnotations('compat-smart') },
    engine: { name: 'wasmedge', mode: 'interpreter', version: libWasmedge },
    description: "the node's default runtime, pods with no RuntimeClass annotated compat-smart: the recipe's crun-wasmedge in runc's place (kubernetes layer)",
  },
  {
    name: 'crun-engines',
    kind: 'oci',
    binary: 'crun',
    recorded: CRUN_ENGINES,
    globalArgs: [],
    wasm: pick('wasmedge'),
    engine: { name: 'wasmedge', mode: 'interpreter', version: libWasmedge },
    description: "crun 1.21 rebuilt from Debian 13's source with the WasmEdge, wasmtime and wasmer handlers; native, and Wasm through WasmEdge",
  },
  {
    name: 'crun-engines/wasmedge-aot',
    kind: 'oci',
    binary: 'crun',
    recorded: CRUN_ENGINES,
    globalArgs: [],
    wasm: pick('wasmedge'),
    wasmOnly: true,
    wasmModules: WASMEDGE_AOT,
    engine: { name: 'wasmedge', mode: 'aot', version: libWasmedge },
    description: 'crun-engines running the workloads compiled ahead of time by `wasmedge compile` (Wasm only)',
  },
  {
    name: 'crun-engines/wasmtime',
    kind: 'oci',
    binary: 'crun',
    recorded: CRUN_ENGINES,
    globalArgs: [],
    wasm: pick('wasmtime'),
    wasmOnly: true,
    engine: wasmtime('CRUN_ENGINES_WASMTIME'),
    description: 'crun-engines with run.oci.handler=wasmtime (Wasm only)',
  },
  {
    name: 'crun-engines/wasmer',
    kind: 'oci',
    binary: 'crun',
    recorded: CRUN_ENGINES,
    globalArgs: [],
    wasm: pick('wasmer'),
    wasmOnly: true,
    engine: { name: 'wasmer', mode: 'jit', version: { file: ENGINES_ENV, key: 'CRUN_ENGINES_WASMER' } },
    description: 'crun-engines with run.oci.handler=wasmer (Wasm only)',
  },
  {
    name: 'wasmtime-shim',
    kind: 'containerd-shim',
    binary: 'containerd-shim-wasmtime-v1',
    handler: 'io.containerd.wasmtime.v1',
    globalArgs: [],
    wasmOnly: true,
    engine: wasmtime('SHIM_WASMTIME'),
    description: 'containerd Wasm shim on the runwasi library and wasmtime (containerd layer only)',
  },
  {
    // The same shim binary; only the image differs. The library compiles an image's Wasm layer
    // with the shim's compiler when the image first runs and keeps the native code in
    // containerd's content store, so every later container of the image loads code compiled
    // before it started.
    name: 'wasmtime-shim/aot',
    kind: 'containerd-shim',
    binary: 'containerd-shim-wasmtime-v1',
    handler: 'io.containerd.wasmtime.v1',
    globalArgs: [],
    wasmOnly: true,
    wasmLayers: WASM_LAYERS,
    engine: { ...wasmtime('SHIM_WASMTIME'), mode: 'aot' },
    description:
      "wasmtime-shim on the workloads as OCI Wasm layers, which runwasi's library has the shim compile ahead of time on an image's first run and keeps in containerd's content store (containerd layer only)",
  },
  {
    // the same runwasi library as wasmtime-shim (shim/containerd-shim-wasmer): only the engine differs
    name: 'wasmer-shim',
    kind: 'containerd-shim',
    binary: 'containerd-shim-wasmer-v1',
    handler: 'io.containerd.wasmer.v1',
    globalArgs: [],
    wasmOnly: true,
    engine: { name: 'wasmer', mode: 'jit', version: { file: ENGINES_ENV, key: 'SHIM_WASMER' } },
    description: 'containerd Wasm shim on the runwasi library and wasmer, cranelift compiler (containerd layer only)',
  },
  {
    name: 'runc/wasmtime-in-image',
    kind: 'oci',
    binary: 'runc',
    globalArgs: [],
    wasmOnly: true,
    wasmVia: WASMTIME_IN_IMAGE,
    engine: wasmtime('WASMTIME_CLI'),
    description: 'runc running an ordinary container whose image carries the wasmtime CLI (Wasm only)',
  },
  {
    name: 'crun/wasmtime-in-image',
    kind: 'oci',
    binary: 'crun',
    globalArgs: [],
    wasmOnly: true,
    wasmVia: WASMTIME_IN_IMAGE,
    engine: wasmtime('WASMTIME_CLI'),
    description: 'crun running an ordinary container whose image carries the wasmtime CLI (Wasm only)',
  },
  {
    name: 'runc/wasmtime-aot-in-image',
    kind: 'oci',
    binary: 'runc',
    globalArgs: [],
    wasmOnly: true,
    wasmVia: WASMTIME_AOT_IN_IMAGE,
    engine: { name: 'wasmtime', mode: 'aot', version: { file: ENGINES_ENV, key: 'WASMTIME_CLI' } },
    description: 'runc/wasmtime-in-image running the modules `wasmtime compile` compiled ahead of time (--allow-precompiled; Wasm only)',
  },
  {
    name: 'crun/wasmtime-aot-in-image',
    kind: 'oci',
    binary: 'crun',
    globalArgs: [],
    wasmOnly: true,
    wasmVia: WASMTIME_AOT_IN_IMAGE,
    engine: { name: 'wasmtime', mode: 'aot', version: { file: ENGINES_ENV, key: 'WASMTIME_CLI' } },
    description: 'crun/wasmtime-in-image running the modules `wasmtime compile` compiled ahead of time (--allow-precompiled; Wasm only)',
  },
  {
    name: 'crun/wasmedge-in-image',
    kind: 'oci',
    binary: 'crun',
    globalArgs: [],
    wasmOnly: true,
    wasmVia: wasmedgeInImage([]),
    engine: { name: 'wasmedge', mode: 'interpreter', version: wasmedgeCli },
    description: "crun running an ordinary container whose image carries Debian 13's wasmedge CLI, interpreting (Wasm only)",
  },
  {
    name: 'crun/wasmedge-jit-in-image',
    kind: 'oci',
    binary: 'crun',
    globalArgs: [],
    wasmOnly: true,
    wasmVia: wasmedgeInImage(['--enable-jit']),
    engine: { name: 'wasmedge', mode: 'jit', version: wasmedgeCli },
    description: 'crun/wasmedge-in-image with --enable-jit: WasmEdge compiles the module with LLVM when it loads it (Wasm only)',
  },
  {
    name: 'crun/wasmedge-aot-in-image',
    kind: 'oci',
    binary: 'crun',
    globalArgs: [],
    wasmOnly: true,
    wasmVia: wasmedgeInImage([], '/wasm-aot'),
    engine: { name: 'wasmedge', mode: 'aot', version: wasmedgeCli },
    description: 'crun/wasmedge-in-image running the modules `wasmedge compile` compiled ahead of time (Wasm only)',
  },
  {
    name: 'crun/wasmer-in-image',
    kind: 'oci',
    binary: 'crun',
    globalArgs: [],
    wasmOnly: true,
    wasmVia: wasmerInImage(false),
    engine: wasmerCli('jit'),
    description: 'crun running an ordinary container whose image carries the wasmer CLI, compiling each module with cranelift as it loads it (Wasm only)',
  },
  {
    name: 'crun/wasmer-aot-in-image',
    kind: 'oci',
    binary: 'crun',
    globalArgs: [],
    wasmOnly: true,
    wasmVia: wasmerInImage(true),
    engine: wasmerCli('aot'),
    description: 'crun/wasmer-in-image running the modules `wasmer compile` compiled ahead of time (.wasmu; Wasm only)',
  },
];

/** youki's Wasm executor, as scripts/setup.sh builds it (feature wasm-wasmtime). */
export const YOUKI_WASM: Pick<RuntimeDefinition, 'wasm' | 'engine'> = {
  wasm: { annotations: handlerAnnotations() },
  engine: wasmtime('YOUKI_WASMTIME'),
};

/**
 * The same youki built with its wasmer executor instead (scripts/lib/youki-wasmer.sh, feature
 * wasm-wasmer): the same annotation, wasmer as youki 0.7.0's lock pins it, compiling each module
 * with Cranelift when it loads it.
 */
export const YOUKI_WASMER_WASM: Pick<RuntimeDefinition, 'wasm' | 'engine'> = {
  wasm: { annotations: handlerAnnotations() },
  engine: { name: 'wasmer', mode: 'jit', version: { file: ENGINES_ENV, key: 'YOUKI_WASMER' } },
};
