/** The runbench command line. Exit codes: see EXIT CODES in --help and the README. */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { calibrateHarness } from '../core/calibrate.ts';
import { doctor } from '../core/doctor.ts';
import { errorMessage, ExitCode, Interrupted, UserError } from '../core/errors.ts';
import { EventBus } from '../core/events.ts';
import { hostFacts } from '../core/host.ts';
import { runPipeline, TOOL_VERSION } from '../core/pipeline.ts';
import { KNOWN_RUNTIMES, parseRuntimeSpec, probeRuntime, type RuntimeDefinition } from '../core/runtimes.ts';
import { Layer, type ResultsDocument, type RuntimeInfo } from '../core/schema.ts';
import { WORKLOADS } from '../core/workloads.ts';
import { toCsv } from '../reports/csv.ts';
import { toJson, writeAtomic } from '../reports/json.ts';
import { toTable } from '../reports/table.ts';
import { RUNNERS } from '../runners/index.ts';
import { SUITES } from '../suites/index.ts';
import { renderDoctor } from './doctor.ts';
import { attachProgress } from './progress.ts';

export const EXIT_CODES_HELP = `
Exit codes:
  0    success
  1    a measurement failed or a runtime errored (the others were still measured)
  2    usage or config error (bad flag, unknown runtime or suite, unreadable input)
  3    a regression or threshold breach (compare, thresholds)
  4    a conformance MUST check failed
  130  interrupted (Ctrl-C); 143 on SIGTERM. Nothing is left running and no results file is written.`;

function positiveInt(name: string, min = 1) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number, got '${value}'`);
    const n = Number(value);
    if (n < min) throw new InvalidArgumentError(`${name} must be at least ${min}, got ${n}`);
    return n;
  };
}

function list(value: string, previous: string[] = []): string[] {
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

async function runCommand(flags: RunFlags): Promise<number> {
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

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command();
  program
    .name('runbench')
    .description('Benchmark and conformance suite for container runtimes: the same workloads through each runtime, side by side.')
    .version(TOOL_VERSION)
    .addHelpText('after', EXIT_CODES_HELP)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('doctor')
    .description('find the runtimes, their versions and features, host facts and known problems')
    .argument('[runtimes...]', 'extra runtimes as NAME=PATH')
    .option('--json', 'print the report as JSON on stdout')
    .option('--no-smoke', 'do not run a hello container with each runtime')
    .action(async (extra: string[], opts: { json?: boolean; smoke: boolean }) => {
      const report = await doctor(extra.map(parseRuntimeSpec), { smoke: opts.smoke });
      if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else process.stdout.write(renderDoctor(report));
      setExit(ExitCode.ok);
    });

  program
    .command('list')
    .description('list the suites, runtimes, workloads and layers runbench knows')
    .option('--json', 'print as JSON on stdout')
    .action((opts: { json?: boolean }) => {
      const data = {
        suites: SUITES.map((s) => ({ name: s.name, description: s.description, metrics: s.metrics })),
        runtimes: KNOWN_RUNTIMES.map((r) => ({ name: r.name, binary: r.binary, description: r.description, wasm: Boolean(r.wasm) })),
        workloads: WORKLOADS.map((w) => ({ name: w.name, description: w.description })),
        layers: Layer.options.map((l) => ({ name: l, available: Boolean(RUNNERS[l]) })),
      };
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
      } else {
        const out = ['suites'];
        for (const s of data.suites) out.push(`  ${s.name.padEnd(12)} ${s.description}`, `  ${''.padEnd(12)} metrics: ${s.metrics.map((m) => m.name).join(', ')}`);
        out.push('runtimes');
        for (const r of data.runtimes) out.push(`  ${r.name.padEnd(14)} ${r.description}${r.wasm ? ' (Wasm handler)' : ''}`);
        out.push('workloads');
        for (const w of data.workloads) out.push(`  ${w.name.padEnd(8)} ${w.description}`);
        out.push('layers');
        for (const l of data.layers) out.push(`  ${l.name.padEnd(11)} ${l.available ? 'available' : 'not yet available'}`);
        process.stdout.write(`${out.join('\n')}\n`);
      }
      setExit(ExitCode.ok);
    });

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

  return program;
}

export async function main(argv: string[]): Promise<number> {
  let code: number = ExitCode.ok;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return ExitCode.ok;
      return ExitCode.usage;
    }
    if (e instanceof UserError) {
      process.stderr.write(`runbench: ${e.message}\n`);
      return e.exitCode;
    }
    process.stderr.write(`runbench: ${errorMessage(e)}\n`);
    if (process.env.RUNBENCH_DEBUG) process.stderr.write(`${e instanceof Error ? e.stack : ''}\n`);
    return ExitCode.error;
  }
}
