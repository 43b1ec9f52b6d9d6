/**
 * The results document: the one artefact every report is a pure function of.
 * Raw samples travel beside the statistics computed from them, with the labels
 * (runtime, layer, arch, workload) a reader needs to compare like with like.
 */
import { z } from 'zod';
import { AttemptError, DensityPoint, DensityStop, EngineInfo, EngineMode, FailureCounts, HangDeadline, Invocation } from './schema-parts.ts';

export { AttemptError, DensityPoint, DensityStop, EngineInfo, EngineMode, FailureCounts, HangDeadline, Invocation };

/**
 * The version changes only when a reader of the previous one would misread a document. Fields
 * added since version 1 are optional or have a default, so a new reader fills them in for an
 * old document, and an old reader drops them (z.object strips unknown keys). A value an old
 * reader cannot parse, such as a measurement whose stats are null, keeps the version too: the
 * old reader refuses that document with a schema error instead of misreading it.
 */
export const SCHEMA_VERSION = 1 as const;

/** How a runtime is reached: OCI CLI, containerd's API, a Kubernetes cluster, or the CRI as critest drives it. */
export const Layer = z.enum(['oci', 'containerd', 'kubernetes', 'cri']);
export type Layer = z.infer<typeof Layer>;

export const WorkloadKind = z.enum(['native', 'wasm']);
export type WorkloadKind = z.infer<typeof WorkloadKind>;

export const Unit = z.enum(['ns', 'bytes', 'ops/s', 'containers/s', 'containers/GiB', 'ratio', 'count', 'bool']);
export type Unit = z.infer<typeof Unit>;

export const CgroupLayout = z.enum(['v1', 'v2', 'hybrid', 'none']);
export type CgroupLayout = z.infer<typeof CgroupLayout>;

export const HostFacts = z.object({
  hostname: z.string(),
  kernel: z.string(),
  os: z.string(),
  arch: z.string(),
  cpuModel: z.string(),
  cores: z.number().int().positive(),
  memoryBytes: z.number().int().nonnegative(),
  cgroupLayout: CgroupLayout,
  /** Controllers bound to the unified (cgroup2) hierarchy; on hybrid hosts these matter to crun. */
  cgroup2Controllers: z.array(z.string()),
  root: z.boolean(),
  apparmor: z.boolean(),
  /** Foreign archs the kernel runs through binfmt_misc with qemu-user (fix-binary, so inside containers too). */
  emulatedArchs: z.array(z.string()).optional(),
  nodeVersion: z.string(),
});
export type HostFacts = z.infer<typeof HostFacts>;

export const RuntimeStatus = z.enum(['ok', 'missing', 'broken']);
export type RuntimeStatus = z.infer<typeof RuntimeStatus>;

export const RuntimeInfo = z.object({
  name: z.string(),
  /** How it is driven: the OCI CLI, a containerd shim, a Kubernetes RuntimeClass. */
  kind: z.enum(['oci', 'containerd-shim', 'runtime-class']),
  path: z.string().nullable(),
  version: z.string().nullable(),
  /** Feature flags the runtime reports, e.g. crun's +SECCOMP or +WASM:wasmtime. */
  features: z.array(z.string()),
  /** Wasm handlers this runtime can run a wasm32-wasi module with. */
  wasmHandlers: z.array(z.string()),
  status: RuntimeStatus,
  reason: z.string().nullable(),
  /** Extra global arguments passed before the subcommand (e.g. runsc --platform=ptrace). */
  globalArgs: z.array(z.string()),
  /** OCI annotations a Wasm module is run with (e.g. run.oci.handler: wasm), from the runtime's definition. */
  wasmAnnotations: z.record(z.string(), z.string()).optional(),
  /** Runs every container as a Wasm module (a Wasm shim; crun under a wasm program name). */
  wasmOnly: z.boolean().optional(),
  /** A containerd shim's runtime type, e.g. io.containerd.wasmtime.v1. */
  handler: z.string().optional(),
  /** The Wasm engine its Wasm workloads run under, with its version and mode; absent for a runtime without one. */
  engine: EngineInfo.optional(),
  /**
   * The set of modules its Wasm workloads run instead of the plain wasm32-wasi builds, e.g. the
   * same modules compiled ahead of time by `wasmedge compile`: the rootfs at the oci layer,
   * the image at the containerd and kubernetes layers.
   */
  wasmModules: z
    .strictObject({
      /** What the set is, e.g. `wasmedge-aot`. */
      variant: z.string(),
      /** The rootfs under build/rootfs/<rootfs>-<arch> ... */
      rootfs: z.string(),
      /** ... and the image: its name and its archive under build/images/. */
      image: z.strictObject({ name: z.string(), archive: z.string() }),
    })
    .optional(),
  /**
   * How a Wasm module reaches an engine when neither the runtime nor its shim has one:
   * `in-image` runs an ordinary container whose image carries a Wasm runtime
   * (`runtimePath args... /wasm/<workload>.wasm <workload args>`), with no Wasm annotation.
   */
  wasmVia: z
    .strictObject({
      kind: z.literal('in-image'),
      /** The Wasm runtime's path inside the image. */
      runtimePath: z.string(),
      /** Arguments between runtimePath and the module. */
      args: z.array(z.string()),
      /** Where the modules sit in the image, when not /wasm (the same modules compiled ahead of time). */
      moduleDir: z.string().optional(),
      /** The modules' file extension when not `.wasm` (`.cwasm`, `.wasmu`: wasmtime's and wasmer's precompiled modules). */
      moduleExt: z.string().optional(),
      /** The rootfs under build/rootfs/<rootfs>-<arch> (OCI layer) ... */
      rootfs: z.string(),
      /** ... and the image (containerd layer): its name and its archive under build/images/. */
      image: z.strictObject({ name: z.string(), archive: z.string() }),
    })
    .optional(),
  /**
   * Its Wasm workloads as OCI Wasm layers: a `wasm` image per workload, `<repository>:<tagPrefix><workload>`,
   * whose one layer is the module, in build/images/<archive>; runwasi's library hands the shim the
   * module (or the code its compiler made of it) from containerd's content store. containerd layer only.
   */
  wasmLayers: z.strictObject({ repository: z.string(), tagPrefix: z.string(), archive: z.string() }).optional(),
});
export type RuntimeInfo = z.infer<typeof RuntimeInfo>;

export const Stats = z.object({
  n: z.number().int().nonnegative(),
  min: z.number(),
  max: z.number(),
  mean: z.number(),
  stddev: z.number(),
  median: z.number(),
  p95: z.number(),
  p99: z.number(),
  mad: z.number(),
  /** Indexes (into samples) whose modified z-score exceeds the outlier threshold. */
  outliers: z.array(z.number().int().nonnegative()),
  /** A confidence interval of the median: exact order statistics (see ci95MedianCoverage), a bootstrap in older documents. */
  ci95Median: z.tuple([z.number(), z.number()]),
  /**
   * The probability that ci95Median covers the median: at least 0.95 from 6 samples on; with
   * fewer no pair of order statistics reaches 0.95 and this says how far short [min, max] falls.
   * Absent in documents from before it was recorded (their interval was a percentile bootstrap).
   */
  ci95MedianCoverage: z.number().min(0).max(1).optional(),
});
export type Stats = z.infer<typeof Stats>;

export const Labels = z.object({
  runtime: z.string(),
  layer: Layer,
  workload: z.string(),
  workloadKind: WorkloadKind,
  arch: z.string(),
  /** True when the figure came from an emulated architecture (qemu-user). */
  emulated: z.boolean(),
  host: z.string(),
  /**
   * The Wasm engine a Wasm figure was taken under (wasmtime, wasmedge, wasmer); `none` for a
   * native one. Documents from before it was recorded get it from their runtimes (core/legacy.ts).
   */
  engine: z.string().default('none'),
  /** How that engine ran the module; `none` for a native figure, `unknown` where nothing says. */
  engineMode: z.enum([...EngineMode.options, 'none', 'unknown']).default('none'),
  /** The CRI implementation that served the row, at the cri layer only: `containerd 1.7.24`. */
  cri: z.string().optional(),
});
export type Labels = z.infer<typeof Labels>;

export const Measurement = z.object({
  suite: z.string(),
  metric: z.string(),
  unit: Unit,
  labels: Labels,
  /** The samples that produced a value, in the order taken. */
  samples: z.array(z.number()),
  /**
   * Samples that produced no value (a lifecycle phase never observed, a figure the runtime did
   * not report). They are kept out of the statistics; 0 in documents from before they were counted.
   */
  failedSamples: z.number().int().nonnegative().default(0),
  /** Computed from `samples`; null when there is none, so no figure stands in for missing data. */
  stats: Stats.nullable(),
  /** Free-form notes that qualify the figure (method, parameters). */
  notes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  /** With interleaved sampling, the block (0-based round) each sample was taken in, parallel to `samples`. */
  blocks: z.array(z.number().int().nonnegative()).optional(),
});
export type Measurement = z.infer<typeof Measurement>;

/** A recorded yes/no observation, e.g. whether a memory limit was enforced. */
export const Fact = z.object({
  suite: z.string(),
  name: z.string(),
  labels: Labels,
  value: z.union([z.boolean(), z.number(), z.string()]),
  detail: z.string(),
});
export type Fact = z.infer<typeof Fact>;

export const Outcome = z.discriminatedUnion('status', [
  z.object({ status: z.literal('passed'), reason: z.string().nullable() }),
  z.object({ status: z.literal('failed'), reason: z.string() }),
  z.object({ status: z.literal('skipped'), reason: z.string() }),
  z.object({ status: z.literal('errored'), reason: z.string() }),
]);
export type Outcome = z.infer<typeof Outcome>;

/** One suite run against one runtime: what happened, even when no figure came of it. */
export const SuiteRun = z.object({
  suite: z.string(),
  runtime: z.string(),
  layer: Layer,
  /** The arch the workloads ran as (absent in documents from before multi-arch runs). */
  arch: z.string().optional(),
  outcome: Outcome,
  durationMs: z.number().nonnegative(),
});
export type SuiteRun = z.infer<typeof SuiteRun>;

export const HarnessOverhead = z.object({
  /** How runbench times a process: a resident C helper doing posix_spawn + wait4. */
  method: z.string(),
  /** Samples of timing a static no-op process through the same path as the runtimes. */
  spawnNoopNs: z.array(z.number()),
  spawnNoopStats: Stats.nullable(),
  /** The same no-op spawned from Node (execa), for contrast; not used for any figure. */
  nodeSpawnNoopNs: z.array(z.number()),
  nodeSpawnNoopStats: Stats.nullable(),
});
export type HarnessOverhead = z.infer<typeof HarnessOverhead>;

export const ConformanceResult = z.object({
  checkId: z.string(),
  area: z.string(),
  title: z.string(),
  specRef: z.string(),
  level: z.enum(['MUST', 'SHOULD', 'MAY']),
  labels: Labels,
  outcome: Outcome,
});
export type ConformanceResult = z.infer<typeof ConformanceResult>;

/**
 * One series: the attempts of one operation (a suite's `run`, `lifecycle`, `churn`, `pods`) for
 * one runtime and workload. The samples that succeeded are kept; the series stands as a
 * measurement only with enough of them (core/reliability.ts), else it is errored with why.
 */
export const SeriesReliability = FailureCounts.extend({
  suite: z.string(),
  series: z.string(),
  labels: Labels,
  /** The measurements its samples fed. */
  metrics: z.array(z.string()),
  /** Samples (churn: containers) it set out to take; null when it fills until a limit (density). */
  planned: z.number().int().nonnegative().nullable(),
  /** Attempts that succeeded. */
  succeeded: z.number().int().nonnegative(),
  /** Its distinct errors, most frequent first, at most 5. */
  errors: z.array(AttemptError),
  outcome: z.discriminatedUnion('status', [
    z.object({ status: z.literal('measured'), reason: z.null() }),
    z.object({ status: z.literal('errored'), reason: z.string() }),
  ]),
});
export type SeriesReliability = z.infer<typeof SeriesReliability>;

/** A runtime configuration (runtime, layer, arch, workload kind): its series' attempts pooled. */
export const ConfigurationReliability = FailureCounts.extend({
  labels: Labels.omit({ workload: true }),
  series: z.number().int().nonnegative(),
});
export type ConfigurationReliability = z.infer<typeof ConfigurationReliability>;

export const Reliability = z.object({
  /** The rule a series was held to, in words (core/reliability.ts). */
  rule: z.string(),
  series: z.array(SeriesReliability),
  configurations: z.array(ConfigurationReliability),
});
export type Reliability = z.infer<typeof Reliability>;

/** One threshold checked against one measurement (or against the conformance results). */
export const ThresholdCheck = z.object({
  /** reliability: a runtime configuration's failure rate against maxFailureRate. */
  kind: z.enum(['metric', 'conformance', 'reliability']),
  /** The threshold as configured, e.g. `startup.run p95 < 20ms [runtime=crun]`. */
  threshold: z.string(),
  /** The measurement it was checked against (for reliability, the configuration's labels with workload '*'); null for conformance or when none matched. */
  labels: Labels.nullable(),
  /** The value checked (in the metric's unit, a count, or for reliability a failure rate in percent), the limit, and the baseline value if relative. */
  observed: z.number().nullable(),
  limit: z.number().nullable(),
  baseline: z.number().nullable(),
  /** passed, failed (a breach, with the message), or skipped (with why it could not be checked). */
  outcome: Outcome,
});
export type ThresholdCheck = z.infer<typeof ThresholdCheck>;

export const RunParameters = z.object({
  suites: z.array(z.string()),
  runtimes: z.array(z.string()),
  layers: z.array(Layer),
  archs: z.array(z.string()).optional(),
  runs: z.number().int().positive(),
  warmup: z.number().int().nonnegative(),
  concurrency: z.number().int().positive(),
  churnContainers: z.number().int().positive(),
  /** Rounds of interleaved sampling: each runtime takes one block of every metric's samples per round. */
  blocks: z.number().int().positive().optional(),
  /** The deadline of one operation (`--timeout`), ms; absent in documents from before it was recorded. */
  timeoutMs: z.number().positive().optional(),
  /** The hang deadline in force; absent in documents from before it existed (only `--timeout` then). */
  hangDeadline: HangDeadline.optional(),
});
export type RunParameters = z.infer<typeof RunParameters>;

/** How busy the host was during each turn of sampling, and whether that made the run noisy. */
export const NoiseReport = z.object({
  turns: z.array(
    z.object({
      layer: Layer,
      arch: z.string(),
      round: z.number().int().nonnegative(),
      runtime: z.string(),
      /** The 1-minute load average when the turn ended. */
      loadAvg1: z.number().nullable(),
      /** CPU time stolen by the hypervisor during the turn, percent of all CPU time. */
      stealPct: z.number().nullable(),
      /** CPU time not idle during the turn (runbench's own work included), percent. */
      busyPct: z.number().nullable(),
      cpuMHz: z.number().nullable(),
    }),
  ),
  summary: z.object({ maxLoadAvg1: z.number().nullable(), maxStealPct: z.number().nullable(), noisy: z.boolean(), reason: z.string().nullable() }),
});
export type NoiseReport = z.infer<typeof NoiseReport>;

/**
 * How many idle units of one runtime configuration fit, as a curve: the footprint and the
 * start latency against the count, what stopped the fill and how long removing it all took.
 */
export const DensityCurve = z.object({
  suite: z.string(),
  labels: Labels,
  /** What `footprintBytes` measures, e.g. PSS of every process the containers added. */
  footprintOf: z.string(),
  /** What a unit's start latency spans. */
  startDefinition: z.string(),
  limits: z.object({
    budgetBytes: z.number().nonnegative(),
    maxCount: z.number().int().positive(),
    timeLimitMs: z.number().positive().nullable(),
    concurrency: z.number().int().positive(),
  }),
  stop: z.object({ reason: DensityStop, detail: z.string() }),
  /** Units running when the fill stopped. */
  count: z.number().int().nonnegative(),
  /** Starting with count 0 (the baseline) where the run measured one. */
  points: z.array(DensityPoint),
  /** Removing every unit: wall time, units removed at once, and what could not be removed. */
  teardown: z.object({ ns: z.number().nonnegative(), concurrency: z.number().int().positive(), leftovers: z.array(z.string()) }).nullable(),
  notes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  /** Set when the curve was rebuilt from an older document's measurements (core/legacy.ts): what it lacks. */
  mended: z.string().optional(),
});
export type DensityCurve = z.infer<typeof DensityCurve>;

export const ResultsDocument = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  tool: z.object({
    name: z.literal('runbench'),
    version: z.string(),
    /** The git commit of the runbench checkout that ran, `-dirty` when it had uncommitted changes; null outside a checkout and in older documents. */
    commit: z.string().nullable(),
  }),
  /** The command line that made this document; null when it was made without one (a library call) and in older documents. */
  invocation: Invocation.nullable(),
  runId: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  host: HostFacts,
  runtimes: z.array(RuntimeInfo),
  parameters: RunParameters,
  /** The order runtimes took their turns in, per layer, arch and round (interleaved sampling). */
  schedule: z.array(z.object({ layer: Layer, arch: z.string(), round: z.number().int().nonnegative(), order: z.array(z.string()) })).optional(),
  /** Digest of the resolved configuration that produced this document, and the config itself. */
  config: z.object({ digest: z.string(), resolved: z.unknown() }),
  harness: HarnessOverhead.nullable(),
  noise: NoiseReport.optional(),
  measurements: z.array(Measurement),
  /** Attempts, failures and hangs of every series and runtime configuration; absent in documents from before they were counted. */
  reliability: Reliability.optional(),
  facts: z.array(Fact),
  suiteRuns: z.array(SuiteRun),
  conformance: z.array(ConformanceResult),
  /** Density curves, one per runtime configuration, layer, arch and workload kind; absent when no density fill ran. */
  density: z.array(DensityCurve).optional(),
  /** Thresholds from the config, checked at the end of the run; absent when none were configured. */
  thresholds: z.array(ThresholdCheck).optional(),
});
export type ResultsDocument = z.infer<typeof ResultsDocument>;
