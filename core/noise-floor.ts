/**
 * A host's noise floor: how far each measurement's level moves from one run to the next on this
 * host when nothing changed (an A/A repeat), beyond what the blocks within a run predict.
 * `runbench calibrate` learns it; `compare` adds it to the block test's error, so a change no
 * larger than what this host does by itself between runs is never called significant.
 *
 * Each run's level is the mean of the logarithms of its block medians, the quantity the block
 * test compares. Over R runs, their variance V has two parts: the spread of the blocks (each run's
 * within-run variance of its block medians over its k blocks, w/k, which the block test already
 * counts) and a run-level part: sigma_r^2 = max(0, V - mean(w/k)), the method-of-moments estimate
 * of a one-way random-effects model, with R - 1 degrees of freedom. A run sampled in one block
 * has no within-run spread to subtract: its runs' whole variance is taken as run-level.
 * (Taking a 95% prediction bound of the run medians as a threshold instead, as an earlier version
 * did, counted the blocks' noise twice and, with t(2) = 4.3 from three runs, gave floors of 12% to
 * 870% on a loaded 2-core host: no 10% regression could ever be flagged.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { blockGroups, type RunVariance } from './block-test.ts';
import { type CompareKey, keyOf, keyString } from './compare.ts';
import { UserError } from './errors.ts';
import { cacheDir } from './paths.ts';
import { type ResultsDocument, Unit } from './schema.ts';
import { mean, median } from './stats.ts';

const Key = z.object({
  layer: z.string(),
  suite: z.string(),
  metric: z.string(),
  runtime: z.string(),
  workload: z.string(),
  workloadKind: z.string(),
  arch: z.string(),
});

export const NoiseFloorEntry = z.object({
  key: Key,
  unit: Unit,
  /** Each run's median, in the order the runs were taken. */
  medians: z.array(z.number()),
  /** Standard deviation of the runs' log levels (mean log block median), as a percentage. */
  spreadPercent: z.number().nonnegative(),
  /** The run-level part of that spread, sigma_r, in log units; 0 when the blocks explain it all. */
  runSpreadLog: z.number().nonnegative(),
  /** Its degrees of freedom: the runs, less one. */
  df: z.number().int().positive(),
});
export type NoiseFloorEntry = z.infer<typeof NoiseFloorEntry>;

export const NoiseFloor = z.object({
  kind: z.literal('runbench-noise-floor'),
  schemaVersion: z.literal(2),
  createdAt: z.string(),
  host: z.object({ hostname: z.string(), kernel: z.string(), cpuModel: z.string() }),
  runbenchVersion: z.string(),
  /** The A/A runs it was learned from. */
  runs: z.array(z.object({ runId: z.string(), startedAt: z.string() })).min(2),
  entries: z.array(NoiseFloorEntry),
});
export type NoiseFloor = z.infer<typeof NoiseFloor>;

/** Where calibrate stores a host's floor and compare looks for it. */
export function defaultNoiseFloorPath(hostname: string): string {
  return join(cacheDir, 'noise-floor', `${hostname.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
}

/** One run of a measurement: its samples grouped by block (one group when it was not sampled in blocks). */
export type RunBlocks = readonly (readonly number[])[];

/**
 * The floor of one measurement from R >= 2 runs; null with fewer, or with a block median that is
 * not positive (no logarithm).
 */
export function floorOf(runs: readonly RunBlocks[]): { spreadPercent: number; runSpreadLog: number; df: number } | null {
  if (runs.length < 2) return null;
  const levels: number[] = [];
  const blockTerms: number[] = [];
  for (const groups of runs) {
    const meds = groups.filter((g) => g.length > 0).map((g) => median(g));
    if (meds.length === 0 || meds.some((m) => !(m > 0))) return null;
    const logs = meds.map(Math.log);
    levels.push(mean(logs));
    blockTerms.push(logs.length >= 2 ? variance(logs) / logs.length : 0);
  }
  const v = variance(levels);
  const runVar = Math.max(0, v - mean(blockTerms));
  return { spreadPercent: Math.sqrt(v) * 100, runSpreadLog: Math.sqrt(runVar), df: runs.length - 1 };
}

function variance(xs: readonly number[]): number {
  const m = mean(xs);
  return xs.reduce((acc, x) => acc + (x - m) ** 2, 0) / (xs.length - 1);
}

/** Learns the floor from A/A runs of the same matrix (at least two). */
export function learnNoiseFloor(runs: readonly ResultsDocument[], now = new Date()): NoiseFloor {
  const first = runs[0];
  if (!first || runs.length < 2) throw new RangeError('a noise floor needs at least two runs');
  const byKey = new Map<string, { key: CompareKey; unit: Unit; medians: number[]; runs: RunBlocks[] }>();
  runs.forEach((doc, i) => {
    for (const m of doc.measurements) {
      if (m.samples.length === 0) continue;
      const key = keyOf(m);
      const k = keyString(key);
      const e = byKey.get(k) ?? { key, unit: m.unit, medians: [], runs: [] };
      // a measurement missing from a run leaves a gap: only keys measured in every run count
      if (e.medians.length === i) {
        e.medians.push(median(m.samples));
        e.runs.push(blockGroups(m) ?? [m.samples]);
      }
      byKey.set(k, e);
    }
  });
  const entries: NoiseFloorEntry[] = [];
  for (const e of byKey.values()) {
    if (e.medians.length !== runs.length) continue;
    const f = floorOf(e.runs);
    if (f) entries.push({ key: e.key, unit: e.unit, medians: e.medians, ...f });
  }
  return NoiseFloor.parse({
    kind: 'runbench-noise-floor',
    schemaVersion: 2,
    createdAt: now.toISOString(),
    host: { hostname: first.host.hostname, kernel: first.host.kernel, cpuModel: first.host.cpuModel },
    runbenchVersion: first.tool.version,
    runs: runs.map((d) => ({ runId: d.runId, startedAt: d.startedAt })),
    entries,
  });
}

/** A lookup of each row's run-level variance, for compare's `runVarianceFor`. */
export function runVarianceLookup(floor: NoiseFloor): (key: CompareKey) => RunVariance | null {
  const map = new Map(floor.entries.map((e) => [keyString(e.key), { variance: e.runSpreadLog ** 2, df: e.df }]));
  return (key) => map.get(keyString(key)) ?? null;
}

/** Reads a noise floor file, validated; one clear error line for anything else. */
export function readNoiseFloor(path: string): NoiseFloor {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(code ? `cannot read noise floor ${path}: ${code}` : `${path} is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const parsed = NoiseFloor.safeParse(raw);
  const version = (raw as { kind?: unknown; schemaVersion?: unknown } | null)?.schemaVersion;
  if (!parsed.success && (raw as { kind?: unknown } | null)?.kind === 'runbench-noise-floor' && version === 1)
    throw new UserError(`${path} is a noise floor of an earlier runbench (a threshold, not a run-level spread): run runbench calibrate again`);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`${path} is not a runbench noise floor: ${issue ? issue.path.join('.') || '(root)' : '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
