/**
 * What a suite gets for one turn (one runtime, one block): its session, labels, and the ways
 * to record, sample and count attempts. Samples go to the run's collector, attempts to its
 * reliability ledger, so a series keeps one tally across every block it is sampled in.
 */
import { engineLabels } from './engines.ts';
import type { Collector } from './collector.ts';
import { RuntimeFailure } from './errors.ts';
import type { EventBus } from './events.ts';
import { hangPolicy } from './hang-deadline.ts';
import type { ReliabilityLedger, SeriesTally } from './reliability.ts';
import type { RunnerSession } from './runner.ts';
import { sample } from './sampler.ts';
import { blockShare } from './schedule.ts';
import type { Layer } from './schema.ts';
import type { Suite, SuiteContext, SuiteOptions } from './suite.ts';
import type { Cell } from './walk.ts';
import { throwIfAborted } from './walk.ts';
import type { WorkloadRef } from './workloads.ts';

export interface TurnInputs {
  cell: Cell;
  session: RunnerSession;
  suite: Suite;
  kinds: SuiteContext['kinds'];
  block: number;
  failedParts: Map<string, string>;
}

export interface RunInputs {
  layer: Layer;
  arch: string;
  host: string;
  blocks: number;
  options: SuiteOptions;
  signal: AbortSignal;
  events: EventBus;
  collector: Collector;
  ledger: ReliabilityLedger;
  shared: Map<string, unknown>;
  runOnHost: SuiteContext['runOnHost'];
}

export function suiteContext(run: RunInputs, turn: TurnInputs): SuiteContext {
  const { layer, arch, blocks, options: opts, signal, events, collector, ledger } = run;
  const { cell, session, suite, kinds, block, failedParts } = turn;
  const { runtime, emulated } = cell;
  const tally = (series: string, w: WorkloadRef, planned: number | null): SeriesTally =>
    ledger.series({ suite: suite.name, series, labels: ctx.labels(w) }, planned);
  /** The failure that ends a series: the suite names the part of it that it ends. */
  const stopped = (why: string) => new RuntimeFailure(runtime.name, `stopped: ${why}`);
  const hang = hangPolicy(opts.hangFactor);
  const ctx: SuiteContext = {
    session,
    options: opts,
    signal,
    events,
    kinds,
    shared: run.shared,
    runOnHost: run.runOnHost,
    block: { index: block, count: blocks },
    share: (n) => blockShare(n, blocks, block),
    failedParts,
    labels: (w, rt) => ({
      runtime: rt ?? runtime.name,
      layer,
      workload: w.name,
      workloadKind: w.kind,
      arch,
      emulated,
      host: run.host,
      // a figure of another name (the bare host's) ran under no engine
      ...engineLabels(rt === undefined || rt === runtime.name ? runtime : null, w.kind),
    }),
    record: (input) => {
      if (input.series) tally(input.series, input.workload, null).metrics.add(input.metric);
      collector.record(
        {
          suite: suite.name,
          metric: input.metric,
          unit: input.unit,
          labels: { ...ctx.labels(input.workload, input.runtime), ...(input.cri ? { cri: input.cri } : {}) },
          samples: input.samples,
          notes: input.notes ?? {},
        },
        block,
        input.series,
      );
    },
    fact: (name, w, value, detail) => collector.fact({ suite: suite.name, name, labels: ctx.labels(w), value, detail }),
    curve: (w, c) => collector.curve({ suite: suite.name, labels: ctx.labels(w), ...c }),
    series: tally,
    sample: (series, w, fn, runs) => {
      const planned = runs ?? opts.runs;
      const t = tally(series, w, planned);
      if (t.stopped) throw stopped(t.stopped);
      const total = blockShare(planned, blocks, block);
      // after a turn of the other runtimes, one warmup brings caches back to this one
      const warmup = block === 0 ? opts.warmup : Math.min(opts.warmup, 1);
      return sample(
        `${runtime.name}/${suite.name}/${series}`,
        {
          runs: total,
          warmup,
          signal,
          onSample: (index, warm) => events.emit('sample', { suite: suite.name, metric: series, runtime: runtime.name, index, total, warmup: warm }),
          onSuccess: (durationNs) => t.ok(1, durationNs),
          onFailure: (e) => {
            const why = t.fail(e);
            return why ? stopped(why) : null;
          },
        },
        (warm) => fn(warm, t.deadlineMs(opts.timeoutMs, hang)),
      );
    },
    attempt: async (series, w, fn) => {
      const t = tally(series, w, null);
      for (;;) {
        throwIfAborted(signal);
        if (t.stopped) throw stopped(t.stopped);
        try {
          const out = await fn(t.deadlineMs(opts.timeoutMs, hang));
          t.ok();
          return out;
        } catch (e) {
          if (!(e instanceof RuntimeFailure)) throw e;
          t.fail(e);
        }
      }
    },
  };
  return ctx;
}
