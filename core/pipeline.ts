/**
 * One benchmark run: every suite, for every runtime, at every layer asked for. The
 * runtimes of one layer and arch take turns: in each round every runtime takes one block
 * of every suite's samples, in an order shuffled anew each round (core/schedule.ts). A
 * failed attempt is counted and its series goes on without it (core/reliability.ts); a
 * runtime that fails is recorded and the others go on; whatever was started is cleaned
 * up by one scope, whether the run ends well, badly or by interrupt.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { inRunScope, resultsDocument } from './run-scope.ts';
import { errorMessage, Interrupted, RuntimeFailure } from './errors.ts';
import type { EventBus } from './events.ts';
import { fixtureBinary, runScratchBase } from './paths.ts';
import { Collector } from './collector.ts';
import { hangPolicy } from './hang-deadline.ts';
import { ReliabilityLedger } from './reliability.ts';
import { suiteContext } from './suite-context.ts';
import { cpuMHz, cpuTimes, loadAvg1, shares, summarize } from './noise.ts';
import { roundOrder } from './schedule.ts';
import type {
  ConformanceResult,
  HarnessOverhead,
  NoiseReport,
  HostFacts,
  Invocation,
  Layer,
  Outcome,
  ResultsDocument,
  RunParameters,
  RuntimeInfo,
  SuiteRun,
} from './schema.ts';
import { Scope } from './scope.ts';
import { emulatedKindSkip, throwIfAborted, walkGroups, type Cell } from './walk.ts';
import { TimingHelper } from './timing-helper.ts';
import { workloadBuilt, type WorkloadRef } from './workloads.ts';
import { lacks, type Runner } from './runner.ts';
import type { Suite, SuiteContext, SuiteOptions } from './suite.ts';

export interface PipelineDeps {
  runners: Partial<Record<Layer, Runner>>;
  suites: readonly Suite[];
  runtimes: RuntimeInfo[];
  host: HostFacts;
  events: EventBus;
  signal: AbortSignal;
  calibrate: () => Promise<HarnessOverhead | null>;
  /** Runs a native workload on the bare host; defaults to rb-exec. Tests inject their own. */
  runOnHost?: SuiteContext['runOnHost'];
  /** Whether a workload's artefact is built; tests with a fake runner say yes. */
  isBuilt?: (name: string, kind: 'native' | 'wasm', arch: string) => boolean;
  config?: unknown;
  /** The command line that started the run, recorded in the document. */
  invocation?: Invocation;
}

export interface PipelineOptions extends SuiteOptions {
  suites: string[];
  layers: Layer[];
  /** Architectures to run the workloads as; one other than the host's runs emulated (qemu-user). */
  archs?: string[];
  /** Rounds of interleaved sampling (default 1: each runtime takes all its samples in one turn). */
  blocks?: number;
  /** The run named its suites (flag or config file): a suite runs beyond its `defaultLayers` only then. */
  suitesNamed?: boolean;
}

function hostRunner(arch: string, scope: Scope): SuiteContext['runOnHost'] {
  let helper: TimingHelper | null = null;
  return async (req) => {
    if (!helper) {
      helper = TimingHelper.start();
      const h = helper;
      scope.defer('host timing helper', () => h.close());
    }
    const w: WorkloadRef = req.workload;
    const out = join(runScratchBase(), `host-${process.pid}-${w.name}.out`);
    const r = await helper.run([{ kind: 'exec', label: 'host', argv: [fixtureBinary(arch, w.name), ...w.args], stdout: out }], req.timeoutMs);
    const s = r.steps[0];
    let stdout = '';
    try {
      stdout = readFileSync(out, 'utf8');
      rmSync(out, { force: true });
    } catch {
      /* no output */
    }
    if (!s || s.error || s.timedOut) throw new Error(`host run of ${w.name} failed: ${r.error ?? s?.error ?? 'no reply'}`);
    return { durationNs: s.endNs - s.startNs, stdout, exitCode: s.exitCode };
  };
}

/** A suite's progress for one runtime across the rounds. */
interface TurnState {
  skip: string | null;
  error: Outcome | null;
  /** Parts that failed: the suite goes on taking turns for its other parts. */
  failedParts: Map<string, string>;
  /** The suite failed as a whole: no more turns. */
  done: boolean;
  ms: number;
  started: boolean;
}

export async function runPipeline(opts: PipelineOptions, deps: PipelineDeps): Promise<ResultsDocument> {
  const suiteRuns: SuiteRun[] = [];
  const conformance: ConformanceResult[] = [];
  const archs = opts.archs && opts.archs.length > 0 ? opts.archs : [deps.host.arch];
  const blocks = Math.max(1, opts.blocks ?? 1);
  const { events, signal } = deps;
  const suites = deps.suites.filter((s) => opts.suites.includes(s.name));
  const isBuilt = deps.isBuilt ?? workloadBuilt;
  const collector = new Collector(events, blocks);
  const ledger = new ReliabilityLedger((t, e) =>
    events.emit('attempt:failed', { suite: t.key.suite, series: t.key.series, runtime: t.key.labels.runtime, workload: t.key.labels.workload, hung: e.hung, message: e.message }),
  );
  const schedule: NonNullable<ResultsDocument['schedule']> = [];
  const turns: NoiseReport['turns'] = [];
  const parameters: RunParameters = {
    suites: suites.map((s) => s.name),
    runtimes: deps.runtimes.map((r) => r.name),
    layers: opts.layers,
    archs,
    runs: opts.runs,
    warmup: opts.warmup,
    concurrency: opts.concurrency,
    churnContainers: opts.churnContainers,
    ...(blocks > 1 ? { blocks } : {}),
    timeoutMs: opts.timeoutMs,
    hangDeadline: hangPolicy(opts.hangFactor),
  };
  return inRunScope('run', events, { runtimes: parameters.runtimes, suites: parameters.suites, layers: opts.layers }, async (run) => {
    const { runId, scope, workDir } = run;
    throwIfAborted(signal);
    const harness = await deps.calibrate();
    // per arch: the bare-host baseline of an emulated arch is itself emulated
    const perArch = new Map<string, { runOnHost: SuiteContext['runOnHost']; shared: Map<string, unknown> }>();
    const outcome = (cell: Cell, suite: Suite, o: Outcome, durationMs: number) => {
      suiteRuns.push({ suite: suite.name, runtime: cell.runtime.name, layer: cell.layer, arch: cell.arch, outcome: o, durationMs });
      events.emit('suite:end', { suite: suite.name, runtime: cell.runtime.name, layer: cell.layer, outcome: o });
    };
    await walkGroups(
      {
        layers: opts.layers,
        archs,
        runners: deps.runners,
        runtimes: deps.runtimes,
        host: deps.host,
        runId,
        scope,
        events,
        workDir,
        signal,
        noRunner: (l) => `no runner for the ${l} layer yet`,
      },
      {
        skip: (cell, reason, status) => {
          for (const suite of suites) outcome(cell, suite, { status, reason }, 0);
        },
        visit: async (layer, arch, members) => {
          const key = `${layer}/${arch}`;
          let own = perArch.get(key);
          if (!own) {
            own = { runOnHost: deps.runOnHost ?? hostRunner(arch, scope), shared: new Map() };
            perArch.set(key, own);
          }
          const { runOnHost, shared } = own;
          const runInputs = { layer, arch, host: deps.host.hostname, blocks, options: opts, signal, events, collector, ledger, shared, runOnHost };
          // per member: the kinds it runs, and per suite whether it still takes turns
          const state = members.map(({ cell, session }) => ({
            cell,
            session,
            kinds: (['native', 'wasm'] as const).map((kind) => {
              const unsupported = session.supports(kind);
              if (unsupported) return { kind, skip: unsupported.reason };
              const foreign = emulatedKindSkip(cell, kind, 'measured');
              if (foreign) return { kind, skip: foreign };
              if (!isBuilt('hello', kind, arch)) return { kind, skip: `the ${kind} build of the workloads is missing: run scripts/build-fixtures.sh` };
              return { kind, skip: null };
            }),
            suites: new Map(
              suites.map((suite) => {
                const notHere =
                  suite.layers && !suite.layers.includes(layer)
                    ? `${suite.name} measures at the ${suite.layers.join(', ')} layer only`
                    : !opts.suitesNamed && suite.defaultLayers && !suite.defaultLayers.includes(layer)
                      ? `${suite.name} runs at the ${layer} layer only when named (--suite ${suite.name}): ${suite.description}`
                      : lacks(session, suite.needs);
                return [suite, { skip: notHere, error: null, failedParts: new Map(), done: false, ms: 0, started: false }] as [Suite, TurnState];
              }),
            ),
          }));
          for (let round = 0; round < blocks; round++) {
            // one block is the sequential walk: runtimes in the order asked for
            const order = blocks > 1 ? roundOrder(state, `${runId}/${key}`, round) : state;
            if (blocks > 1) schedule.push({ layer, arch, round, order: order.map((m) => m.cell.runtime.name) });
            for (const m of order) {
              for (const [suite, st] of m.suites) {
                throwIfAborted(signal);
                if (st.skip || st.done || (suite.once && round > 0)) continue;
                if (!st.started) {
                  st.started = true;
                  events.emit('suite:start', { suite: suite.name, runtime: m.cell.runtime.name, layer });
                }
                const t0 = Date.now();
                const cpu0 = cpuTimes();
                try {
                  await suite.run(suiteContext(runInputs, { cell: m.cell, session: m.session, suite, kinds: m.kinds, block: round, failedParts: st.failedParts }));
                } catch (e) {
                  if (e instanceof Interrupted || signal.aborted) throw e instanceof Interrupted ? e : new Interrupted(String(signal.reason));
                  const message = errorMessage(e);
                  const reason = e instanceof RuntimeFailure ? message : `internal: ${message}`;
                  // a part that failed in an earlier block is not news
                  if (st.error?.reason !== reason) events.emit('runtime:error', { runtime: m.cell.runtime.name, suite: suite.name, message });
                  st.error = { status: 'errored', reason };
                  // a failure of some of its parts leaves the others their turns
                  st.done = !(e instanceof RuntimeFailure) || st.failedParts.size === 0;
                } finally {
                  st.ms += Date.now() - t0;
                  turns.push({ layer, arch, round, runtime: m.cell.runtime.name, loadAvg1: loadAvg1(), ...shares(cpu0, cpuTimes()), cpuMHz: cpuMHz() });
                }
              }
            }
          }
          // outcomes in the order runtimes and suites were asked for, whatever the turns were
          for (const m of state) {
            for (const [suite, st] of m.suites) {
              if (st.skip) {
                outcome(m.cell, suite, { status: 'skipped', reason: st.skip }, 0);
                continue;
              }
              const skipped = m.kinds.filter((k) => k.skip).map((k) => `${k.kind}: ${k.skip}`);
              outcome(m.cell, suite, st.error ?? { status: 'passed', reason: skipped.length ? `skipped ${skipped.join('; ')}` : null }, st.ms);
            }
          }
        },
      },
    );
    return resultsDocument(run, {
      host: deps.host,
      runtimes: deps.runtimes,
      parameters,
      ...(blocks > 1 ? { schedule } : {}),
      config: deps.config ?? parameters,
      invocation: deps.invocation ?? null,
      harness,
      noise: { turns, summary: summarize(turns, deps.host.cores) },
      measurements: collector.measurements((suite, series, labels) => ledger.errored({ suite, series, labels })),
      reliability: ledger.report(),
      facts: collector.facts,
      ...(collector.curves.length > 0 ? { density: collector.curves } : {}),
      suiteRuns,
      conformance,
    });
  });
}
