/** A suite measures one aspect (startup, memory, throughput) through any runner session. */
import type { EventBus } from './events.ts';
import type { Sampled } from './sampler.ts';
import type { SeriesTally } from './reliability.ts';
import type { DensityCurve, Labels, Layer, Unit, WorkloadKind } from './schema.ts';
import type { WorkloadRef } from './workloads.ts';
import type { CapabilityName, RunRequest, RunnerSession } from './runner.ts';

export interface SuiteOptions {
  runs: number;
  warmup: number;
  concurrency: number;
  /** Containers per churn round. */
  churnContainers: number;
  /** Deadline for one operation (one sample). */
  timeoutMs: number;
  /**
   * An attempt still running after this many times the median of its series' good attempts
   * (at least 5 s, at most `timeoutMs`) is hung (core/hang-deadline.ts); 0: only `timeoutMs`.
   * Default 10.
   */
  hangFactor?: number;
  /** Density fills: the limits the run asked for; each layer has defaults for the others (Density.defaults). */
  density?: { budgetBytes?: number; maxCount?: number; timeLimitMs?: number };
}

export interface MetricInfo {
  name: string;
  unit: Unit;
  /** Which direction is better, for ratios and verdicts. */
  better: 'lower' | 'higher';
  description: string;
}

export interface RecordInput {
  metric: string;
  unit: Unit;
  workload: WorkloadRef;
  samples: number[];
  notes?: Record<string, string | number | boolean>;
  /** Overrides the session's runtime label (e.g. `host` for a bare-metal baseline). */
  runtime?: string;
  /**
   * The series (ctx.sample's, ctx.series') these samples came from, with the same workload: a
   * series that ends errored for too many failures (core/reliability.ts) takes them with it.
   */
  series?: string;
  /** The CRI that served the figure (cri layer): the `cri` label. */
  cri?: string;
}

export interface SuiteContext {
  session: RunnerSession;
  options: SuiteOptions;
  signal: AbortSignal;
  events: EventBus;
  /** Workload kinds this session can run whose artefacts are built; skipped kinds carry a reason. */
  kinds: { kind: WorkloadKind; skip: string | null }[];
  labels(workload: WorkloadRef, runtime?: string): Labels;
  record(input: RecordInput): void;
  fact(name: string, workload: WorkloadRef, value: boolean | number | string, detail: string): void;
  /** Records a density curve, labelled like a measurement of `workload`. */
  curve(workload: WorkloadRef, curve: Omit<DensityCurve, 'suite' | 'labels'>): void;
  /**
   * Runs warmups then `runs` samples (this block's share of them) of `fn`, one series of
   * attempts of `workload`, emitting progress; `fn` returns ns and a value, and is given the
   * attempt's deadline in ms to put in its RunRequest (`timeoutMs` until the series has good
   * samples, then the hang deadline, core/hang-deadline.ts). A RuntimeFailure
   * from `fn` is a failed attempt: counted, and the sample left out. It throws, a RuntimeFailure
   * saying why, when the series stops (core/reliability.ts).
   */
  sample<T>(
    series: string,
    workload: WorkloadRef,
    fn: (warmup: boolean, timeoutMs: number) => Promise<{ durationNs: number; value: T }>,
    runs?: number,
  ): Promise<Sampled<T>>;
  /**
   * One more attempt of a series outside its samples (the check of the output after them): a
   * failed try is counted and tried again, as long as the series may still fail. `fn` is given
   * the attempt's deadline in ms, as in `sample`.
   */
  attempt<T>(series: string, workload: WorkloadRef, fn: (timeoutMs: number) => Promise<T>): Promise<T>;
  /**
   * A series whose attempts the suite counts itself (churn's containers, density's pods);
   * `planned` is the run's total, the same in every block (null: it fills until a limit).
   */
  series(series: string, workload: WorkloadRef, planned: number | null): SeriesTally;
  /** This turn of interleaved sampling: the suite runs once per block, taking `share` of its samples. */
  block: { index: number; count: number };
  /** How many of `n` repetitions (samples, rounds) this block takes; `sample` applies it itself. */
  share(n: number): number;
  /** Parts of the suite that failed for this runtime in earlier blocks (suites/partial.ts), with why. */
  failedParts: Map<string, string>;
  /** Values computed once per run and shared between runtimes (e.g. the bare-host baseline). */
  shared: Map<string, unknown>;
  /** Runs a native workload directly on the host through the same timing path. */
  runOnHost(req: RunRequest): Promise<{ durationNs: number; stdout: string; exitCode: number }>;
}

export interface Suite {
  name: string;
  description: string;
  /** The layers it measures at (all when absent); elsewhere it is skipped with that reason. */
  layers?: readonly Layer[];
  /** Runs in the first block only (a fill-the-node measurement is not split into turns). */
  once?: boolean;
  /**
   * The layers it runs at when the run names no suite (all its layers when absent): a
   * suite that fills the host runs elsewhere only when named.
   */
  defaultLayers?: readonly Layer[];
  /** The session capabilities it uses; a session without one skips the suite with that reason. */
  needs: readonly CapabilityName[];
  metrics: MetricInfo[];
  run(ctx: SuiteContext): Promise<void>;
}
