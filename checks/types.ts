/**
 * A conformance check: one rule of the OCI runtime-spec (or of WASI preview1), its
 * RFC 2119 level, where it applies, and a function that observes the runtime and
 * returns an Outcome. Checks never talk to a runtime binary themselves: they go
 * through a ConformanceTarget, so the same check runs at any layer that has one.
 */
import type { ConformanceTarget } from '../core/conformance.ts';
import type { Layer, Outcome, WorkloadKind } from '../core/schema.ts';

export {
  CannotAsk,
  type BundleOverrides,
  type CommandResult,
  type ConformanceTarget,
  type ContainerHandle,
  type ContainerOps,
  type ContainerState,
  type OwnedTarget,
  type ProbeRequest,
  type Remains,
} from '../core/conformance.ts';
export type { ProbeRun } from '../core/probe-report.ts';

export type Area = 'lifecycle' | 'config' | 'process' | 'security' | 'filesystem' | 'namespaces' | 'resources' | 'wasi';
export const AREAS: readonly Area[] = ['lifecycle', 'config', 'process', 'security', 'filesystem', 'namespaces', 'resources', 'wasi'];

export type Level = 'MUST' | 'SHOULD' | 'MAY';

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

export const passed = (reason: string | null = null): Outcome => ({ status: 'passed', reason });
export const failed = (reason: string): Outcome => ({ status: 'failed', reason });
export const skipped = (reason: string): Outcome => ({ status: 'skipped', reason });
export const errored = (reason: string): Outcome => ({ status: 'errored', reason });

/** Every layer a probe-only check can run at: the workload's view does not depend on the driver. */
export const ALL_LAYERS: readonly Layer[] = ['oci', 'containerd', 'kubernetes'];
