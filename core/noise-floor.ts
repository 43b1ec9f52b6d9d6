/**
 * A host's noise floor: how far the median of each measurement moves between runs of the
 * same matrix on the same host when nothing changed (an A/A repeat). `runbench calibrate`
 * learns it; `compare` then takes it as each row's threshold on that host, so a change smaller
 * than what this host does by itself from run to run is never called a regression.
 *
 * From R runs the floor of a measurement is the upper 95% prediction bound of the difference
 * between two more runs' medians: with s the standard deviation of the log medians,
 * exp(t(R-1, 0.975) * sqrt(2) * s) - 1. Few runs give a wide floor, as they should.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { type CompareKey, keyOf, keyString } from './compare.ts';
import { UserError } from './errors.ts';
import { cacheDir } from './paths.ts';
import { type ResultsDocument, Unit } from './schema.ts';
import { mean, median } from './stats.ts';
import { tQuantileUpper } from './student-t.ts';

/** A floor is never below this: a change under 1% is not worth a verdict on any host. */
export const MIN_FLOOR_PERCENT = 1;

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
  /** Standard deviation of the log medians, as a percentage. */
  spreadPercent: z.number().nonnegative(),
  floorPercent: z.number().nonnegative(),
});
export type NoiseFloorEntry = z.infer<typeof NoiseFloorEntry>;

export const NoiseFloor = z.object({
  kind: z.literal('runbench-noise-floor'),
  schemaVersion: z.literal(1),
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

/** The floor of one measurement from its medians in R >= 2 runs; null with fewer, or with a median that is not positive. */
export function floorOf(medians: readonly number[]): { spreadPercent: number; floorPercent: number } | null {
  if (medians.length < 2 || medians.some((m) => !(m > 0))) return null;
  const logs = medians.map(Math.log);
  const m = mean(logs);
  const s = Math.sqrt(logs.reduce((acc, x) => acc + (x - m) ** 2, 0) / (logs.length - 1));
  const bound = tQuantileUpper(0.025, logs.length - 1) * Math.SQRT2 * s;
  return { spreadPercent: s * 100, floorPercent: Math.max(MIN_FLOOR_PERCENT, (Math.exp(bound) - 1) * 100) };
}

/** Learns the floor from A/A runs of the same matrix (at least two). */
export function learnNoiseFloor(runs: readonly ResultsDocument[], now = new Date()): NoiseFloor {
  const first = runs[0];
  if (!first || runs.length < 2) throw new RangeError('a noise floor needs at least two runs');
  const byKey = new Map<string, { key: CompareKey; unit: Unit; medians: number[] }>();
  runs.forEach((doc, i) => {
    for (const m of doc.measurements) {
      if (m.samples.length === 0) continue;
      const key = keyOf(m);
      const k = keyString(key);
      const e = byKey.get(k) ?? { key, unit: m.unit, medians: [] };
      // a measurement missing from a run leaves a gap: only keys measured in every run count
      if (e.medians.length === i) e.medians.push(median(m.samples));
      byKey.set(k, e);
    }
  });
  const entries: NoiseFloorEntry[] = [];
  for (const e of byKey.values()) {
    if (e.medians.length !== runs.length) continue;
    const f = floorOf(e.medians);
    if (f) entries.push({ ...e, ...f });
  }
  return NoiseFloor.parse({
    kind: 'runbench-noise-floor',
    schemaVersion: 1,
    createdAt: now.toISOString(),
    host: { hostname: first.host.hostname, kernel: first.host.kernel, cpuModel: first.host.cpuModel },
    runbenchVersion: first.tool.version,
    runs: runs.map((d) => ({ runId: d.runId, startedAt: d.startedAt })),
    entries,
  });
}

/** A lookup of each row's floor, for compare's `thresholdFor`. */
export function floorLookup(floor: NoiseFloor): (key: CompareKey) => number | null {
  const map = new Map(floor.entries.map((e) => [keyString(e.key), e.floorPercent]));
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
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`${path} is not a runbench noise floor: ${issue ? issue.path.join('.') || '(root)' : '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
