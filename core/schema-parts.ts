/** Parts of the results document that stand alone (no labels inside): re-exported by schema.ts. */
import { z } from 'zod';

/**
 * How a Wasm engine runs a module: `interpreter` executes the bytecode; `jit` compiles it to
 * native code when the module is loaded (wasmtime's and wasmer's Cranelift); `aot` runs native
 * code compiled before the container starts (`wasmedge compile`).
 */
export const EngineMode = z.enum(['interpreter', 'jit', 'aot']);
export type EngineMode = z.infer<typeof EngineMode>;

/** The Wasm engine behind a runtime's Wasm workloads: wasmtime, wasmedge, wasmer, ... */
export const EngineInfo = z.object({
  name: z.string(),
  /** The engine's own version (wasmtime 26.0.1 inside crun), not the runtime's; null when nothing recorded it. */
  version: z.string().nullable(),
  mode: EngineMode,
});
export type EngineInfo = z.infer<typeof EngineInfo>;

/** How often attempts failed: the count, the rate and its exact (Clopper-Pearson) 95% interval. */
export const FailureCounts = z.object({
  /** Operations asked of the runtime: warmups, samples and the checks after them (a churn container each). */
  attempts: z.number().int().nonnegative(),
  /** Attempts that failed, hangs included. */
  failures: z.number().int().nonnegative(),
  /** Failures that were hangs: killed at the deadline (`--timeout`, or the hang deadline once the series had good samples). */
  hangs: z.number().int().nonnegative(),
  /** failures / attempts; null without attempts. */
  failureRate: z.number().min(0).max(1).nullable(),
  failureRateCi95: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]).nullable(),
});
export type FailureCounts = z.infer<typeof FailureCounts>;

/** Why a density fill stopped adding units (core/density.ts). */
export const DensityStop = z.enum(['budget', 'host-memory', 'cap', 'failure', 'exited', 'time', 'pids', 'fds']);
export type DensityStop = z.infer<typeof DensityStop>;

/** One point of a density curve: the fill as it stood once its `count`-th unit had started. */
export const DensityPoint = z.object({
  count: z.number().int().nonnegative(),
  /** Start latency of the count-th unit; null at count 0 (before the first) and where not observed. */
  startNs: z.number().nullable(),
  /** Since the fill began; null in curves mended from older documents. */
  elapsedNs: z.number().nonnegative().nullable(),
  /** The host's MemAvailable right after this unit started; null where the layer cannot see the node's. */
  memAvailableBytes: z.number().nullable(),
  /** The curve's footprint (see DensityCurve.footprintOf), what serves the units included; measured at checkpoints only, else null. */
  footprintBytes: z.number().nullable(),
  /** The footprint by process name, at checkpoints where the layer reads it per process. */
  byProcess: z.record(z.string(), z.number()).optional(),
  /** The sum of the units' cgroup memory usage, at checkpoints; null where unreadable. */
  cgroupBytes: z.number().nullable(),
});
export type DensityPoint = z.infer<typeof DensityPoint>;

/** How a document was made: the command line as given, so a reader can run it again. */
export const Invocation = z.object({
  /** How runbench was called: `runbench`, or `npx runbench` when npm ran it. */
  program: z.string(),
  /** The arguments after the program, exactly as given. */
  argv: z.array(z.string()),
  /** The working directory, where relative paths in argv resolve. */
  cwd: z.string(),
});
export type Invocation = z.infer<typeof Invocation>;

/**
 * The hang deadline (core/hang-deadline.ts): once a series has `afterSuccesses` good attempts, one
 * still running after max(`factor` × their median, `floorMs`), capped at `--timeout`, is killed as
 * hung; a factor of 0 turns it off.
 */
export const HangDeadline = z.object({
  factor: z.number().nonnegative(),
  floorMs: z.number().nonnegative(),
  afterSuccesses: z.number().int().positive(),
});
export type HangDeadline = z.infer<typeof HangDeadline>;

/** One way a series' attempts failed, and how often: errors alike are counted together. */
export const AttemptError = z.object({
  /** hung: killed at the deadline (--timeout, or the hang deadline); failed: ended by itself without a valid result. */
  kind: z.enum(['failed', 'hung']),
  /** The runtime's error, on one line, trimmed to 200 characters, container ids masked so that alike errors count together. */
  error: z.string(),
  count: z.number().int().positive(),
});
export type AttemptError = z.infer<typeof AttemptError>;
