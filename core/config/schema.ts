/**
 * The config file format: one zod schema validates a parsed file and is also published as
 * JSON Schema (schema/runbench.config.schema.json, written by npm run schema).
 */
import { z } from 'zod';
import { EngineMode, Layer, WorkloadKind } from '../schema.ts';
import { DURATION, PERCENT } from './units.ts';

// One '/' may join two parts: the base runtime and the way it runs Wasm (runc/wasmtime-in-image).
const RUNTIME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]*(\/[a-zA-Z0-9][a-zA-Z0-9._-]*)?$/;

const Duration = z.union([z.number().positive(), z.string().regex(DURATION, 'expected a duration such as 500ms, 20s or 1m')]);
/** A bound in the metric's unit: a duration for times, a size for bytes, a number otherwise. */
const Bound = z
  .union([z.number(), z.string()])
  .describe("a limit in the metric's unit: a duration for times ('20ms', '800us'), a size for bytes ('64MiB'), a plain number otherwise");

export const RuntimeEntry = z
  .strictObject({
    name: z
      .string()
      .regex(RUNTIME_NAME, "letters, digits, '.', '_' or '-', with at most one '/' between two parts")
      .describe('the name results are labelled with'),
    binary: z.string().min(1).optional().describe('OCI runtime binary: a name searched on PATH and in the runbench cache, or a path (relative to this file)'),
    shim: z.string().min(1).optional().describe('containerd runtime type, e.g. io.containerd.spin.v2 (the containerd layer)'),
    runtimeClass: z.string().min(1).optional().describe('Kubernetes RuntimeClass name (the kubernetes layer)'),
    globalArgs: z.array(z.string()).optional().describe('arguments placed before every subcommand, e.g. --platform=ptrace'),
    wasm: z
      .strictObject({ annotations: z.record(z.string(), z.string()) })
      .optional()
      .describe('Wasm modules run with these OCI annotations, e.g. run.oci.handler: wasm'),
    engine: z
      .strictObject({
        name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, "lower-case letters, digits, '.', '_' or '-'").describe('the engine, e.g. wamr, wasmer'),
        mode: EngineMode.describe('interpreter, jit (compiled when loaded) or aot (compiled before the run)'),
        version: z.string().min(1).optional().describe("the engine's own version"),
      })
      .optional()
      .describe('the Wasm engine behind its Wasm workloads, which labels every Wasm figure (default: the one its handler or shim names)'),
    description: z.string().optional(),
  })
  .describe('a runtime: a known name alone, or a name with how to reach it');
export type RuntimeEntry = z.infer<typeof RuntimeEntry>;

export const Stat = z.enum(['median', 'p50', 'p95', 'p99', 'mean', 'min', 'max']);
export type Stat = z.infer<typeof Stat>;

export const MetricThreshold = z
  .strictObject({
    metric: z.string().describe("suite.metric, e.g. 'startup.run' (see runbench list)"),
    runtime: z.string().optional().describe('only this runtime (default every runtime)'),
    layer: Layer.optional(),
    workload: z.string().optional(),
    workloadKind: WorkloadKind.optional(),
    stat: Stat.optional().describe('which statistic of the samples is checked (default median; p50 is the median)'),
    max: Bound.optional().describe('absolute upper bound'),
    min: Bound.optional().describe('absolute lower bound'),
    maxRegression: z
      .string()
      .regex(PERCENT, "expected a percentage such as '5%'")
      .optional()
      .describe("largest change in the worse direction against the baseline, e.g. '5%'"),
  })
  .describe('a bound on one metric; at least one of max, min, maxRegression');
export type MetricThreshold = z.infer<typeof MetricThreshold>;

export const ConformanceThreshold = z.strictObject({
  maxMustFailures: z.number().int().nonnegative().optional().describe('failed MUST checks allowed (0: none)'),
  maxShouldFailures: z.number().int().nonnegative().optional().describe('failed SHOULD checks allowed'),
});

const PositiveInt = z.number().int().positive();

export const ConfigFile = z
  .strictObject({
    $schema: z.string().optional(),
    runtimes: z
      .array(z.union([z.string().regex(RUNTIME_NAME), RuntimeEntry]))
      .min(1)
      .optional()
      .describe('runtimes to measure (default every known runtime found on this machine)'),
    layers: z.array(Layer).min(1).optional().describe('how the runtimes are driven (default [oci, containerd] where containerd is usable, else [oci])'),
    suites: z.array(z.string()).min(1).optional().describe('suites to run (default all)'),
    workloads: z.strictObject({ kinds: z.array(WorkloadKind).min(1).optional().describe('workload builds to run (default native and wasm)') }).optional(),
    runs: PositiveInt.optional().describe('samples per metric (default 30)'),
    warmup: z.number().int().nonnegative().optional().describe('warmup runs before each metric (default 3)'),
    blocks: PositiveInt.optional().describe('rounds of interleaved sampling: each runtime takes one block of every metric per round, in a shuffled order (default 5)'),
    concurrency: PositiveInt.optional().describe('parallel containers in the churn test (default 4)'),
    churn: PositiveInt.optional().describe('containers per churn round (default 20)'),
    timeout: Duration.optional().describe('deadline for one operation; a number is milliseconds (default 60s)'),
    hangFactor: z
      .number()
      .nonnegative()
      .optional()
      .describe('once a series has 3 good samples, an attempt running longer than this many times their median (at least 5 s, at most timeout) is killed as hung; 0: only timeout (default 10)'),
    architectures: z.array(z.string().min(1)).min(1).optional().describe('architectures to measure (default the host)'),
    out: z.string().min(1).optional().describe('directory for results.json and results.csv, relative to this file'),
    baseline: z.string().min(1).optional().describe('results.json of an earlier run, for relative thresholds; relative to this file'),
    thresholds: z
      .strictObject({
        metrics: z.array(MetricThreshold).optional(),
        conformance: ConformanceThreshold.optional(),
        maxFailureRate: z
          .string()
          .regex(PERCENT, "expected a percentage such as '5%'")
          .refine((v) => Number(PERCENT.exec(v)?.[1]) <= 100, 'a failure rate is at most 100%')
          .optional()
          .describe(
            "largest share of failed or hung attempts a runtime configuration may show, e.g. '5%': breached when the 95% interval of its failure rate lies above it ('0%': any failure)",
          ),
      })
      .optional()
      .describe('bounds checked at the end of the run; a breach exits 3 (4 for conformance)'),
  })
  .describe('runbench run configuration');
export type ConfigFile = z.infer<typeof ConfigFile>;

/** The published JSON Schema, generated from ConfigFile (npm run schema writes it). */
export function configJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(ConfigFile, { target: 'draft-2020-12' }) as Record<string, unknown>;
  return { ...generated, title: 'runbench configuration' };
}
