/**
 * What a conformance check runs against: a target that runs the probe workload (and, at
 * layers that have them, step-by-step container operations). The core owns these
 * interfaces; each layer's runner offers a target through its session's `conformance`
 * capability, and checks see only this.
 */
import type { CpuThrottling } from './cgroups.ts';
import type { BundleOptions, OciConfig } from './oci-spec.ts';
import type { ProbeRun } from './probe-report.ts';
import type { Layer, Outcome, WorkloadKind } from './schema.ts';

/** Overrides applied on top of the bundle a target generates for a workload. */
export type BundleOverrides = Partial<Omit<BundleOptions, 'rootfs' | 'cgroupsPath'>>;

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

/** A target the conformance run can reset between checks and close at the end. */
export type OwnedTarget = ConformanceTarget & { reset(): Promise<void>; close(): Promise<void> };

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

/** What a conformance suite run whole by a layer is (critest at the cri layer), for its rows. */
export interface SuiteInfo {
  /** The row a run that could not start at all records, errored: `cri.critest`. */
  id: string;
  title: string;
  /** Where the suite is defined: `cri-tools v1.34.0 critest`. */
  specRef: string;
}

/** One spec of such a suite, as a conformance row. */
export interface SuiteVerdict {
  id: string;
  area: string;
  title: string;
  specRef: string;
  level: 'MUST' | 'SHOULD' | 'MAY';
  outcome: Outcome;
}

/** The verdicts of one run of the suite against one endpoint: `cri` names the CRI that served it. */
export interface SuiteVerdicts {
  cri?: string;
  verdicts: SuiteVerdict[];
}
