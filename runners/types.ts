/**
 * A runner is HOW a runtime is driven (the OCI CLI, containerd, Kubernetes), never
 * WHICH runtime: the runtime is configuration handed to `open`.
 */
import type { EventBus } from '../core/events.ts';
import type { Scope } from '../core/scope.ts';
import type { HostFacts, Layer, RuntimeInfo, WorkloadKind } from '../core/schema.ts';
import type { WorkloadRef } from '../core/workloads.ts';

export interface RunRequest {
  workload: WorkloadRef;
  /** Memory limit for the container's cgroup, when the suite wants one. */
  memoryLimitBytes?: number;
  /** Deadline for the whole operation; the runtime is killed when it passes. */
  timeoutMs: number;
  /**
   * Send the container's output to /dev/null, as hyperfine does: a regular file as the
   * container's stdio costs crun ~0.6 ms of a ~10 ms run here. Timed samples discard;
   * warmups and a verification run capture, so markers are still checked.
   */
  discardOutput?: boolean;
}

/** One timed operation. Times are nanoseconds measured by rb-exec around the runtime's processes. */
export interface TimedSample {
  totalNs: number;
  /** Per-phase durations, named by the runner's `lifecyclePhases`. */
  phasesNs: Record<string, number>;
  exitCode: number;
  signal: number;
  stdout: string;
  stderr: string;
  /** True when the runner honoured discardOutput: stdout and stderr are empty by design. */
  outputDiscarded?: boolean;
  /** Peak RSS of the runtime's own processes (the CLI invocations), from wait4 rusage. */
  runtimePeakRssBytes: number | null;
  /** Peak RSS of the container's init process, including the runtime's pre-exec stage. */
  initPeakRssBytes: number | null;
  /** The container cgroup's memory high-water mark, read just before delete. */
  cgroupPeakBytes: number | null;
  /** Whether the kernel OOM-killed something in the container's cgroup. */
  oomKilled: boolean | null;
  /**
   * Memory figures only some layers have, in bytes, by metric name (containerd:
   * `shimPeakRssBytes`, `containerdRssBytes`, `containerdRssGrowthBytes`); the memory
   * suite records each one a lifecycle sample carries.
   */
  layerMemoryBytes?: Record<string, number>;
}

export interface ChurnResult {
  wallNs: number;
  completed: number;
  failed: number;
  firstError: string | null;
}

/** Why a runner cannot run something: a skip, with its reason. */
export type Unsupported = { reason: string } | null;

export interface RunnerSession {
  readonly runtime: RuntimeInfo;
  readonly layer: Layer;
  /** Phases `lifecycle` reports, in order. */
  readonly lifecyclePhases: readonly string[];
  /** The one-shot command this layer's users type (e.g. `runc run`, `ctr run --rm`). */
  readonly oneShotName: string;
  supports(kind: WorkloadKind): Unsupported;
  /** The runtime's own foreground run: create, start, wait, delete in one command. */
  runOnce(req: RunRequest): Promise<TimedSample>;
  /** create, start, exit observed, delete, with each phase timed. */
  lifecycle(req: RunRequest): Promise<TimedSample>;
  /** N one-shot runs at concurrency P; containers completed per second. */
  churn(req: RunRequest, count: number, concurrency: number): Promise<ChurnResult>;
  /** Times a trivial process through the same path the runtime's commands take. */
  calibrate(runs: number): Promise<number[]>;
  close(): Promise<void>;
}

export interface RunnerContext {
  runId: string;
  host: HostFacts;
  arch: string;
  /** Owns every resource this runner starts; closed on success, failure and interrupt. */
  scope: Scope;
  events: EventBus;
  workDir: string;
}

export interface Runner {
  readonly layer: Layer;
  readonly description: string;
  /** Why this runner cannot run here at all (not root, tools missing), or null. */
  unavailable(host: HostFacts): string | null;
  /** Why this runner cannot drive this runtime (a shim at the OCI layer), or null. */
  refuses?(runtime: RuntimeInfo): string | null;
  open(runtime: RuntimeInfo, ctx: RunnerContext): Promise<RunnerSession>;
}
