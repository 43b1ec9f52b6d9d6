/** What resolution produces and what it takes: the resolved config, output options, flags, catalogue. */
import type { RuntimeDefinition } from '../runtimes.ts';
import type { Layer, Unit, WorkloadKind } from '../schema.ts';
import type { Stat } from './schema.ts';

export interface ResolvedMetricThreshold {
  /** e.g. `startup.run p95 < 20 ms [runtime=crun]`: how breaches name it. */
  text: string;
  suite: string;
  metric: string;
  unit: Unit;
  better: 'lower' | 'higher';
  where: { runtime?: string; layer?: Layer; workload?: string; workloadKind?: WorkloadKind };
  stat: Exclude<Stat, 'p50'>;
  /** In the metric's unit. */
  max: number | null;
  min: number | null;
  /** Percent. */
  maxRegressionPercent: number | null;
}

export interface ResolvedThresholds {
  metrics: ResolvedMetricThreshold[];
  conformance: { maxMustFailures: number | null; maxShouldFailures: number | null } | null;
  /** The largest failure rate, in percent, a runtime configuration may show (core/failure-threshold.ts); null: none. */
  maxFailureRatePercent: number | null;
}

/** Everything that decides what is measured and how it is judged; recorded in every results document. */
export interface ResolvedConfig {
  /** The runtimes to measure; `null` means every known runtime found on the machine. */
  runtimes: RuntimeDefinition[] | null;
  layers: Layer[];
  suites: string[];
  workloadKinds: WorkloadKind[];
  runs: number;
  warmup: number;
  blocks: number;
  concurrency: number;
  churnContainers: number;
  timeoutMs: number;
  /** The hang deadline's factor (core/hang-deadline.ts); 0: only `timeoutMs`. */
  hangFactor: number;
  architectures: string[];
  thresholds: ResolvedThresholds;
}

/** Where output goes and which earlier run to compare with: not part of the measured config. */
export interface OutputOptions {
  out: string;
  baseline: string | null;
  json: boolean;
  quiet: boolean;
}

/** Flags actually given on the command line (absent = not given). */
export interface ConfigFlags {
  runtime?: string[];
  layer?: string[];
  suite?: string[];
  workloadKind?: string[];
  arch?: string[];
  runs?: number;
  warmup?: number;
  blocks?: number;
  concurrency?: number;
  churn?: number;
  timeout?: number;
  hangFactor?: number;
  out?: string;
  baseline?: string;
  json?: boolean;
  quiet?: boolean;
}

/** What resolution checks names against: the registries, passed in so core stays independent of them. */
export interface Catalogue {
  suites: readonly { name: string; metrics: readonly { name: string; unit: Unit; better: 'lower' | 'higher' }[] }[];
  hostArch: string;
  /** Foreign archs this host runs through qemu-user (HostFacts.emulatedArchs). */
  emulatedArchs?: readonly string[];
  knownRuntimes?: readonly RuntimeDefinition[];
  /** The layers measured when neither the flags nor the file name any (default DEFAULTS.layers). */
  defaultLayers?: readonly Layer[];
}

export interface Resolution {
  config: ResolvedConfig;
  output: OutputOptions;
  /** Absolute path of the config file, or null when none was given. */
  source: string | null;
  /** The flags or the file named the suites (else every suite runs, each at its default layers). */
  suitesNamed: boolean;
  /** The flags or the file named the layers (else the catalogue's default layers are measured). */
  layersNamed: boolean;
}
