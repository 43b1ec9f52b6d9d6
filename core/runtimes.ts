/**
 * The runtimes runbench knows by name. A runtime is configuration, not code: adding
 * one is one entry here (or `NAME=PATH` on the command line), never a new runner.
 */
import { accessSync, constants, existsSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import { basename, delimiter, isAbsolute, join } from 'node:path';
import { execa } from 'execa';
import { UserError } from './errors.ts';
import { ociArch } from './host.ts';
import { inImageRootfsMissing, type WasmVia } from './in-image.ts';
import { cacheBinDir, cacheDir, cacheStatusDir, statusMarker } from './paths.ts';
import type { EngineSpec, RecordedBinary, RuntimeDefinition } from './runtime-definition.ts';
import type { EngineInfo, Layer, RuntimeInfo } from './schema.ts';
import { slug } from './slug.ts';
import { handlerAnnotations } from './wasm-annotations.ts';
import { wasmLayersMissing } from './wasm-layers.ts';
import { wasmModulesMissing } from './wasm-modules.ts';
import { WASM_RUNTIMES, YOUKI_WASM, YOUKI_WASMER_WASM } from './wasm-runtimes.ts';

export type { RecordedBinary, RuntimeDefinition } from './runtime-definition.ts';

export const KNOWN_RUNTIMES: readonly RuntimeDefinition[] = [
  { name: 'runc', kind: 'oci', binary: 'runc', globalArgs: [], description: 'reference OCI runtime (Go)' },
  { name: 'crun', kind: 'oci', binary: 'crun', globalArgs: [], description: 'OCI runtime in C' },
  {
    name: 'youki',
    kind: 'oci',
    binary: 'youki',
    globalArgs: [],
    ...YOUKI_WASM,
    description: 'OCI runtime in Rust',
  },
  {
    // A binary of its own (youki's Wasm executor is chosen when it is compiled), so its native
    // rows are measured too: youki copies its whole binary into a sealed memfd and re-executes
    // it on every command, and this one is not the size of youki's (43 MB against 33 MB here).
    name: 'youki-wasmer',
    kind: 'oci',
    binary: 'youki-wasmer',
    globalArgs: [],
    ...YOUKI_WASMER_WASM,
    description: 'youki built with its wasmer executor in place of wasmtime, patched to run wasmer-wasix in a Tokio runtime (native, and Wasm through wasmer)',
  },
  {
    name: 'runsc',
    kind: 'oci',
    binary: 'runsc',
    // ptrace works without KVM and without the systrap seccomp tricks; networking is not measured.
    globalArgs: ['--platform=ptrace', '--network=none'],
    description: "gVisor's sandboxed runtime",
  },
  {
    // The same runsc with linux.seccomp applied: without --oci-seccomp runsc ignores the
    // config's filter (its own filters guard the sandbox, not the container's process).
    name: 'runsc/oci-seccomp',
    kind: 'oci',
    binary: 'runsc',
    globalArgs: ['--platform=ptrace', '--network=none', '--oci-seccomp'],
    description: "gVisor's runsc with --oci-seccomp: the config's seccomp filter is applied inside the sandbox",
  },
  ...WASM_RUNTIMES,
];

/** Why a runtime cannot run a workload kind, or null when it can. */
export function kindUnsupported(runtime: RuntimeInfo, kind: 'native' | 'wasm'): string | null {
  if (kind === 'native' && runtime.wasmVia) {
    const base = runtime.path ? basename(runtime.path) : runtime.name.split('/')[0];
    return `${runtime.name} is ${base} running Wasm through ${runtime.wasmVia.runtimePath} in its image: native is measured as ${base} itself`;
  }
  if (kind === 'native' && runtime.wasmOnly && runtime.kind === 'oci' && runtime.name.includes('/')) {
    return `${runtime.name} is one Wasm configuration of ${runtime.name.split('/')[0]}: native is measured as ${runtime.name.split('/')[0]} itself`;
  }
  if (kind === 'native') return runtime.wasmOnly ? `${runtime.name} runs every container as a Wasm module` : null;
  if (runtime.wasmVia) return null;
  if (runtime.kind === 'containerd-shim') return runtime.wasmOnly ? null : `${runtime.name} is not a Wasm shim`;
  // a RuntimeClass names no handler runbench can see: the cluster's probe pod decides
  if (runtime.kind === 'runtime-class') return null;
  return runtime.wasmHandlers.length === 0 ? `${runtime.name} has no Wasm handler` : null;
}

/**
 * The annotations a runtime's Wasm containers are created with: its own (from its
 * definition or the config), else those of the known runtime of its name, else
 * `run.oci.handler: wasm`.
 */
export function wasmAnnotationsFor(runtime: Pick<RuntimeInfo, 'name' | 'wasmAnnotations'>): Record<string, string> {
  const def = KNOWN_RUNTIMES.find((r) => r.name === runtime.name);
  return runtime.wasmAnnotations ?? def?.wasm?.annotations ?? handlerAnnotations();
}

export function searchDirs(): string[] {
  return [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), cacheBinDir];
}

export function findBinary(binary: string, dirs: string[] = searchDirs()): string | null {
  if (isAbsolute(binary)) return isExecutable(binary) ? binary : null;
  for (const dir of dirs) {
    const candidate = join(dir, binary);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

/** KEY=VALUE lines of a file scripts/setup.sh writes in runbench's cache; empty when there is none. */
export function readCacheEnv(file: string, dir: string = cacheDir): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(join(dir, file), 'utf8');
  } catch {
    return {};
  }
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}

/** Where set-up recorded a binary: its path, or why there is none to run. */
export function recordedBinary(rec: RecordedBinary, dir: string = cacheDir): { path: string } | { missing: string } {
  const file = join(dir, rec.file);
  const path = readCacheEnv(rec.file, dir)[rec.key];
  if (!path) return { missing: `no ${rec.key} in ${file}: run scripts/setup.sh --tier ${rec.tier}` };
  if (!isAbsolute(path) || !isExecutable(path)) {
    return { missing: `${path}, recorded in ${file}, is not an executable: run scripts/setup.sh --tier ${rec.tier}` };
  }
  return { path };
}

/** The binary a definition runs, or why it cannot be found. */
function locate(def: RuntimeDefinition): { path: string } | { missing: string } {
  if (def.recorded) return recordedBinary(def.recorded);
  const path = findBinary(def.binary);
  return path ? { path } : { missing: `${def.binary} not found on PATH or in ${cacheBinDir}` };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Parses `NAME=PATH` from the command line into a runtime definition. */
export function parseRuntimeSpec(spec: string): RuntimeDefinition {
  const eq = spec.indexOf('=');
  if (eq < 0) {
    const known = KNOWN_RUNTIMES.find((r) => r.name === spec);
    if (!known) {
      throw new UserError(`unknown runtime '${spec}': known runtimes are ${KNOWN_RUNTIMES.map((r) => r.name).join(', ')}; give another as NAME=PATH`);
    }
    return known;
  }
  const name = spec.slice(0, eq);
  const path = spec.slice(eq + 1);
  if (!/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/.test(name)) {
    throw new UserError(`runtime name '${name}' in '${spec}' must be letters, digits, '.', '_' or '-'`);
  }
  if (!path) throw new UserError(`runtime '${name}' has an empty path in '${spec}'`);
  const base = KNOWN_RUNTIMES.find((r) => r.name === name);
  return {
    name,
    kind: 'oci',
    binary: isAbsolute(path) ? path : join(process.cwd(), path),
    globalArgs: base?.globalArgs ?? [],
    ...(base?.wasm ? { wasm: base.wasm } : {}),
    ...(base?.engine ? { engine: base.engine } : {}),
    description: `user-supplied OCI runtime at ${path}`,
  };
}

export interface VersionProbe {
  version: string | null;
  features: string[];
  wasmHandlers: string[];
}

/** Reads version and feature flags from `--version` (and `info` for youki). */
export function parseVersionOutput(name: string, text: string): VersionProbe {
  // containerd shims answer `-v` with indented "Version:" / "Runtime:" lines
  const shimVersion = /^\s+Version:\s*(\S+)/m.exec(text)?.[1];
  if (shimVersion) {
    const runtime = /^\s+Runtime:\s*(\S+)/m.exec(text)?.[1];
    return { version: shimVersion, features: [], wasmHandlers: runtime ? [runtime] : [] };
  }
  const first = text.split('\n')[0] ?? '';
  const m = /version:?\s+v?([^\s]+)/i.exec(first) ?? /([0-9]+\.[0-9]+[^\s]*)/.exec(first);
  const version = m?.[1] ?? (first.trim() || null);
  const features: string[] = [];
  for (const line of text.split('\n')) {
    const tokens = line.trim().split(/\s+/);
    if (tokens.length > 0 && tokens.every((t) => /^[+-][A-Za-z0-9_:.]+$/.test(t))) features.push(...tokens);
  }
  const wasmHandlers = features
    .filter((f) => f.startsWith('+WASM:'))
    .flatMap((f) => f.slice('+WASM:'.length).split(','))
    .filter(Boolean);
  void name;
  return { version, features, wasmHandlers };
}

/** A failed build recorded by scripts/setup.sh, under the runtime's name or its binary's. */
function setupFailure(def: RuntimeDefinition): string | null {
  // a recorded binary's file name is not its own (crun-wasmedge's is `crun`)
  // one configuration of a runtime set-up builds (crun-engines/wasmtime) fails with that runtime too
  const own = def.name.includes('/') && def.recorded ? [slug(def.name), def.name.split('/')[0] ?? def.name] : [slug(def.name)];
  const names = def.recorded ? own : [...own, def.binary, def.binary.replace(/-v\d+$/, '')];
  return statusMarker(new Set(names), 'failed', 'its build failed (no reason recorded)');
}

/**
 * Why a configuration its set-up chose not to provide is absent: an optional part that tier does
 * not build (crun-engines/wasmer without a libwasmer). Not a failure: the runtime is missing.
 */
function setupMissing(def: RuntimeDefinition): string | null {
  return def.recorded ? statusMarker([slug(def.name)], 'missing', 'its set-up did not provide it') : null;
}

/** A failed build of the Wasm runtime an in-image configuration carries (scripts/build-wasmtime-cli.sh). */
function inImageFailure(via: WasmVia): string | null {
  return statusMarker([`${basename(via.runtimePath)}-cli`, via.rootfs], 'failed', 'its build failed (no reason recorded)');
}

/** Wasm handlers a build records beside the binary when `--version` cannot say (youki). */
function recordedWasmHandlers(name: string): string[] {
  const file = join(cacheStatusDir, `${name}.wasm`);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split(/\s+/).filter(Boolean);
}

export async function probeRuntime(def: RuntimeDefinition): Promise<RuntimeInfo> {
  const base = {
    name: def.name,
    kind: def.kind,
    features: [] as string[],
    wasmHandlers: [] as string[],
    globalArgs: def.globalArgs,
    ...(def.wasm ? { wasmAnnotations: def.wasm.annotations } : {}),
    ...(def.wasmOnly ? { wasmOnly: true } : {}),
    ...(def.handler ? { handler: def.handler } : {}),
    ...(def.wasmVia ? { wasmVia: def.wasmVia } : {}),
    ...(def.wasmModules ? { wasmModules: def.wasmModules } : {}),
    ...(def.wasmLayers ? { wasmLayers: def.wasmLayers } : {}),
  };
  const notProvided = setupMissing(def);
  if (notProvided) return { ...base, path: null, version: null, status: 'missing', reason: notProvided };
  const found = locate(def);
  const failed = setupFailure(def) ?? (def.wasmVia ? inImageFailure(def.wasmVia) : null);
  if ('missing' in found) {
    return failed
      ? { ...base, path: null, version: null, status: 'broken', reason: `set-up failed: ${failed}` }
      : { ...base, path: null, version: null, status: 'missing', reason: found.missing };
  }
  const path = found.path;
  try {
    // containerd shims take Go-style `-v`; OCI runtimes `--version`
    const flag = def.kind === 'containerd-shim' ? '-v' : '--version';
    const ask = () => execa(path, [flag], { timeout: 10_000, reject: false, all: true });
    let r = await ask();
    // asked once more before it is called broken: youki 0.7 fails now and then to seal its
    // own /proc/self/exe, and a runtime judged broken is not measured at all
    if (!r.timedOut && r.exitCode !== 0) r = await ask();
    if (r.timedOut) return { ...base, path, version: null, status: 'broken', reason: `${path} ${flag} hung for 10 s` };
    if (r.exitCode !== 0) {
      const line = (r.all ?? '').split('\n')[0] ?? '';
      return { ...base, path, version: null, status: 'broken', reason: `${path} ${flag} exited ${r.exitCode}: ${line}` };
    }
    const viaMissing = def.wasmVia && !failed ? inImageRootfsMissing(def.wasmVia, ociArch()) : null;
    if (viaMissing) return { ...base, path, version: null, status: 'missing', reason: viaMissing };
    const modulesMissing = def.wasmModules && !failed ? wasmModulesMissing(def.wasmModules, ociArch()) : null;
    if (modulesMissing) return { ...base, path, version: null, status: 'missing', reason: modulesMissing };
    const layersMissing = def.wasmLayers && !failed ? wasmLayersMissing(def.wasmLayers) : null;
    if (layersMissing) return { ...base, path, version: null, status: 'missing', reason: layersMissing };
    const probe = parseVersionOutput(def.name, r.all ?? '');
    const wasmHandlers = [...new Set([...probe.wasmHandlers, ...recordedWasmHandlers(def.name)])];
    const engine = def.engine ? engineInfo(def, def.engine, path) : null;
    return {
      ...base,
      ...(engine ? { engine } : {}),
      path,
      version: probe.version,
      features: probe.features,
      wasmHandlers,
      status: failed ? 'broken' : 'ok',
      reason: failed ? `set-up failed: ${failed}` : null,
    };
  } catch (e) {
    return { ...base, path, version: null, status: 'broken', reason: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * A RuntimeClass has no binary on this machine: the kubernetes layer reaches it through the
 * cluster, whose probe pod says whether it works. It is measurable in a run of the kubernetes
 * layer alone. Its handler is the RuntimeClass's name; '' names none (the node's default).
 */
export function runtimeClassInfo(def: RuntimeDefinition, layers: readonly Layer[]): RuntimeInfo {
  const engine = def.engine ? engineInfo(def, def.engine, '') : null;
  const where = def.handler === '' ? "the node's default runtime" : `RuntimeClass ${def.handler ?? def.name}`;
  return {
    name: def.name,
    kind: def.kind,
    path: null,
    version: null,
    features: [],
    wasmHandlers: [],
    ...(layers.length === 1 && layers[0] === 'kubernetes'
      ? { status: 'ok' as const, reason: null }
      : { status: 'missing' as const, reason: `${where} is only measured at the kubernetes layer (layers: [kubernetes])` }),
    globalArgs: def.globalArgs,
    ...(def.wasm ? { wasmAnnotations: def.wasm.annotations } : {}),
    ...(def.handler !== undefined ? { handler: def.handler } : {}),
    ...(engine ? { engine } : {}),
  };
}

/**
 * The engine with the version set-up recorded for it. A recorded version describes what set-up
 * built: it is taken for a binary in runbench's cache, one set-up recorded, or an engine in the
 * image; a binary of the same name found elsewhere on PATH gets none rather than a wrong one.
 */
function engineInfo(def: RuntimeDefinition, spec: EngineSpec, path: string): EngineInfo {
  let version: string | null = null;
  const ours = def.recorded !== undefined || def.wasmVia !== undefined || realpathOr(path).startsWith(`${realpathOr(cacheDir)}/`);
  if (typeof spec.version === 'string') version = spec.version;
  else if (spec.version && ours) {
    const raw = readCacheEnv(spec.version.file)[spec.version.key];
    // a Debian version (0.14.1+dfsg-3.1) names its upstream release first
    version = raw ? (/^\d+(?:\.\d+)*/.exec(raw)?.[0] ?? raw) : null;
  }
  return { name: spec.name, version, mode: spec.mode };
}

function realpathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** Runtimes named in the status directory that runbench does not know by name. */
export function statusNames(): string[] {
  try {
    return readdirSync(cacheStatusDir)
      .filter((f) => f.endsWith('.failed'))
      .map((f) => f.slice(0, -'.failed'.length));
  } catch {
    return [];
  }
}
