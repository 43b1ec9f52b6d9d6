/** `runbench conformance`: what each runtime actually honours of the OCI runtime-spec (and WASI). */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Option } from 'commander';
import { CHECKS, selectChecks } from '../../checks/index.ts';
import { conformanceMatrix } from '../../checks/render.ts';
import { runConformance } from '../../checks/run.ts';
import { ExitCode, Interrupted, UserError } from '../../core/errors.ts';
import { EventBus } from '../../core/events.ts';
import { hostFacts } from '../../core/host.ts';
import { KNOWN_RUNTIMES, parseRuntimeSpec, probeRuntime, runtimeClassInfo, type RuntimeDefinition } from '../../core/runtimes.ts';
import { type Invocation, Layer, type ResultsDocument, type RuntimeInfo } from '../../core/schema.ts';
import { toJson, writeAtomic } from '../../reports/json.ts';
import { toJunit } from '../../reports/junit.ts';
import { toTap } from '../../reports/tap.ts';
import { RUNNERS } from '../../runners/index.ts';
import { createCriRunner } from '../../runners/cri/index.ts';
import { existingPaths, list, positiveInt } from './run.ts';
import { cleanBeforeRun } from './clean.ts';
import type { RegisterCommand } from './types.ts';

interface ConformanceFlags {
  runtime?: string[];
  check?: string[];
  layer?: string[];
  arch?: string[];
  out: string;
  json?: boolean;
  junit?: string;
  tap?: string;
  timeout: number;
  quiet?: boolean;
  containerd?: string[];
  criFocus?: string;
  criTimeout: number;
}

async function resolveRuntimes(specs: string[] | undefined, layers: readonly Layer[]): Promise<RuntimeInfo[]> {
  const explicit = specs && specs.length > 0;
  const defs: RuntimeDefinition[] = explicit ? specs.map(parseRuntimeSpec) : KNOWN_RUNTIMES.filter((r) => r.kind === 'oci');
  const names = new Set<string>();
  for (const d of defs) {
    if (names.has(d.name)) throw new UserError(`runtime '${d.name}' is named twice`);
    names.add(d.name);
  }
  const infos = await Promise.all(defs.map((d) => (d.kind === 'runtime-class' ? runtimeClassInfo(d, layers) : probeRuntime(d))));
  return explicit ? infos : infos.filter((r) => r.status !== 'missing');
}

function resolveLayers(names: string[] | undefined): Layer[] {
  if (!names || names.length === 0) return ['oci'];
  return names.map((n) => {
    const p = Layer.safeParse(n);
    if (!p.success) throw new UserError(`unknown layer '${n}': layers are ${Layer.options.join(', ')}`);
    return p.data;
  });
}

/** 4 when a MUST check failed, else 1 when anything errored, else 0. */
export function conformanceExitCode(doc: ResultsDocument): number {
  if (doc.conformance.some((r) => r.level === 'MUST' && r.outcome.status === 'failed')) return ExitCode.conformance;
  if (doc.conformance.some((r) => r.outcome.status === 'errored')) return ExitCode.error;
  return ExitCode.ok;
}

export async function conformanceCommand(flags: ConformanceFlags, invocation: Invocation | null = null): Promise<number> {
  const checks = selectChecks(flags.check);
  const layers = resolveLayers(flags.layer);
  const runtimes = await resolveRuntimes(flags.runtime, layers);
  if (runtimes.length === 0) throw new UserError('no runtime found: install one (scripts/setup.sh) or name one as NAME=PATH');
  const outDir = resolve(flags.out);
  mkdirSync(outDir, { recursive: true });
  const host = hostFacts();
  const runnable = [host.arch, ...(host.emulatedArchs ?? [])];
  const archs = flags.arch && flags.arch.length > 0 ? flags.arch : [host.arch];
  for (const a of archs) {
    if (!runnable.includes(a))
      throw new UserError(
        `--arch: ${a} cannot run on this ${host.arch} host: runnable here are ${runnable.join(', ')} (foreign archs need qemu-user-static registered with binfmt_misc: scripts/setup.sh)`,
      );
  }
  const events = new EventBus();
  const quiet = flags.quiet ?? false;
  const offs = [
    events.on('conformance', ({ result: r }) => {
      if (!quiet)
        process.stderr.write(
          `${r.labels.layer} ${r.labels.runtime} ${r.checkId} ${r.outcome.status}${r.outcome.reason && r.outcome.status !== 'passed' ? `: ${r.outcome.reason}` : ''}\n`,
        );
    }),
    events.on('log', (e) => process.stderr.write(`${e.level}: ${e.message}\n`)),
  ];
  await cleanBeforeRun();
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      process.stderr.write(`\n${sig}: stopping and cleaning up…\n`);
      controller.abort(sig);
    }
  };
  const sigs: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of sigs) process.on(s, onSignal);
  let doc: ResultsDocument;
  try {
    doc = await runConformance(
      { checks, layers, checkTimeoutMs: flags.timeout, archs, suiteTimeoutMs: flags.criTimeout * 60_000, ...(flags.criFocus ? { suiteFocus: flags.criFocus } : {}) },
      {
        runners: flags.containerd ? { ...RUNNERS, cri: createCriRunner({ containerds: existingPaths('--containerd', flags.containerd) }) } : RUNNERS,
        runtimes,
        host,
        events,
        signal: controller.signal,
        config: { checks: checks.map((c) => c.id), runtimes: flags.runtime ?? runtimes.map((r) => r.name), layers, archs },
        ...(invocation ? { invocation } : {}),
      },
    );
  } catch (e) {
    if (e instanceof Interrupted || controller.signal.aborted) {
      const sig = String(controller.signal.reason ?? 'SIGINT');
      process.stderr.write(`interrupted (${sig}): everything runbench started was removed; no results were written\n`);
      return sig === 'SIGTERM' ? 143 : ExitCode.interrupted;
    }
    throw e;
  } finally {
    for (const s of sigs) process.off(s, onSignal);
    for (const off of offs) off();
  }
  writeAtomic([
    [join(outDir, 'results.json'), toJson(doc)],
    ...(flags.junit ? [[resolve(flags.junit), toJunit([doc])] as const] : []),
    ...(flags.tap ? [[resolve(flags.tap), toTap([doc])] as const] : []),
  ]);
  process.stderr.write(`\n${conformanceMatrix(doc)}`);
  process.stderr.write(`results: ${join(outDir, 'results.json')}${flags.junit ? `, ${flags.junit}` : ''}${flags.tap ? `, ${flags.tap}` : ''}\n`);
  if (flags.json) process.stdout.write(toJson(doc));
  return conformanceExitCode(doc);
}

export const registerConformance: RegisterCommand = (program, { setExit, invocation }) => {
  program
    .command('conformance')
    .description('check what each runtime honours of the OCI runtime-spec (and WASI for Wasm handlers)')
    .option('--runtime <names>', 'runtimes, comma-separated; NAME=PATH adds one (default every OCI runtime found)', list)
    .option('--check <ids>', `checks by id or prefix* (e.g. process.*), comma-separated (default all ${CHECKS.length})`, list)
    .option('--layer <names>', `layers (${Layer.options.join(', ')}; default oci)`, list)
    .option('--arch <names>', "architectures to check as (default the host's; a foreign one runs under qemu-user, labelled emulated)", list)
    .addOption(new Option('--timeout <ms>', 'deadline for one check').default(120_000).argParser(positiveInt('--timeout', 1000)))
    .option('--containerd <paths>', 'cri layer: the containerd binaries serving the CRI, comma-separated (default the one on PATH and the debian13 tier\'s)', list)
    .option('--cri-focus <regex>', "cri layer: only critest's specs whose names match (ginkgo --focus)")
    .addOption(new Option('--cri-timeout <minutes>', 'cri layer: deadline for one critest run').default(120).argParser(positiveInt('--cri-timeout', 1)))
    .option('--out <dir>', 'directory for results.json', 'runbench-results')
    .option('--json', 'print the results document on stdout')
    .option('--junit <file>', 'also write JUnit XML')
    .option('--tap <file>', 'also write TAP 14')
    .option('--quiet', 'no progress on stderr')
    .addHelpText('after', '\nExit codes: 0 all MUST checks passed; 4 a MUST check failed; 1 a check errored; 2 usage.')
    .action(async (flags: ConformanceFlags) => {
      setExit(await conformanceCommand(flags, invocation));
    });
};
