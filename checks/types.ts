/**
 * A conformance check: one rule of the OCI runtime-spec (or of WASI preview1), its
 * RFC 2119 level, where it applies, and a function that observes the runtime and
 * returns an Outcome. Checks never talk to a runtime binary themselves: they go
 * through a ConformanceTarget, so the same check runs at any layer that has one.
 */
import type { CpuThrottling } from '../core/cgroups.ts';
import type { BundleOptions, OciConfig } from '../core/oci-spec.ts';
import type { Layer, Outcome, WorkloadKind } from '../core/schema.ts';
import type { ProbeReport } from './probe.ts';

export type Area = 'lifecycle' | 'process' | 'filesystem' | 'namespaces' | 'resources' | 'wasi';
export const AREAS: readonly Area[] = ['lifecycle', 'process', 'filesystem', 'namespaces', 'resources', 'wasi'];

export type Level = 'MUST' | 'SHOULD' | 'MAY';

/** Overrides applied on top of the bundle a target generates for a workload. */
export type BundleOverrides = Partial<Omit<BundleOptions, 'rootfs' | 'cgroupsPath'>>;

/** What a one-shot run of the probe workload produced. */
export interface ProbeRun {
  /** The configuration the runtime was asked to honour. */
  requested: OciConfig;
  exitCode: number;
  /** Set when the runtime itself reported death by signal (128+n is also an exit code). */
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** The probe's report, or null when it printed none (killed, never started). */
  report: ProbeReport | null;
  /** Why the report is null or unreadable, for reasons. */
  reportError: string | null;
  /** The host's CPU controller on the container's cgroup, read before it was removed (a CPU quota asked). */
  hostCpu?: CpuThrottling | null;
}

export interface ProbeRequest {
  kind: WorkloadKind;
  /** Arguments after the probe's path. */
  args: string[];
  overrides?: BundleOverrides;
  timeoutMs?: number;
}

/** A container made step by step (create, start, state, kill, delete). */
export interface ContainerHandle {
  readonly id: string;
  readonly bundle: string;
  readonly cgroupsPath: string;
  readonly requested: OciConfig;
}

export interface CommandResult {
  exitCode: number;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

/** The runtime's view of one container, read through the layer's own query. */
export interface ContainerState {
  raw: unknown;
  status: string | null;
  pid: number | null;
}

/** What a container left on the machine after it should have gone. */
export interface Remains {
  stateEntry: boolean;
  cgroups: string[];
  processes: string[];
}

/**
 * Step-by-step container operations. The OCI layer maps them onto the CLI; a containerd
 * layer would map them onto tasks. Checks that need them declare it (`needs: ['containers']`).
 */
export interface ContainerOps {
  /** Writes a bundle for a workload; nothing is created in the runtime yet. */
  bundle(workload: 'idle' | 'probe', args: string[], overrides?: BundleOverrides): ContainerHandle;
  /** `create`, optionally with an id other than the handle's (to reuse one on purpose). */
  create(c: ContainerHandle, id?: string): Promise<CommandResult>;
  start(id: string): Promise<CommandResult>;
  state(id: string): Promise<CommandResult & { state: ContainerState | null }>;
  kill(id: string, signal: string): Promise<CommandResult>;
  delete(id: string, force?: boolean): Promise<CommandResult>;
  /** Polls `state` until the status is `status` or the deadline passes; returns the last state. */
  waitFor(id: string, status: string, timeoutMs: number): Promise<ContainerState | null>;
  /** What `create --pid-file` left in that file (empty when nothing was written). */
  pidFile(c: ContainerHandle): string;
  /** What the container's process wrote to stdout (created by `create` without a terminal). */
  stdout(c: ContainerHandle): string;
  /** Replaces the bundle's config.json after create, as a user editing it would. */
  rewriteConfig(c: ContainerHandle, edit: (config: OciConfig) => OciConfig): void;
  /** The host's view of the container's CPU controller: the quota set and how often it throttled. */
  cpuThrottling(c: ContainerHandle): CpuThrottling | null;
  /** What is left of this container: state entry, cgroups, processes naming it. */
  remains(c: ContainerHandle, id?: string): Remains;
}

export interface ConformanceTarget {
  readonly layer: Layer;
  readonly runtimeName: string;
  /** Wasm handlers the runtime has (empty: it runs native workloads only). */
  readonly wasmHandlers: readonly string[];
  /** Runs the probe once (create, start, wait, delete) and parses what it reported. */
  probe(req: ProbeRequest): Promise<ProbeRun>;
  /** A fresh host directory for this check (bind-mount sources); removed with the target. */
  scratchDir(name: string): string;
  /** Step-by-step operations, when this layer has them. */
  readonly containers: ContainerOps | null;
}

export interface CheckContext {
  target: ConformanceTarget;
  /** The host's own namespace links (`/proc/self/ns/*`), for comparison. */
  hostNamespaces: Record<string, string>;
  hostHostname: string;
  signal: AbortSignal;
}

export interface Check {
  /** `area.name`, stable: used in --check filters, JUnit and baselines. */
  id: string;
  area: Area;
  title: string;
  /** Where the rule is written: `runtime-spec config.md#process`, `WASI preview1 args_get`. */
  specRef: string;
  level: Level;
  /** Workload kinds the check runs (native containers, wasm modules). */
  kinds: readonly WorkloadKind[];
  /** Layers at which the check means something. */
  layers: readonly Layer[];
  /** The workload the check runs, for the result's labels (default: probe). */
  workload?: 'idle' | 'probe';
  /** Capabilities of the target the check needs beyond `probe`. */
  needs?: readonly 'containers'[];
  run(ctx: CheckContext): Promise<Outcome>;
}

/**
 * Thrown by a target that cannot ask its runtime for what a check needs (a pod has no
 * field for rlimits): the check is skipped with this reason.
 */
export class CannotAsk extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CannotAsk';
  }
}

export const passed = (reason: string | null = null): Outcome => ({ status: 'passed', reason });
export const failed = (reason: string): Outcome => ({ status: 'failed', reason });
export const skipped = (reason: string): Outcome => ({ status: 'skipped', reason });
export const errored = (reason: string): Outcome => ({ status: 'errored', reason });

/** Every layer a probe-only check can run at: the workload's view does not depend on the driver. */
export const ALL_LAYERS: readonly Layer[] = ['oci', 'containerd', 'kubernetes'];
