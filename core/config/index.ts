/**
 * The run configuration: one file (YAML or JSON) describing the matrix (runtimes, layers,
 * suites, workloads, repetitions) and the thresholds that gate a CI job. One zod schema
 * validates it and is also published as JSON Schema (schema/runbench.config.schema.json).
 * Resolution turns file + command-line flags + defaults into one ResolvedConfig; errors
 * name the key path and the file position, as one line.
 */
export { ConfigFile, ConformanceThreshold, configJsonSchema, MetricThreshold, RuntimeEntry, Stat } from './schema.ts';
export { configError, formatPath, parseConfigText, readConfigFile, type ConfigSource, type KeyPath } from './positions.ts';
export { validateConfig } from './diagnostics.ts';
export { DEFAULTS, resolveConfig } from './resolve.ts';
export { parseBound } from './units.ts';
export type { Catalogue, ConfigFlags, OutputOptions, Resolution, ResolvedConfig, ResolvedMetricThreshold, ResolvedThresholds } from './types.ts';
export { canonicalJson, configDigest } from './digest.ts';
