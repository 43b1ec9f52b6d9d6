/**
 * The run configuration: one file (YAML or JSON) describing the matrix (runtimes, layers,
 * suites, workloads, repetitions) and the thresholds that gate a CI job. One zod schema
 * validates it and is also published as JSON Schema (schema/runbench.config.schema.json).
 * Resolution turns file + command-line flags + defaults into one ResolvedConfig; errors
 * name the key path and the file position, as one line.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { ExitCode, UserError } from './errors.ts';
import { KNOWN_RUNTIMES, parseRuntimeSpec, type RuntimeDefinition } from './runtimes.ts';
import { Layer, WorkloadKind, type Unit } from './schema.ts';

// ---------------------------------------------------------------------------------------
// The file format
// ---------------------------------------------------------------------------------------

// One '/' may join two parts: the base runtime and the way it runs Wasm (runc/wasmtime-in-image).
const RUNTIME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]*(\/[a-zA-Z0-9][a-zA-Z0-9._-]*)?$/;
const DURATION = /^(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s|m)$/;
const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB|kB|KB|MB|GB)$/;
const PERCENT = /^(\d+(?:\.\d+)?)\s*%$/;

const Duration = z.union([z.number().positive(), z.string().regex(DURATION, 'expected a duration such as 500ms, 20s or 1m')]);
/** A bound in the metric's unit: a duration for times, a size for bytes, a number otherwise. */
const Bound = z
  .union([z.number(), z.string()])
  .describe("a limit in the metric's unit: a duration for times ('20ms', '800us'), a size for bytes ('64MiB'), a plain number otherwise");

export const RuntimeEntry = z
  .strictObject({
    name: z
      .string()
      .regex(RUNTIME_NAME, "letters, digits, '.', '_' or '-', with at most one '/' between two parts")
      .describe('the name results are labelled with'),
    binary: z.string().min(1).optional().describe('OCI runtime binary: a name searched on PATH and in the runbench cache, or a path (relative to this file)'),
    shim: z.string().min(1).optional().describe('containerd runtime type, e.g. io.containerd.spin.v2 (the containerd layer)'),
    runtimeClass: z.string().min(1).optional().describe('Kubernetes RuntimeClass name (the kubernetes layer)'),
    globalArgs: z.array(z.string()).optional().describe('arguments placed before every subcommand, e.g. --platform=ptrace'),
    wasm: z
      .strictObject({ annotations: z.record(z.string(), z.string()) })
      .optional()
      .describe('Wasm modules run with these OCI annotations, e.g. run.oci.handler: wasm'),
    description: z.string().optional(),
  })
  .describe('a runtime: a known name alone, or a name with how to reach it');
export type RuntimeEntry = z.infer<typeof RuntimeEntry>;

export const Stat = z.enum(['median', 'p50', 'p95', 'p99', 'mean', 'min', 'max']);
export type Stat = z.infer<typeof Stat>;

export const MetricThreshold = z
  .strictObject({
    metric: z.string().describe("suite.metric, e.g. 'startup.run' (see runbench list)"),
    runtime: z.string().optional().describe('only this runtime (default every runtime)'),
    layer: Layer.optional(),
    workload: z.string().optional(),
    workloadKind: WorkloadKind.optional(),
    stat: Stat.optional().describe('which statistic of the samples is checked (default median; p50 is the median)'),
    max: Bound.optional().describe('absolute upper bound'),
    min: Bound.optional().describe('absolute lower bound'),
    maxRegression: z
      .string()
      .regex(PERCENT, "expected a percentage such as '5%'")
      .optional()
      .describe("largest change in the worse direction against the baseline, e.g. '5%'"),
  })
  .describe('a bound on one metric; at least one of max, min, maxRegression');
export type MetricThreshold = z.infer<typeof MetricThreshold>;

export const ConformanceThreshold = z.strictObject({
  maxMustFailures: z.number().int().nonnegative().optional().describe('failed MUST checks allowed (0: none)'),
  maxShouldFailures: z.number().int().nonnegative().optional().describe('failed SHOULD checks allowed'),
});

const PositiveInt = z.number().int().positive();

export const ConfigFile = z
  .strictObject({
    $schema: z.string().optional(),
    runtimes: z
      .array(z.union([z.string().regex(RUNTIME_NAME), RuntimeEntry]))
      .min(1)
      .optional()
      .describe('runtimes to measure (default every known runtime found on this machine)'),
    layers: z.array(Layer).min(1).optional().describe('how the runtimes are driven (default [oci])'),
    suites: z.array(z.string()).min(1).optional().describe('suites to run (default all)'),
    workloads: z.strictObject({ kinds: z.array(WorkloadKind).min(1).optional().describe('workload builds to run (default native and wasm)') }).optional(),
    runs: PositiveInt.optional().describe('samples per metric (default 30)'),
    warmup: z.number().int().nonnegative().optional().describe('warmup runs before each metric (default 3)'),
    concurrency: PositiveInt.optional().describe('parallel containers in the churn test (default 4)'),
    churn: PositiveInt.optional().describe('containers per churn round (default 20)'),
    timeout: Duration.optional().describe('deadline for one operation; a number is milliseconds (default 60s)'),
    architectures: z.array(z.string().min(1)).min(1).optional().describe('architectures to measure (default the host)'),
    out: z.string().min(1).optional().describe('directory for results.json and results.csv, relative to this file'),
    baseline: z.string().min(1).optional().describe('results.json of an earlier run, for relative thresholds; relative to this file'),
    thresholds: z
      .strictObject({
        metrics: z.array(MetricThreshold).optional(),
        conformance: ConformanceThreshold.optional(),
      })
      .optional()
      .describe('bounds checked at the end of the run; a breach exits 3 (4 for conformance)'),
  })
  .describe('runbench run configuration');
export type ConfigFile = z.infer<typeof ConfigFile>;

/** The published JSON Schema, generated from ConfigFile (npm run schema writes it). */
export function configJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(ConfigFile, { target: 'draft-2020-12' }) as Record<string, unknown>;
  return { ...generated, title: 'runbench configuration' };
}

// ---------------------------------------------------------------------------------------
// Reading a file, with positions
// ---------------------------------------------------------------------------------------

export type KeyPath = readonly (string | number)[];

export function formatPath(path: KeyPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out || '(top level)';
}

/** A parsed config file: its data plus a way to turn a key path into line:column. */
export interface ConfigSource {
  path: string;
  /** As the user wrote it, for messages. */
  display: string;
  data: unknown;
  locate(path: KeyPath, key?: boolean): { line: number; col: number } | null;
}

/** An error in a config file, pinned to a key path; printed `file:line:col: path: message`. */
export function configError(src: ConfigSource | null, path: KeyPath, message: string, key = false): UserError {
  if (!src) return new UserError(`${formatPath(path)}: ${message}`, ExitCode.usage);
  const pos = src.locate(path, key);
  const where = pos ? `${src.display}:${pos.line}:${pos.col}` : src.display;
  return new UserError(`${where}: ${formatPath(path)}: ${message}`, ExitCode.usage);
}

export function parseConfigText(text: string, display: string, path = display): ConfigSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    const pos = err.linePos?.[0];
    const msg = err.message.split('\n')[0] ?? err.message;
    throw new UserError(`${display}${pos ? `:${pos.line}:${pos.col}` : ''}: ${msg.replace(/ at line \d+, column \d+.*$/, '')}`, ExitCode.usage);
  }
  const data: unknown = doc.toJS() ?? {};
  return { path, display, data, locate: (p, key) => locateIn(doc, lineCounter, p, key ?? false) };
}

export function readConfigFile(file: string): ConfigSource {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read config file ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, ExitCode.usage);
  }
  return parseConfigText(text, file, resolve(file));
}

function locateIn(doc: Document, lc: LineCounter, path: KeyPath, wantKey: boolean): { line: number; col: number } | null {
  let node: unknown = doc.contents;
  let best: [number, number, number] | undefined = (node as { range?: [number, number, number] } | null)?.range;
  let keyRange: [number, number, number] | undefined;
  for (const seg of path) {
    keyRange = undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      keyRange = (pair.key as { range?: [number, number, number] }).range;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
    } else {
      break;
    }
    const r = (node as { range?: [number, number, number] } | null)?.range;
    if (r) best = r;
    else if (keyRange) best = keyRange;
  }
  const range = wantKey && keyRange ? keyRange : best;
  if (!range) return null;
  return lc.linePos(range[0]);
}

// ---------------------------------------------------------------------------------------
// Validation messages: one line, the first problem in file order
// ---------------------------------------------------------------------------------------

type Issue = z.core.$ZodIssue;

function valueAt(data: unknown, path: KeyPath): unknown {
  let v: unknown = data;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return typeof v;
}

const EXPECTED_NAMES: Record<string, string> = { object: 'a mapping', record: 'a mapping', array: 'a list' };

/** Flattens union failures into the branch that got furthest, so the message is concrete. */
function flattenIssue(issue: Issue, base: KeyPath): { path: KeyPath; issue: Issue }[] {
  const path = [...base, ...(issue.path as (string | number)[])];
  if (issue.code !== 'invalid_union') return [{ path, issue }];
  const branches = issue.errors as Issue[][];
  const deep = branches.filter((b) => !b.every((i) => i.code === 'invalid_type' && i.path.length === 0));
  if (deep.length > 0) return (deep[deep.length - 1] ?? []).flatMap((i) => flattenIssue(i, path));
  const expected = branches.flatMap((b) => b.map((i) => (i.code === 'invalid_type' ? (EXPECTED_NAMES[i.expected] ?? i.expected) : '')));
  const synthetic = { code: 'invalid_type', expected: [...new Set(expected.filter(Boolean))].join(' or '), path: [], message: '', input: undefined };
  return [{ path, issue: synthetic as unknown as Issue }];
}

function describeIssue(issue: Issue, data: unknown, path: KeyPath): { path: KeyPath; message: string; key: boolean } {
  const value = valueAt(data, path);
  switch (issue.code) {
    case 'invalid_type': {
      const expected = EXPECTED_NAMES[issue.expected] ?? issue.expected;
      if (value === undefined) return { path, message: `required (${expected})`, key: false };
      return { path, message: `expected ${expected}, got ${typeName(value)}`, key: false };
    }
    case 'unrecognized_keys': {
      const k = issue.keys[0] ?? '?';
      const allowed = keysAt(ConfigFile, path);
      const near = allowed.find((a) => editDistance(a.toLowerCase(), k.toLowerCase()) <= 2);
      const hint = near ? ` (did you mean '${near}'?)` : allowed.length ? ` (keys here: ${allowed.join(', ')})` : '';
      return { path: [...path, k], message: `unknown key '${k}'${hint}`, key: true };
    }
    case 'invalid_value':
      return { path, message: `expected one of ${issue.values.map((v) => String(v)).join(', ')}, got '${String(value)}'`, key: false };
    case 'too_small':
      return {
        path,
        message:
          issue.origin === 'array'
            ? `needs at least ${String(issue.minimum)} item(s)`
            : `must be ${issue.inclusive === false ? 'more than' : 'at least'} ${String(issue.minimum)}, got ${String(value)}`,
        key: false,
      };
    case 'invalid_format':
      return { path, message: `${issue.message.replace(/^Invalid string: /, '')}, got '${String(value)}'`, key: false };
    default:
      return { path, message: issue.message, key: false };
  }
}

/** The keys a strict object in the schema accepts at `path`, for hints. */
function keysAt(schema: z.ZodType, path: KeyPath): string[] {
  let node: z.ZodType | undefined = schema;
  const unwrap = (n: z.ZodType | undefined): z.ZodType | undefined => {
    while (n instanceof z.ZodOptional) n = n.unwrap() as z.ZodType;
    return n;
  };
  for (const seg of path) {
    node = unwrap(node);
    if (node instanceof z.ZodObject && typeof seg === 'string') node = node.shape[seg] as z.ZodType | undefined;
    else if (node instanceof z.ZodArray && typeof seg === 'number') node = node.element as z.ZodType;
    else return [];
    node = unwrap(node);
    if (node instanceof z.ZodUnion) node = (node.options as z.ZodType[]).find((o) => o instanceof z.ZodObject || o instanceof z.ZodArray);
  }
  node = unwrap(node);
  return node instanceof z.ZodObject ? Object.keys(node.shape) : [];
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] ?? 0;
      row[j] = Math.min(cur + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length] ?? 0;
}

/** Validates parsed data against ConfigFile; throws one located line on the first problem. */
export function validateConfig(src: ConfigSource): ConfigFile {
  const parsed = ConfigFile.safeParse(src.data);
  if (parsed.success) return parsed.data;
  let all = parsed.error.issues.flatMap((i) => flattenIssue(i, [])).map(({ path, issue }) => describeIssue(issue, src.data, path));
  // A misspelt key also leaves the right one missing: name the misspelling, not the absence.
  const parentOf = (p: KeyPath) => formatPath(p.slice(0, -1));
  const misspelt = new Set(all.filter((d) => d.key).map((d) => parentOf(d.path)));
  all = all.filter((d) => !(d.message.startsWith('required') && misspelt.has(parentOf(d.path))));
  // The first problem in the file, not in schema order.
  const offset = (d: (typeof all)[number]) => {
    const p = src.locate(d.path, d.key);
    return p ? p.line * 1e6 + p.col : Number.MAX_SAFE_INTEGER;
  };
  all.sort((a, b) => offset(a) - offset(b));
  const first = all[0];
  if (!first) throw configError(src, [], 'invalid configuration');
  throw configError(src, first.path, first.message, first.key);
}

// ---------------------------------------------------------------------------------------
// Resolution: file + flags + defaults
// ---------------------------------------------------------------------------------------

export const DEFAULTS = {
  layers: ['oci'] as Layer[],
  workloadKinds: ['native', 'wasm'] as WorkloadKind[],
  runs: 30,
  warmup: 3,
  concurrency: 4,
  churnContainers: 20,
  timeoutMs: 60_000,
  out: 'runbench-results',
} as const;

export interface ResolvedMetricThreshold {
  /** e.g. `startup.run p95 < 20 ms [runtime=crun]`: how breaches name it. */
  text: string;
  suite: string;
  metric: string;
  unit: Unit;
  better: 'lower' | 'higher';
  where: { runtime?: string; layer?: Layer; workload?: string; workloadKind?: WorkloadKind };
  stat: Exclude<Stat, 'p50'>;
  /** In the metric's unit. */
  max: number | null;
  min: number | null;
  /** Percent. */
  maxRegressionPercent: number | null;
}

export interface ResolvedThresholds {
  metrics: ResolvedMetricThreshold[];
  conformance: { maxMustFailures: number | null; maxShouldFailures: number | null } | null;
}

/** Everything that decides what is measured and how it is judged; recorded in every results document. */
export interface ResolvedConfig {
  /** The runtimes to measure; `null` means every known runtime found on the machine. */
  runtimes: RuntimeDefinition[] | null;
  layers: Layer[];
  suites: string[];
  workloadKinds: WorkloadKind[];
  runs: number;
  warmup: number;
  concurrency: number;
  churnContainers: number;
  timeoutMs: number;
  architectures: string[];
  thresholds: ResolvedThresholds;
}

/** Where output goes and which earlier run to compare with: not part of the measured config. */
export interface OutputOptions {
  out: string;
  baseline: string | null;
  json: boolean;
  quiet: boolean;
}

/** Flags actually given on the command line (absent = not given). */
export interface ConfigFlags {
  runtime?: string[];
  layer?: string[];
  suite?: string[];
  workloadKind?: string[];
  arch?: string[];
  runs?: number;
  warmup?: number;
  concurrency?: number;
  churn?: number;
  timeout?: number;
  out?: string;
  baseline?: string;
  json?: boolean;
  quiet?: boolean;
}

/** What resolution checks names against: the registries, passed in so core stays independent of them. */
export interface Catalogue {
  suites: readonly { name: string; metrics: readonly { name: string; unit: Unit; better: 'lower' | 'higher' }[] }[];
  hostArch: string;
  /** Foreign archs this host runs through qemu-user (HostFacts.emulatedArchs). */
  emulatedArchs?: readonly string[];
  knownRuntimes?: readonly RuntimeDefinition[];
}

export interface Resolution {
  config: ResolvedConfig;
  output: OutputOptions;
  /** Absolute path of the config file, or null when none was given. */
  source: string | null;
}

function parseDurationMs(v: number | string): number {
  if (typeof v === 'number') return v;
  const m = DURATION.exec(v);
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  const factor: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000 };
  return n * (factor[m[2] ?? ''] ?? Number.NaN);
}

/** A bound in the metric's unit, or an error message. */
export function parseBound(v: number | string, unit: Unit): number | string {
  if (unit === 'ns') {
    if (typeof v === 'number') return `give a unit for a time, e.g. '${v}ms' or '${v}us'`;
    const m = DURATION.exec(v);
    if (!m) return `expected a duration such as 20ms or 800us, got '${v}'`;
    const factor: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9 };
    return Number(m[1]) * (factor[m[2] ?? ''] ?? Number.NaN);
  }
  if (unit === 'bytes') {
    if (typeof v === 'number') return `give a unit for a size, e.g. '${v}MiB' or '${v}B'`;
    const m = SIZE.exec(v);
    if (!m) return `expected a size such as 64MiB or 512KiB, got '${v}'`;
    const factor: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9 };
    return Number(m[1]) * (factor[m[2] ?? ''] ?? Number.NaN);
  }
  if (typeof v === 'string') {
    const n = Number(v);
    return Number.isFinite(n) && v.trim() !== '' ? n : `expected a number (${unit}), got '${v}'`;
  }
  return v;
}

function shimBinary(runtimeType: string): string {
  // containerd's rule: io.containerd.spin.v2 is served by containerd-shim-spin-v2.
  const parts = runtimeType.split('.');
  if (parts.length >= 2) return `containerd-shim-${parts.slice(-2).join('-')}`;
  return `containerd-shim-${runtimeType}`;
}

function runtimeFromEntry(src: ConfigSource | null, idx: number, entry: string | RuntimeEntry, known: readonly RuntimeDefinition[]): RuntimeDefinition {
  const path = ['runtimes', idx];
  const e: RuntimeEntry = typeof entry === 'string' ? { name: entry } : entry;
  const base = known.find((k) => k.name === e.name);
  const ways = [e.binary, e.shim, e.runtimeClass].filter((x) => x !== undefined).length;
  if (ways > 1) throw configError(src, path, `'${e.name}' gives more than one of binary, shim, runtimeClass: pick one`);
  if (ways === 0 && !base) {
    throw configError(
      src,
      typeof entry === 'string' ? path : [...path, 'name'],
      `unknown runtime '${e.name}': known runtimes are ${known.map((k) => k.name).join(', ')}; give another with binary (or shim, runtimeClass)`,
    );
  }
  const fileDir = src ? dirname(src.path) : process.cwd();
  const globalArgs = e.globalArgs ?? base?.globalArgs ?? [];
  const wasm = e.wasm ?? (ways === 0 ? base?.wasm : undefined);
  const common = { name: e.name, globalArgs, ...(wasm ? { wasm: { annotations: { ...wasm.annotations } } } : {}) };
  if (e.shim) {
    return { ...common, kind: 'containerd-shim', binary: shimBinary(e.shim), handler: e.shim, description: e.description ?? `containerd runtime ${e.shim}` };
  }
  if (e.runtimeClass) {
    return { ...common, kind: 'runtime-class', binary: '', handler: e.runtimeClass, description: e.description ?? `Kubernetes RuntimeClass ${e.runtimeClass}` };
  }
  if (e.binary) {
    // A bare name is looked up on PATH; anything with a slash is a path relative to the file.
    const binary = e.binary.includes('/') && !isAbsolute(e.binary) ? join(fileDir, e.binary) : e.binary;
    return { ...common, kind: 'oci', binary, description: e.description ?? base?.description ?? `OCI runtime ${e.binary}` };
  }
  return { ...(base as RuntimeDefinition), ...common, description: e.description ?? base?.description ?? '' };
}

function checkNames(src: ConfigSource | null, path: KeyPath, names: readonly string[], allowed: readonly string[], what: string): void {
  names.forEach((n, i) => {
    if (!allowed.includes(n)) throw configError(src, [...path, i], `unknown ${what} '${n}': ${what}s are ${allowed.join(', ')}`);
  });
}

function flagNames<T extends string>(values: string[], allowed: readonly T[], flag: string, what: string): T[] {
  for (const v of values) if (!allowed.includes(v as T)) throw new UserError(`${flag}: unknown ${what} '${v}': ${what}s are ${allowed.join(', ')}`);
  return values as T[];
}

function thresholdText(t: MetricThreshold, stat: string): string {
  const bounds: string[] = [];
  if (t.max !== undefined) bounds.push(`< ${String(t.max)}`);
  if (t.min !== undefined) bounds.push(`> ${String(t.min)}`);
  if (t.maxRegression !== undefined) bounds.push(`regression <= ${t.maxRegression}`);
  const where = (['runtime', 'layer', 'workload', 'workloadKind'] as const).filter((k) => t[k] !== undefined).map((k) => `${k}=${String(t[k])}`);
  return `${t.metric} ${stat} ${bounds.join(', ')}${where.length ? ` [${where.join(', ')}]` : ''}`;
}

function resolveThresholds(src: ConfigSource | null, file: ConfigFile, cat: Catalogue): ResolvedThresholds {
  const metrics = (file.thresholds?.metrics ?? []).map((t, i): ResolvedMetricThreshold => {
    const path = ['thresholds', 'metrics', i];
    const [suiteName, metricName, ...rest] = t.metric.split('.');
    const suite = cat.suites.find((s) => s.name === suiteName);
    const info = suite?.metrics.find((m) => m.name === metricName);
    if (!suite || !info || rest.length > 0 || !metricName) {
      const all = cat.suites.flatMap((s) => s.metrics.map((m) => `${s.name}.${m.name}`));
      throw configError(src, [...path, 'metric'], `unknown metric '${t.metric}': metrics are ${all.join(', ')}`);
    }
    if (t.max === undefined && t.min === undefined && t.maxRegression === undefined) {
      throw configError(src, path, 'give at least one of max, min, maxRegression');
    }
    const bound = (key: 'max' | 'min'): number | null => {
      const v = t[key];
      if (v === undefined) return null;
      const b = parseBound(v, info.unit);
      if (typeof b === 'string') throw configError(src, [...path, key], b);
      return b;
    };
    const stat = t.stat === 'p50' || t.stat === undefined ? 'median' : t.stat;
    return {
      text: thresholdText(t, t.stat ?? 'median'),
      suite: suite.name,
      metric: info.name,
      unit: info.unit,
      better: info.better,
      where: {
        ...(t.runtime !== undefined ? { runtime: t.runtime } : {}),
        ...(t.layer !== undefined ? { layer: t.layer } : {}),
        ...(t.workload !== undefined ? { workload: t.workload } : {}),
        ...(t.workloadKind !== undefined ? { workloadKind: t.workloadKind } : {}),
      },
      stat,
      max: bound('max'),
      min: bound('min'),
      maxRegressionPercent: t.maxRegression !== undefined ? Number(PERCENT.exec(t.maxRegression)?.[1]) : null,
    };
  });
  const c = file.thresholds?.conformance;
  return {
    metrics,
    conformance: c ? { maxMustFailures: c.maxMustFailures ?? null, maxShouldFailures: c.maxShouldFailures ?? null } : null,
  };
}

/**
 * File + flags + defaults -> one resolved config. Flags win over the file; paths in the
 * file are relative to the file, paths in flags to the working directory.
 */
export function resolveConfig(src: ConfigSource | null, flags: ConfigFlags, cat: Catalogue): Resolution {
  const file: ConfigFile = src ? validateConfig(src) : {};
  const known = cat.knownRuntimes ?? KNOWN_RUNTIMES;
  const fileDir = src ? dirname(src.path) : process.cwd();
  const fromFile = (p: string | undefined) => (p === undefined ? undefined : resolve(fileDir, p));

  // Runtimes: each definition from the file; a flag picks among them by name, or adds NAME=PATH.
  const fileRuntimes = file.runtimes?.map((e, i) => runtimeFromEntry(src, i, e, known)) ?? null;
  fileRuntimes?.forEach((d, i) => {
    if (fileRuntimes.findIndex((x) => x.name === d.name) !== i) throw configError(src, ['runtimes', i], `runtime '${d.name}' is named twice`);
  });
  let runtimes: RuntimeDefinition[] | null = fileRuntimes;
  if (flags.runtime && flags.runtime.length > 0) {
    runtimes = flags.runtime.map((spec) => (spec.includes('=') ? null : fileRuntimes?.find((d) => d.name === spec)) ?? parseRuntimeSpec(spec));
    runtimes.forEach((d, i) => {
      if (runtimes?.findIndex((x) => x.name === d.name) !== i) throw new UserError(`--runtime: runtime '${d.name}' is named twice`);
    });
  }

  const suiteNames = cat.suites.map((s) => s.name);
  let suites: string[];
  if (flags.suite && flags.suite.length > 0) suites = flagNames(flags.suite, suiteNames, '--suite', 'suite');
  else if (file.suites) {
    checkNames(src, ['suites'], file.suites, suiteNames, 'suite');
    suites = file.suites;
  } else suites = [...suiteNames];

  const layers = flags.layer && flags.layer.length > 0 ? flagNames(flags.layer, Layer.options, '--layer', 'layer') : (file.layers ?? [...DEFAULTS.layers]);
  const workloadKinds =
    flags.workloadKind && flags.workloadKind.length > 0
      ? flagNames(flags.workloadKind, WorkloadKind.options, '--workload-kind', 'workload kind')
      : (file.workloads?.kinds ?? [...DEFAULTS.workloadKinds]);

  // The host's own arch, or one the kernel runs through qemu-user (labelled emulated).
  const runnable = [cat.hostArch, ...(cat.emulatedArchs ?? [])];
  const cannot = (a: string) =>
    `${a} cannot run on this ${cat.hostArch} host: runnable here are ${runnable.join(', ')} (foreign archs need qemu-user-static registered with binfmt_misc: scripts/setup.sh)`;
  let architectures: string[];
  if (flags.arch && flags.arch.length > 0) {
    for (const a of flags.arch) if (!runnable.includes(a)) throw new UserError(`--arch: ${cannot(a)}`);
    architectures = flags.arch;
  } else {
    architectures = file.architectures ?? [cat.hostArch];
    architectures.forEach((a, i) => {
      if (!runnable.includes(a)) throw configError(src, ['architectures', i], cannot(a));
    });
  }

  // A shim or a RuntimeClass is driven by its own layer, never by the OCI CLI runner: at
  // other layers of the matrix it is skipped with that reason, but a matrix with none of
  // its layers would measure nothing of it.
  if (runtimes) {
    const drives = (d: RuntimeDefinition) =>
      d.kind === 'oci' || (d.kind === 'containerd-shim' ? layers.some((l) => l !== 'oci') : layers.includes('kubernetes'));
    const i = runtimes.findIndex((d) => !drives(d));
    const d = runtimes[i];
    if (d) {
      const layer = d.kind === 'containerd-shim' ? 'containerd' : 'kubernetes';
      const msg = `'${d.name}' is a ${d.kind === 'containerd-shim' ? 'containerd shim' : 'RuntimeClass'}, which the ${layers.join(', ')} layer cannot drive: add ${layer} to layers`;
      throw fileRuntimes?.includes(d) ? configError(src, ['runtimes', fileRuntimes.indexOf(d)], msg) : new UserError(msg);
    }
  }

  let timeoutMs: number = flags.timeout ?? DEFAULTS.timeoutMs;
  if (flags.timeout === undefined && file.timeout !== undefined) {
    timeoutMs = parseDurationMs(file.timeout);
    if (!(timeoutMs >= 100)) throw configError(src, ['timeout'], `must be at least 100ms, got '${String(file.timeout)}'`);
  }

  const config: ResolvedConfig = {
    runtimes,
    layers,
    suites,
    workloadKinds,
    runs: flags.runs ?? file.runs ?? DEFAULTS.runs,
    warmup: flags.warmup ?? file.warmup ?? DEFAULTS.warmup,
    concurrency: flags.concurrency ?? file.concurrency ?? DEFAULTS.concurrency,
    churnContainers: flags.churn ?? file.churn ?? DEFAULTS.churnContainers,
    timeoutMs,
    architectures,
    thresholds: resolveThresholds(src, file, cat),
  };
  const output: OutputOptions = {
    out: flags.out !== undefined ? resolve(flags.out) : (fromFile(file.out) ?? resolve(DEFAULTS.out)),
    baseline: flags.baseline !== undefined ? resolve(flags.baseline) : (fromFile(file.baseline) ?? null),
    json: flags.json ?? false,
    quiet: flags.quiet ?? false,
  };
  return { config, output, source: src ? src.path : null };
}

/** JSON with object keys sorted at every level: equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

export function configDigest(value: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(value)).digest('hex')}`;
}
