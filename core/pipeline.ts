/**
 * One benchmark run: every suite, for every runtime, at every layer asked for. A
 * runtime that fails is recorded and the others go on; whatever was started is
 * cleaned up by one scope, whether the run ends well, badly or by interrupt.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { inRunScope, resultsDocument } from './run-scope.ts';
import { errorMessage, Interrupted, RuntimeFailure } from './errors.ts';
import type { EventBus } from './events.ts';
import { fixtureBinary, runScratchBase } from './paths.ts';
import { sample } from './sampler.ts';
import {
  type ConformanceResult,
  type Fact,
  type HarnessOverhead,
  type HostFacts,
  type Layer,
  type Measurement,
  type Outcome,
  type ResultsDocument,
  type RunParameters,
  type RuntimeInfo,
  type SuiteRun,
} from './schema.ts';
import { Scope } from './scope.ts';
import { emulatedKindSkip, throwIfAborted, walkSessions, type Cell } from './walk.ts';
import { splitSamples } from './stats.ts';
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
}

export interface PipelineOptions extends SuiteOptions {
  suites: string[];
  layers: Layer[];
  /** Architectures to run the workloads as; one other than the host's runs emulated (qemu-user). */
  archs?: string[];
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

export async function runPipeline(opts: PipelineOptions, deps: PipelineDeps): Promise<ResultsDocument> {
  const measurements: Measurement[] = [];
  const facts: Fact[] = [];
  const suiteRuns: SuiteRun[] = [];
  const conformance: ConformanceResult[] = [];
  const archs = opts.archs && opts.archs.length > 0 ? opts.archs : [deps.host.arch];
  const { events, signal } = deps;
  const suites = deps.suites.filter((s) => opts.suites.includes(s.name));
  const isBuilt = deps.isBuilt ?? workloadBuilt;
  const parameters: RunParameters = {
    suites: suites.map((s) => s.name),
    runtimes: deps.runtimes.map((r) => r.name),
    layers: opts.layers,
    archs,
    runs: opts.runs,
    warmup: opts.warmup,
    concurrency: opts.concurrency,
    churnContainers: opts.churnContainers,
  };
  return inRunScope('run', events, { runtimes: parameters.runtimes, suites: parameters.suites, layers: opts.layers }, async (run) => {
    const { runId, scope, workDir } = run;
    throwIfAborted(signal);
    const harness = await deps.calibrate();
    // per arch: the bare-host baseline of an emulated arch is itself emulated
    const perArch = new Map<string, { runOnHost: SuiteContext['runOnHost']; shared: Map<string, unknown> }>();
    const skipAll = (cell: Cell, reason: string, status: 'skipped' | 'errored') => {
      for (const suite of suites) {
        const outcome: Outcome = { status, reason };
        suiteRuns.push({ suite: suite.name, runtime: cell.runtime.name, layer: cell.layer, arch: cell.arch, outcome, durationMs: 0 });
        events.emit('suite:end', { suite: suite.name, runtime: cell.runtime.name, layer: cell.layer, outcome });
      }
    };
    await walkSessions(
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
        skip: skipAll,
        visit: async (cell, session) => {
          const { layer, arch, emulated, runtime } = cell;
          const key = `${layer}/${arch}`;
          let own = perArch.get(key);
          if (!own) {
            own = { runOnHost: deps.runOnHost ?? hostRunner(arch, scope), shared: new Map() };
            perArch.set(key, own);
          }
          const { runOnHost, shared } = own;
          const kinds = (['native', 'wasm'] as const).map((kind) => {
            const unsupported = session.supports(kind);
            if (unsupported) return { kind, skip: unsupported.reason };
            const foreign = emulatedKindSkip(cell, kind, 'measured');
            if (foreign) return { kind, skip: foreign };
            if (!isBuilt('hello', kind, arch)) return { kind, skip: `the ${kind} build of the workloads is missing: run scripts/build-fixtures.sh` };
            return { kind, skip: null };
          });
          for (const suite of suites) {
            throwIfAborted(signal);
            const notHere =
              suite.layers && !suite.layers.includes(layer)
                ? `${suite.name} measures at the ${suite.layers.join(', ')} layer only`
                : lacks(session, suite.needs);
            if (notHere) {
              const outcome: Outcome = { status: 'skipped', reason: notHere };
              suiteRuns.push({ suite: suite.name, runtime: runtime.name, layer, arch, outcome, durationMs: 0 });
              events.emit('suite:end', { suite: suite.name, runtime: runtime.name, layer, outcome });
              continue;
            }
            events.emit('suite:start', { suite: suite.name, runtime: runtime.name, layer });
            const t0 = Date.now();
            const ctx: SuiteContext = {
              session,
              options: opts,
              signal,
              events,
              kinds,
              shared,
              runOnHost,
              labels: (w, rt) => ({
                runtime: rt ?? runtime.name,
                layer,
                workload: w.name,
                workloadKind: w.kind,
                arch,
                emulated,
                host: deps.host.hostname,
              }),
              record: (input) => {
                // a sample without a finite value is counted as failed, never averaged in
                const m: Measurement = {
                  suite: suite.name,
                  metric: input.metric,
                  unit: input.unit,
                  labels: ctx.labels(input.workload, input.runtime),
                  ...splitSamples(input.samples),
                  notes: input.notes ?? {},
                };
                measurements.push(m);
                events.emit('measurement', { measurement: m });
              },
              fact: (name, w, value, detail) => {
                const f: Fact = { suite: suite.name, name, labels: ctx.labels(w), value, detail };
                facts.push(f);
                events.emit('fact', { fact: f });
              },
              sample: (metric, fn, runs) =>
                sample(
                  `${runtime.name}/${suite.name}/${metric}`,
                  {
                    runs: runs ?? opts.runs,
                    warmup: opts.warmup,
                    signal,
                    onSample: (index, warmup) =>
                      events.emit('sample', { suite: suite.name, metric, runtime: runtime.name, index, total: runs ?? opts.runs, warmup }),
                  },
                  fn,
                ),
            };
            let outcome: Outcome;
            try {
              await suite.run(ctx);
              const skipped = kinds.filter((k) => k.skip).map((k) => `${k.kind}: ${k.skip}`);
              outcome = { status: 'passed', reason: skipped.length ? `skipped ${skipped.join('; ')}` : null };
            } catch (e) {
              if (e instanceof Interrupted || signal.aborted) throw e instanceof Interrupted ? e : new Interrupted(String(signal.reason));
              const message = errorMessage(e);
              events.emit('runtime:error', { runtime: runtime.name, suite: suite.name, message });
              outcome = { status: 'errored', reason: e instanceof RuntimeFailure ? message : `internal: ${message}` };
            }
            suiteRuns.push({ suite: suite.name, runtime: runtime.name, layer, arch, outcome, durationMs: Date.now() - t0 });
            events.emit('suite:end', { suite: suite.name, runtime: runtime.name, layer, outcome });
          }
        },
      },
    );
    return resultsDocument(run, {
      host: deps.host,
      runtimes: deps.runtimes,
      parameters,
      config: deps.config ?? parameters,
      harness,
      measurements,
      facts,
      suiteRuns,
      conformance,
    });
  });
}
