/** A suite measures one aspect (startup, memory, throughput) through any runner session. */
import type { EventBus } from './events.ts';
import type { Sampled } from './sampler.ts';
import type { Labels, Layer, Unit, WorkloadKind } from './schema.ts';
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
  /** Runs warmups then `runs` samples of `fn`, emitting progress; `fn` returns ns and a value. */
  sample<T>(metric: string, fn: (warmup: boolean) => Promise<{ durationNs: number; value: T }>, runs?: number): Promise<Sampled<T>>;
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
  /** The session capabilities it uses; a session without one skips the suite with that reason. */
  needs: readonly CapabilityName[];
  metrics: MetricInfo[];
  run(ctx: SuiteContext): Promise<void>;
}
