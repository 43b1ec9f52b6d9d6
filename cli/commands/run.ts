/** `runbench run`: measure the runtimes. */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, Option } from 'commander';
import { calibrateHarness } from '../../core/calibrate.ts';
import { ExitCode, Interrupted, UserError } from '../../core/errors.ts';
import { EventBus } from '../../core/events.ts';
import { hostFacts } from '../../core/host.ts';
import { runPipeline } from '../../core/pipeline.ts';
import { KNOWN_RUNTIMES, parseRuntimeSpec, probeRuntime, type RuntimeDefinition } from '../../core/runtimes.ts';
import { Layer, type ResultsDocument, type RuntimeInfo } from '../../core/schema.ts';
import { toCsv } from '../../reports/csv.ts';
import { toJson, writeAtomic } from '../../reports/json.ts';
import { toTable } from '../../reports/table.ts';
import { RUNNERS } from '../../runners/index.ts';
import { SUITES } from '../../suites/index.ts';
import { attachProgress } from '../progress.ts';
import type { RegisterCommand } from './types.ts';

export function positiveInt(name: string, min = 1) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number, got '${value}'`);
    const n = Number(value);
    if (n < min) throw new InvalidArgumentError(`${name} must be at least ${min}, got ${n}`);
    return n;
  };
}

export function list(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

interface RunFlags {
  suite?: string[];
  runtime?: string[];
  layer?: string[];
  runs: number;
  warmup: number;
  concurrency: number;
  churn: number;
  timeout: number;
  out: string;
  json?: boolean;
  quiet?: boolean;
}

function resolveSuites(names: string[] | undefined): string[] {
  if (!names || names.length === 0) return SUITES.map((s) => s.name);
  for (const n of names) {
    if (!SUITES.some((s) => s.name === n)) throw new UserError(`unknown suite '${n}': suites are ${SUITES.map((s) => s.name).join(', ')}`);
  }
  return names;
}

function resolveLayers(names: string[] | undefined): Layer[] {
  if (!names || names.length === 0) return ['oci'];
  return names.map((n) => {
    const p = Layer.safeParse(n);
    if (!p.success) throw new UserError(`unknown layer '${n}': layers are ${Layer.options.join(', ')}`);
    return p.data;
  });
}

async function resolveRuntimes(specs: string[] | undefined): Promise<RuntimeInfo[]> {
  const explicit = specs && specs.length > 0;
  const defs: RuntimeDefinition[] = explicit ? specs.map(parseRuntimeSpec) : [...KNOWN_RUNTIMES];
  const names = new Set<string>();
  for (const d of defs) {
    if (names.has(d.name)) throw new UserError(`runtime '${d.name}' is named twice`);
    names.add(d.name);
  }
  const infos = await Promise.all(defs.map(probeRuntime));
  // By default every runtime found is measured; one asked for by name is reported even when missing.
  return explicit ? infos : infos.filter((r) => r.status !== 'missing');
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

export async function runCommand(flags: RunFlags): Promise<number> {
  const suites = resolveSuites(flags.suite);
  const layers = resolveLayers(flags.layer);
  const runtimes = await resolveRuntimes(flags.runtime);
  if (runtimes.length === 0) throw new UserError('no runtime found: install one (scripts/setup.sh) or name one as NAME=PATH', ExitCode.usage);
  const outDir = resolve(flags.out);
  mkdirSync(outDir, { recursive: true });
  const host = hostFacts();
  const events = new EventBus();
  const detach = attachProgress(events, process.stderr, flags.quiet ?? false);
  const controller = new AbortController();
  const removeHandlers = installSignalHandlers(controller);
  const options = {
    suites,
    layers,
    runs: flags.runs,
    warmup: flags.warmup,
    concurrency: flags.concurrency,
    churnContainers: flags.churn,
    timeoutMs: flags.timeout,
  };
  let doc: ResultsDocument;
  try {
    doc = await runPipeline(options, {
      runners: RUNNERS,
      suites: SUITES,
      runtimes,
      host,
      events,
      signal: controller.signal,
      calibrate: () => calibrateHarness(host.arch),
      config: { ...options, runtimes: flags.runtime ?? runtimes.map((r) => r.name) },
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
  writeAtomic(join(outDir, 'results.json'), toJson(doc));
  writeAtomic(join(outDir, 'results.csv'), toCsv(doc));
  process.stderr.write(`\n${toTable(doc)}`);
  process.stderr.write(`results: ${join(outDir, 'results.json')} and results.csv\n`);
  if (flags.json) process.stdout.write(toJson(doc));
  return doc.suiteRuns.some((r) => r.outcome.status === 'errored') ? ExitCode.error : ExitCode.ok;
}

export const registerRun: RegisterCommand = (program, { setExit }) => {
  program
    .command('run')
    .description('measure the runtimes: startup, memory and throughput')
    .option('--suite <names>', `suites to run, comma-separated (${SUITES.map((s) => s.name).join(', ')}; default all)`, list)
    .option('--runtime <names>', 'runtimes, comma-separated; NAME=PATH adds one (default every runtime found)', list)
    .option('--layer <names>', `layers (${Layer.options.join(', ')}; default oci)`, list)
    .addOption(new Option('--runs <n>', 'samples per metric').default(30).argParser(positiveInt('--runs')))
    .addOption(new Option('--warmup <n>', 'warmup runs before each metric').default(3).argParser(positiveInt('--warmup', 0)))
    .addOption(new Option('--concurrency <p>', 'parallel containers in the churn test').default(4).argParser(positiveInt('--concurrency')))
    .addOption(new Option('--churn <n>', 'containers per churn round').default(20).argParser(positiveInt('--churn')))
    .addOption(new Option('--timeout <ms>', 'deadline for one operation; a runtime that passes it is killed').default(60_000).argParser(positiveInt('--timeout', 100)))
    .option('--out <dir>', 'directory for results.json and results.csv', 'runbench-results')
    .option('--json', 'print the results document on stdout')
    .option('--quiet', 'no progress on stderr')
    .action(async (flags: RunFlags) => {
      setExit(await runCommand(flags));
    });

};
