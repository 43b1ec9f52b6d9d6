/** `runbench run`: measure the runtimes. */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { calibrateHarness } from '../../core/calibrate.ts';
import { parseDuration } from '../../core/config/units.ts';
import { DEFAULT_DENSITY_MAX, DEFAULT_DENSITY_TIME_MS } from '../../core/density.ts';
import { readConfigFile, resolveConfig, type ConfigFlags, type ResolvedConfig } from '../../core/config/index.ts';
import { ExitCode, Interrupted, UserError } from '../../core/errors.ts';
import { EventBus } from '../../core/events.ts';
import { DEFAULT_HANG_FACTOR, HANG_AFTER_SUCCESSES, HANG_FLOOR_MS, hangFactorProblem } from '../../core/hang-deadline.ts';
import { hostFacts } from '../../core/host.ts';
import { runPipeline } from '../../core/pipeline.ts';
import { KNOWN_RUNTIMES, probeRuntime, runtimeClassInfo, type RuntimeDefinition } from '../../core/runtimes.ts';
import { type HostFacts, type Invocation, Layer, WorkloadKind, type ResultsDocument, type RuntimeInfo } from '../../core/schema.ts';
import { breachExitCode, checkThresholds } from '../../core/thresholds.ts';
import { toCsv } from '../../reports/csv.ts';
import { toReliabilityCsv } from '../../reports/reliability.ts';
import { toMarkdownSummary } from '../../reports/markdown-summary.ts';
import { readResults, toJson, writeAtomic } from '../../reports/json.ts';
import { toTable } from '../../reports/table.ts';
import { createContainerdRunner } from '../../runners/containerd/index.ts';
import { RUNNERS } from '../../runners/index.ts';
import { createCriRunner } from '../../runners/cri/index.ts';
import { clusterArchs, parseByteSize, withKubernetesFlags, type KubernetesFlags } from '../../runners/kubernetes/index.ts';
import type { Runner, RunnerSession } from '../../core/runner.ts';
import { SUITES } from '../../suites/index.ts';
import { attachProgress } from '../progress.ts';
import { appendStepSummary } from '../step-summary.ts';
import { cleanBeforeRun } from './clean.ts';
import type { RegisterCommand } from './types.ts';

/** Absolute paths of files that exist, or a usage error naming the flag. */
export function existingPaths(flag: string, paths: readonly string[]): string[] {
  return paths.map((p) => {
    const abs = resolve(p);
    if (!existsSync(abs)) throw new UserError(`${flag}: ${p} does not exist`);
    return abs;
  });
}

export function positiveInt(name: string, min = 1) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number, got '${value}'`);
    const n = Number(value);
    if (n < min) throw new InvalidArgumentError(`${name} must be at least ${min}, got ${n}`);
    return n;
  };
}

export function list(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

export interface RunFlags extends ConfigFlags, KubernetesFlags {
  config?: string;
  containerdAddress?: string;
  densityBudget?: number;
  densityMax?: number;
  densityTime?: number;
  /** false with --no-step-summary: nothing appended to $GITHUB_STEP_SUMMARY. */
  stepSummary?: boolean;
  containerd?: string[];
}

/** Probes the runtimes; by default every known runtime found is measured, one named is reported even when missing. */
async function probeRuntimes(defs: RuntimeDefinition[] | null, layers: readonly Layer[]): Promise<{ infos: RuntimeInfo[]; defs: RuntimeDefinition[] }> {
  // a RuntimeClass runbench knows (the node's default) is measured when named, never by default
  const all = defs ?? KNOWN_RUNTIMES.filter((d) => d.kind !== 'runtime-class');
  const infos = await Promise.all(all.map((d) => probeOne(d, layers)));
  if (defs) return { infos, defs };
  const found = infos.map((info, i) => ({ info, def: all[i] as RuntimeDefinition })).filter((x) => x.info.status !== 'missing');
  return { infos: found.map((x) => x.info), defs: found.map((x) => x.def) };
}

function probeOne(def: RuntimeDefinition, layers: readonly Layer[]): Promise<RuntimeInfo> {
  return def.kind === 'runtime-class' ? Promise.resolve(runtimeClassInfo(def, layers)) : probeRuntime(def);
}

/** Sessions that skip the workload kinds the config leaves out, saying so. */
export function selectKinds(runners: Partial<Record<Layer, Runner>>, kinds: readonly WorkloadKind[]): Partial<Record<Layer, Runner>> {
  if (WorkloadKind.options.every((k) => kinds.includes(k))) return runners;
  const out: Partial<Record<Layer, Runner>> = {};
  for (const [layer, runner] of Object.entries(runners) as [Layer, Runner][]) {
    out[layer] = {
      layer: runner.layer,
      description: runner.description,
      unavailable: (host) => runner.unavailable(host),
      // a runtime the layer cannot drive (a shim at the oci layer) stays refused, with its reason
      ...(runner.refuses ? { refuses: (runtime: RuntimeInfo) => runner.refuses?.(runtime) ?? null } : {}),
      open: async (runtime, ctx) => {
        const session = await runner.open(runtime, ctx);
        const supports: RunnerSession['supports'] = (kind) =>
          kinds.includes(kind) ? session.supports(kind) : { reason: `${kind} workloads are not selected (workloads.kinds: ${kinds.join(', ')})` };
        return new Proxy(session, {
          get(target, prop) {
            if (prop === 'supports') return supports;
            const v: unknown = Reflect.get(target, prop, target);
            return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
          },
        });
      },
    };
  }
  return out;
}

function installSignalHandlers(controller: AbortController): () => void {
  const handler = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      process.stderr.write(`\n${signal}: stopping and cleaning up…\n`);
      controller.abort(signal);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  process.on('SIGHUP', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
    process.off('SIGHUP', handler);
  };
}

/**
 * The layers a run measures when neither --layer nor the config names any: the OCI layer, and
 * containerd's wherever containerd is usable here (where the Wasm shims are measured), with
 * the reason the containerd layer is left out otherwise.
 */
export function defaultLayers(host: HostFacts, containerd: Runner | undefined): { layers: Layer[]; note: string } {
  const why = containerd ? containerd.unavailable(host) : 'no containerd runner';
  return why === null
    ? { layers: ['oci', 'containerd'], note: 'layers: oci, containerd (the default where containerd is usable; --layer oci for the OCI layer alone)' }
    : { layers: ['oci'], note: `layers: oci (the default; the containerd layer is left out: ${why})` };
}

export async function runCommand(flags: RunFlags, invocation: Invocation | null = null): Promise<number> {
  const host = hostFacts();
  const source = flags.config ? readConfigFile(flags.config) : null;
  const containerdRunner = flags.containerdAddress ? createContainerdRunner({ address: resolve(flags.containerdAddress) }) : RUNNERS.containerd;
  const layerDefault = defaultLayers(host, containerdRunner);
  const { config, output, suitesNamed, layersNamed } = resolveConfig(source, flags, {
    suites: SUITES,
    hostArch: host.arch,
    emulatedArchs: host.emulatedArchs ?? [],
    defaultLayers: layerDefault.layers,
  });
  const baseline = output.baseline ? readResults(output.baseline) : null;
  const { infos: runtimes, defs } = await probeRuntimes(config.runtimes, config.layers);
  await cleanBeforeRun();
  if (runtimes.length === 0) throw new UserError('no runtime found: install one (scripts/setup.sh) or name one as NAME=PATH', ExitCode.usage);
  if (!layersNamed && !output.quiet) process.stderr.write(`${layerDefault.note}\n`);
  // What the results record: the config as resolved, with the runtimes actually measured.
  const resolved: ResolvedConfig = { ...config, runtimes: defs };
  const outDir = output.out;
  mkdirSync(outDir, { recursive: true });
  const events = new EventBus();
  const detach = attachProgress(events, process.stderr, output.quiet);
  const controller = new AbortController();
  const removeHandlers = installSignalHandlers(controller);
  const options = {
    suites: config.suites,
    layers: config.layers,
    // a kubernetes-only run measures every architecture among the cluster's nodes
    archs: (config.layers.length === 1 && config.layers[0] === 'kubernetes' ? await clusterArchs(flags) : null) ?? config.architectures,
    runs: config.runs,
    warmup: config.warmup,
    blocks: config.blocks,
    concurrency: config.concurrency,
    churnContainers: config.churnContainers,
    timeoutMs: config.timeoutMs,
    hangFactor: config.hangFactor,
    suitesNamed,
    density: {
      ...(flags.densityBudget !== undefined ? { budgetBytes: flags.densityBudget } : {}),
      ...(flags.densityMax !== undefined ? { maxCount: flags.densityMax } : {}),
      ...(flags.densityTime !== undefined ? { timeLimitMs: flags.densityTime } : {}),
    },
  };
  let doc: ResultsDocument;
  try {
    doc = await runPipeline(options, {
      runners: selectKinds(
        withKubernetesFlags(
          flags,
          {
            ...RUNNERS,
            ...(flags.containerdAddress && containerdRunner ? { containerd: containerdRunner } : {}),
            ...(flags.containerd ? { cri: createCriRunner({ containerds: existingPaths('--containerd', flags.containerd) }) } : {}),
          },
        ),
        config.workloadKinds,
      ),
      suites: SUITES,
      runtimes,
      host,
      events,
      signal: controller.signal,
      calibrate: () => calibrateHarness(host.arch),
      config: resolved,
      ...(invocation ? { invocation } : {}),
    });
  } catch (e) {
    if (e instanceof Interrupted || controller.signal.aborted) {
      detach();
      const sig = String(controller.signal.reason ?? 'SIGINT');
      process.stderr.write(`interrupted (${sig}): everything runbench started was removed; no results were written\n`);
      return sig === 'SIGTERM' ? 143 : ExitCode.interrupted;
    }
    throw e;
  } finally {
    removeHandlers();
  }
  detach();
  const t = config.thresholds;
  const checks = t.metrics.length > 0 || t.conformance || t.maxFailureRatePercent !== null ? checkThresholds(doc, t, baseline) : null;
  if (checks) doc = { ...doc, thresholds: checks };
  writeAtomic([
    [join(outDir, 'results.json'), toJson(doc)],
    [join(outDir, 'results.csv'), toCsv(doc)],
    [join(outDir, 'reliability.csv'), toReliabilityCsv([doc])],
  ]);
  process.stderr.write(`\n${toTable(doc)}`);
  process.stderr.write(`results: ${join(outDir, 'results.json')}, results.csv and reliability.csv\n`);
  if (output.json) process.stdout.write(toJson(doc));
  if (flags.stepSummary !== false) appendStepSummary(toMarkdownSummary([doc]));
  if (checks) {
    for (const c of checks) {
      if (c.outcome.status === 'failed') process.stderr.write(`threshold breached: ${c.outcome.reason}\n`);
      else if (c.outcome.status === 'skipped') process.stderr.write(`threshold not checked: ${c.threshold}: ${c.outcome.reason}\n`);
    }
    const count = (s: string) => checks.filter((c) => c.outcome.status === s).length;
    process.stderr.write(`thresholds: ${count('passed')} passed, ${count('failed')} breached, ${count('skipped')} not checked\n`);
    const breach = breachExitCode(checks);
    if (breach !== null) return breach;
  }
  return doc.suiteRuns.some((r) => r.outcome.status === 'errored') ? ExitCode.error : ExitCode.ok;
}

/** The flags actually typed: defaults shown in --help must not override the config file. */
export function givenFlags(flags: RunFlags, cmd: Command): RunFlags {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flags)) {
    const source = cmd.getOptionValueSource(key);
    if (source === 'cli' || source === 'env') out[key] = value;
  }
  return out as RunFlags;
}

/** The options of `run`, shared by the commands that run the same matrix (calibrate). */
export function addRunOptions(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'run configuration (YAML or JSON; see runbench init); flags override it')
    .option('--suite <names>', `suites to run, comma-separated (${SUITES.map((s) => s.name).join(', ')}; default all)`, list)
    .option('--runtime <names>', 'runtimes, comma-separated; NAME=PATH adds one (default every runtime found)', list)
    .option('--layer <names>', `layers (${Layer.options.join(', ')}; default oci, and containerd where containerd is usable)`, list)
    .option('--arch <names>', "architectures to run the workloads as (default the host's; a foreign one runs under qemu-user and is labelled emulated)", list)
    .option('--workload-kind <kinds>', `workload builds to run (${WorkloadKind.options.join(', ')}; default both)`, list)
    .addOption(new Option('--runs <n>', 'samples per metric').default(30).argParser(positiveInt('--runs')))
    .addOption(new Option('--warmup <n>', 'warmup runs before each metric').default(3).argParser(positiveInt('--warmup', 0)))
    .addOption(
      new Option('--blocks <n>', 'rounds of interleaved sampling: each runtime takes one block of every metric per round, in a shuffled order')
        .default(5)
        .argParser(positiveInt('--blocks')),
    )
    .addOption(new Option('--concurrency <p>', 'parallel containers in the churn test').default(4).argParser(positiveInt('--concurrency')))
    .addOption(new Option('--churn <n>', 'containers per churn round').default(20).argParser(positiveInt('--churn')))
    .addOption(
      new Option('--timeout <ms>', 'deadline for one operation; a runtime that passes it is killed').default(60_000).argParser(positiveInt('--timeout', 100)),
    )
    .addOption(
      new Option(
        '--hang-factor <n>',
        `once a series has ${HANG_AFTER_SUCCESSES} good samples, an attempt running longer than N × their median (at least ${HANG_FLOOR_MS / 1000} s, at most --timeout) is killed as hung; 0: only --timeout`,
      )
        .default(DEFAULT_HANG_FACTOR)
        .argParser((v: string) => {
          const n = /^\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : Number.NaN;
          const problem = hangFactorProblem(n, v);
          if (problem) throw new InvalidArgumentError(`--hang-factor ${problem}`);
          return n;
        }),
    )
    .option('--out <dir>', 'directory for results.json, results.csv and reliability.csv (default runbench-results)')
    .option('--baseline <file>', 'results.json of an earlier run, for relative thresholds')
    .option('--json', 'print the results document on stdout')
    .option('--quiet', 'no progress on stderr')
    .option('--no-step-summary', 'do not append the summary to $GITHUB_STEP_SUMMARY (GitHub Actions; appended whenever it is set)')
    .option('--containerd <paths>', "cri layer: the containerd binaries serving the CRI, comma-separated (default the one on PATH and the debian13 tier's)", list)
    .option('--kubeconfig <file>', 'the cluster for the kubernetes layer (default $KUBECONFIG, else the one of scripts/cluster.sh up)')
    .option('--keep', 'kubernetes layer: leave the RuntimeClasses runbench created in the cluster')
    .option('--no-node-events', "kubernetes layer: do not read a local node's containerd events; take the kubelet's histograms instead")
    .addOption(
      new Option(
        '--density-budget <size>',
        "density suite: stop adding idle containers once their footprint grew by this much (default: oci, containerd: the host's MemAvailable less max(2GiB, 15%); kubernetes: 2GiB of pod working set)",
      ).argParser((v: string) => {
        try {
          return parseByteSize(v);
        } catch (e) {
          throw new InvalidArgumentError(e instanceof Error ? e.message : String(e));
        }
      }),
    )
    .addOption(
      new Option('--density-max <n>', `density suite: most idle containers (pods) one fill starts (default ${DEFAULT_DENSITY_MAX} at oci and containerd, 50 at kubernetes)`).argParser(
        positiveInt('--density-max'),
      ),
    )
    .addOption(
      new Option('--density-time <duration>', `density suite: stop adding idle containers after this long, per configuration (default ${DEFAULT_DENSITY_TIME_MS / 60_000}m)`).argParser(
        (v: string) => {
          const ms = parseDuration(v.trim(), 'ms');
          if (!(ms >= 1000)) throw new InvalidArgumentError(`expected a duration of at least 1s such as 90s or 20m, got '${v}'`);
          return ms;
        },
      ),
    )
    .option('--containerd-address <socket>', "an existing containerd's socket for the containerd layer (default: runbench starts its own)");
}

export const registerRun: RegisterCommand = (program, { setExit, invocation }) => {
  addRunOptions(program.command('run').description('measure the runtimes: startup, memory and throughput'))
    .action(async (flags: RunFlags, cmd: Command) => {
      setExit(await runCommand(givenFlags(flags, cmd), invocation));
    });
};
