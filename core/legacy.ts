/**
 * Documents older runbench wrote that the schema no longer takes as they are. It did not
 * record the command line (`invocation`) or its own git commit (`tool.commit`): both are read
 * as null, "not recorded", never guessed. It recorded a
 * lifecycle phase that was not observed as a NaN sample, which JSON writes as null, so the
 * sample list held nulls and every statistic computed from it was null too; and it gave a
 * measurement without samples statistics of zeros. Such a measurement is read as its finite
 * samples, the others counted as failed, and statistics computed again from what is left.
 */
import { splitSamples } from './stats.ts';

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The fields recorded since, as null where an older document lacks them. */
function withProvenance(raw: Record<string, unknown>): Record<string, unknown> {
  const tool = isRecord(raw.tool) && !('commit' in raw.tool) ? { ...raw.tool, commit: null } : raw.tool;
  return { ...raw, tool, ...('invocation' in raw ? {} : { invocation: null }) };
}

/** The raw document with its missing fields filled and its broken measurements mended; anything else is left for the schema to judge. */
export function mendLegacyDocument(input: unknown): unknown {
  if (!isRecord(input)) return input;
  const raw = withProvenance(input);
  if (!Array.isArray(raw.measurements)) return raw;
  const measurements = raw.measurements.map((m: unknown) => {
    if (!isRecord(m) || !Array.isArray(m.samples)) return m;
    const samples: unknown[] = m.samples;
    const broken = samples.length === 0 || samples.some((x) => typeof x !== 'number');
    if (!broken || !samples.every((x) => x === null || typeof x === 'number')) return m;
    const split = splitSamples(samples as (number | null)[]);
    const before = typeof m.failedSamples === 'number' ? m.failedSamples : 0;
    return { ...m, ...split, failedSamples: before + split.failedSamples };
  });
  return { ...raw, measurements };
}
