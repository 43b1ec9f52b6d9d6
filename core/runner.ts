/**
 * A runner is HOW a runtime is driven (the OCI CLI, containerd, Kubernetes), never
 * WHICH runtime: the runtime is configuration handed to `open`. The core owns these
 * interfaces; each layer's folder under runners/ implements them. A session offers
 * capabilities (a timed one-shot run, a timed lifecycle, churn, density, a conformance
 * target) that suites and checks ask for by name instead of asking which class it is.
 */
import type { OwnedTarget, SuiteInfo, SuiteVerdicts } from './conformance.ts';
import type { RuntimeFailure } from './errors.ts';
import type { EventBus } from './events.ts';
import type { LedgerEntry } from './recovery.ts';
import type { Gauge } from './density.ts';
import type { Scope } from './scope.ts';
import type { HostFacts, Layer, RuntimeInfo, Unit, WorkloadKind } from './schema.ts';
import type { WorkloadRef } from './workloads.ts';

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
  /** Figures derived from this sample's phases, by the lifecycle's `derived` names (NaN when not available). */
  derived?: Record<string, number>;
}

export interface ChurnResult {
  /** From the first start until the last container that completed (one that failed or hung does not stretch it). */
  wallNs: number;
  completed: number;
  failed: number;
  firstError: string | null;
  /** Why each container that did not complete failed, in the order they ended. */
  failures: RuntimeFailure[];
  /** Every container in the order it ended: null for one that completed, else why it failed. */
  outcomes: (RuntimeFailure | null)[];
}

/** Why a runner cannot run something: a skip, with its reason. */
export type Unsupported = { reason: string } | null;

/** The runtime's own foreground run: create, start, wait, delete in one command. */
export interface OneShot {
  /** The one-shot command this layer's users type (e.g. `runc run`, `ctr run --rm`). */
  readonly name: string;
  /** Where the figure's start and end timestamps come from, when the layer says (recorded as a note). */
  readonly source?: string;
  run(req: RunRequest): Promise<TimedSample>;
}

/** A figure a layer derives from each lifecycle sample (e.g. a pod's startup split into stages). */
export interface DerivedFigure {
  name: string;
  unit: Unit;
  description: string;
  /** Where its timestamps come from. */
  source: string;
  /** Which way is better when not the unit's usual one (a share of a whole: lower). */
  better?: 'lower' | 'higher';
}

/** A figure a layer gathers over a whole series rather than per sample (the kubelet's histograms between scrapes). */
export interface SeriesFact {
  name: string;
  value: number | string;
  /** Its resolution and where it comes from. */
  detail: string;
}

/** create, start, exit observed, delete, with each phase timed. */
export interface Lifecycle {
  /** Phases `run` reports, in order. */
  readonly phases: readonly string[];
  /** Where the whole lifecycle's start and end timestamps come from, when the layer says. */
  readonly source?: string;
  /** Where each phase's timestamps come from, by phase, when the layer says (recorded as a note). */
  readonly phaseSources?: Readonly<Record<string, string>>;
  /** Notes every phase figure carries (e.g. how a clock offset was measured). */
  readonly phaseNotes?: Readonly<Record<string, string | number>>;
  /** Figures derived from each sample, recorded beside the phases. */
  readonly derived?: readonly DerivedFigure[];
  /** Figures over the timed samples of one workload kind so far, recorded as facts once the last block has run. */
  seriesFacts?(kind: WorkloadKind): SeriesFact[];
  run(req: RunRequest): Promise<TimedSample>;
}

/** The deadline of each container of a churn, asked as it starts, and how long each one that completed took. */
export interface ChurnDeadline {
  timeoutMs(): number;
  completed(durationNs: number): void;
}

/**
 * N one-shot runs at concurrency P; containers completed per second. With `deadline`, each
 * container runs under it instead of `req.timeoutMs` (the oci layer; the others keep `req.timeoutMs`).
 */
export interface Churn {
  run(req: RunRequest, count: number, concurrency: number, deadline?: ChurnDeadline): Promise<ChurnResult>;
}

/** Points in one pod's life, in client hrtime nanoseconds; a point not observed is absent. */
export interface PodTimeline {
  createdNs: bigint;
  scheduledNs?: bigint;
  /** PodReadyToStartContainers (sandbox created, network configured); Initialized on older clusters. */
  sandboxReadyNs?: bigint;
  /** Every container running or already terminated: the SLI's end point. */
  startedNs?: bigint;
  /** Phase Succeeded or Failed. */
  completedNs?: bigint;
  deletedNs?: bigint;
}

/** One idle unit (a container, a pod) a density fill started. */
export interface IdleUnit {
  /** How the layer finds it again (a container id, a pod name). */
  name: string;
  /** From the start request until the layer reports it started, in nanoseconds (see `Density.startDefinition`). */
  startNs: number;
  /** The pod's milestones, where the layer has pods. */
  timeline?: PodTimeline;
}

/** What the units started so far cost, as the layer sees it; `bytes` includes what serves them (a daemon) from before the first. */
export interface Footprint {
  /** The figure the budget is checked against (see `Density.footprintOf`), in bytes. */
  bytes: number;
  /**
   * PSS by process name (runtime, sandbox, shim, container, daemon), where the layer reads it
   * per process: the parts of `bytes` at the oci and containerd layers; at the kubernetes
   * layer, on a node that is this machine, the kubelet, the CRI's containerd and its shims,
   * which the pods' working set leaves out.
   */
  byProcess?: Record<string, number>;
  /** The sum of the units' cgroup memory usage; null where the layer cannot read it. */
  cgroupBytes: number | null;
  /** Figures per unit, by metric name (one value per unit that has one) with where they come from, recorded as measurements. */
  perUnit: Record<string, { bytes: number[]; source: string }>;
}

/** What one fill of idle units may use at this layer when the run does not say. */
export interface DensityDefaults {
  budgetBytes: number;
  maxCount: number;
  /** Units started at once; null: the run's --concurrency. */
  concurrency: number | null;
  /** Wait this long after the last start before the final footprint (a kubelet's summary lags). */
  settleMs: number;
}

/**
 * Idle units of one runtime configuration, started until a budget, a cap or a failure,
 * then removed (suites/density.ts). A layer says what its figures are; the suite owns the
 * loop, the stopping rules (core/density.ts) and the curve it records.
 */
export interface Density {
  defaults(): DensityDefaults;
  /** What a unit's start latency spans, in words. */
  readonly startDefinition: string;
  /** What `Footprint.bytes` measures, in words. */
  readonly footprintOf: string;
  /** Labels every density figure carries (nodes, runtime class, handler...), known once the session is open. */
  labels(): Record<string, string>;
  /** Where the layer's endpoint came from, for the run's facts; null when there is nothing to say. */
  source(): string | null;
  startIdle(req: RunRequest): Promise<IdleUnit>;
  footprint(names: readonly string[]): Promise<Footprint>;
  /**
   * The units that no longer run, a line each saying what the layer knows (an idle unit runs
   * until it is removed): read with every footprint, since a fill whose units exit measures
   * fewer than it counts. Absent where the layer cannot tell.
   */
  exited?(names: readonly string[]): Promise<string[]>;
  /** The finite resources filling this layer uses up (host memory, pids, open files): checked before every start. */
  headroom(): Promise<Gauge[]>;
  /**
   * Removes the units, a bounded number at a time, starting none after `deadlineMs` (epoch
   * ms); returns what could not be removed, a line each (the session's close sweeps it).
   */
  remove(names: readonly string[], deadlineMs: number): Promise<{ concurrency: number; leftovers: string[] }>;
}

/** Makes the session a conformance target: probe runs (and step-by-step operations where the layer has them). */
export interface Conformance {
  target(scratchBase: string): OwnedTarget;
}

/**
 * A conformance suite the layer runs whole instead of runbench's checks (critest at the cri
 * layer): one verdict per spec, per endpoint it runs against.
 */
export interface ConformanceSuite {
  readonly info: SuiteInfo;
  run(opts: { signal: AbortSignal; timeoutMs: number; focus?: string }): Promise<SuiteVerdicts[]>;
}

/** One lifecycle benchmark of an external tool: per sample, when it ran and each operation's duration. */
export interface ExternalLifecycle {
  /** What cycles: `pod` (a sandbox), `container` (in a fresh sandbox each). */
  name: string;
  operations: string[];
  parallel: number;
  samples: { startNs: number; endNs: number; operationsNs: number[] }[];
}

/** critest's `-benchmark` run per endpoint: its lifecycles, or why it gave none. */
export interface CriBenchmarkRun {
  cri: string;
  lifecycles: ExternalLifecycle[];
  failure: string | null;
}

export interface CriBenchmark {
  /** Where the figures' timestamps come from, for their notes. */
  readonly clock: string;
  run(opts: { samples: number; signal: AbortSignal; timeoutMs: number }): Promise<CriBenchmarkRun[]>;
}

export interface Capabilities {
  oneShot: OneShot;
  lifecycle: Lifecycle;
  churn: Churn;
  density: Density;
  conformance: Conformance;
  conformanceSuite: ConformanceSuite;
  criBenchmark: CriBenchmark;
}
export type CapabilityName = keyof Capabilities;

export interface RunnerSession {
  readonly runtime: RuntimeInfo;
  readonly layer: Layer;
  supports(kind: WorkloadKind): Unsupported;
  /** What this session can do; a capability its layer lacks is absent. */
  readonly capabilities: Partial<Capabilities>;
  close(): Promise<void>;
}

/** Why a session cannot serve a capability, or null when it can. */
export function lacks(session: RunnerSession, names: readonly CapabilityName[]): string | null {
  const missing = names.filter((n) => !session.capabilities[n]);
  return missing.length === 0 ? null : `the ${session.layer} layer has no ${missing.join(', ')}`;
}

/** A capability the caller has already checked for with `lacks` (or a suite's `needs`). */
export function capability<K extends CapabilityName>(session: RunnerSession, name: K): Capabilities[K] {
  const c = session.capabilities[name];
  if (!c) throw new Error(`the ${session.layer} layer has no ${name}`);
  return c as Capabilities[K];
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
  /** The conformance suite this layer runs whole, when it runs one instead of runbench's checks. */
  readonly conformanceSuite?: SuiteInfo;
  /**
   * Removes what a run that died without its cleanup made through this layer outside its
   * scratch directory, as its ledger records it (a containerd namespace, a cluster
   * namespace); returns what it removed, a line each.
   */
  recover?(entries: readonly LedgerEntry[], run: { runId: string; dir: string }): Promise<string[]>;
}
