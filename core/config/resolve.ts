/**
 * Resolution: file + command-line flags + defaults into one ResolvedConfig. Flags win over
 * the file; names are checked against the catalogue; errors name the key path and position.
 */
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { UserError } from '../errors.ts';
import { DEFAULT_HANG_FACTOR, hangFactorProblem } from '../hang-deadline.ts';
import { KNOWN_RUNTIMES, parseRuntimeSpec, type RuntimeDefinition } from '../runtimes.ts';
import { Layer, WorkloadKind } from '../schema.ts';
import { validateConfig } from './diagnostics.ts';
import { configError, type ConfigSource, type KeyPath } from './positions.ts';
import type { ConfigFile, MetricThreshold, RuntimeEntry } from './schema.ts';
import type { Catalogue, ConfigFlags, OutputOptions, Resolution, ResolvedConfig, ResolvedMetricThreshold, ResolvedThresholds } from './types.ts';
import { parseBound, parseDuration, parsePercent } from './units.ts';

export const DEFAULTS = {
  layers: ['oci'] as Layer[],
  workloadKinds: ['native', 'wasm'] as WorkloadKind[],
  runs: 30,
  warmup: 3,
  blocks: 5,
  concurrency: 4,
  churnContainers: 20,
  timeoutMs: 60_000,
  out: 'runbench-results',
} as const;

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
  const engine = e.engine ? { name: e.engine.name, mode: e.engine.mode, ...(e.engine.version ? { version: e.engine.version } : {}) } : ways === 0 ? base?.engine : undefined;
  const common = { name: e.name, globalArgs, ...(wasm ? { wasm: { annotations: { ...wasm.annotations } } } : {}), ...(engine ? { engine } : {}) };
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
      maxRegressionPercent: t.maxRegression !== undefined ? parsePercent(t.maxRegression) : null,
    };
  });
  const c = file.thresholds?.conformance;
  return {
    metrics,
    conformance: c ? { maxMustFailures: c.maxMustFailures ?? null, maxShouldFailures: c.maxShouldFailures ?? null } : null,
    maxFailureRatePercent: file.thresholds?.maxFailureRate !== undefined ? parsePercent(file.thresholds.maxFailureRate) : null,
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

  const layers = flags.layer && flags.layer.length > 0 ? flagNames(flags.layer, Layer.options, '--layer', 'layer') : (file.layers ?? [...(cat.defaultLayers ?? DEFAULTS.layers)]);
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
    timeoutMs = typeof file.timeout === 'number' ? file.timeout : parseDuration(file.timeout, 'ms');
    if (!(timeoutMs >= 100)) throw configError(src, ['timeout'], `must be at least 100ms, got '${String(file.timeout)}'`);
  }

  const hangFactor = flags.hangFactor ?? file.hangFactor ?? DEFAULT_HANG_FACTOR;
  const hangProblem = flags.hangFactor === undefined && file.hangFactor !== undefined ? hangFactorProblem(file.hangFactor) : null;
  if (hangProblem) throw configError(src, ['hangFactor'], hangProblem);

  const config: ResolvedConfig = {
    runtimes,
    layers,
    suites,
    workloadKinds,
    runs: flags.runs ?? file.runs ?? DEFAULTS.runs,
    warmup: flags.warmup ?? file.warmup ?? DEFAULTS.warmup,
    blocks: flags.blocks ?? file.blocks ?? DEFAULTS.blocks,
    concurrency: flags.concurrency ?? file.concurrency ?? DEFAULTS.concurrency,
    churnContainers: flags.churn ?? file.churn ?? DEFAULTS.churnContainers,
    timeoutMs,
    hangFactor,
    architectures,
    thresholds: resolveThresholds(src, file, cat),
  };
  const output: OutputOptions = {
    out: flags.out !== undefined ? resolve(flags.out) : (fromFile(file.out) ?? resolve(DEFAULTS.out)),
    baseline: flags.baseline !== undefined ? resolve(flags.baseline) : (fromFile(file.baseline) ?? null),
    json: flags.json ?? false,
    quiet: flags.quiet ?? false,
  };
  return { config, output, source: src ? src.path : null, suitesNamed: Boolean(flags.suite?.length) || file.suites !== undefined,
    layersNamed: Boolean(flags.layer?.length) || file.layers !== undefined,
  };
}
