/**
 * Documents older runbench wrote that the schema no longer takes as they are, or that lack
 * what reports now read (density curves: legacy-density.ts). It did not record the command
 * line (`invocation`) or its own git commit (`tool.commit`): both are read as null, "not
 * recorded", never guessed. It recorded a
 * lifecycle phase that was not observed as a NaN sample, which JSON writes as null, so the
 * sample list held nulls and every statistic computed from it was null too; and it gave a
 * measurement without samples statistics of zeros. Such a measurement is read as its finite
 * samples, the others counted as failed, and statistics computed again from what is left.
 * Figures from before the Wasm engine was a label get the engine their runtime's recorded
 * configuration names (its handler, its shim, the runtime in its image), or `unknown`.
 */
import { engineLabels } from './engines.ts';
import { mendDensityCurves } from './legacy-density.ts';
import type { RuntimeInfo } from './schema.ts';
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
  return mendEngineLabels(mendSamples(withProvenance(input)));
}

function mendSamples(raw: unknown): unknown {
  if (!isRecord(raw) || !Array.isArray(raw.measurements)) return raw;
  const measurements = raw.measurements.map((m: unknown) => {
    if (!isRecord(m) || !Array.isArray(m.samples)) return m;
    const samples: unknown[] = m.samples;
    const broken = samples.length === 0 || samples.some((x) => typeof x !== 'number');
    if (!broken || !samples.every((x) => x === null || typeof x === 'number')) return m;
    const split = splitSamples(samples as (number | null)[]);
    const before = typeof m.failedSamples === 'number' ? m.failedSamples : 0;
    return { ...m, ...split, failedSamples: before + split.failedSamples };
  });
  return mendDensityCurves({ ...raw, measurements });
}

/** The parts of a raw runtime entry the engine is told from, or null when it is not one. */
function engineSource(x: unknown): Parameters<typeof engineLabels>[0] {
  if (!isRecord(x) || typeof x.kind !== 'string') return null;
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((h): h is string => typeof h === 'string') : []);
  const via = isRecord(x.wasmVia) && typeof x.wasmVia.runtimePath === 'string' ? (x.wasmVia as RuntimeInfo['wasmVia']) : undefined;
  const annotations = isRecord(x.wasmAnnotations) ? (x.wasmAnnotations as Record<string, string>) : undefined;
  return {
    kind: x.kind as RuntimeInfo['kind'],
    wasmHandlers: strings(x.wasmHandlers),
    ...(via ? { wasmVia: via } : {}),
    ...(typeof x.handler === 'string' ? { handler: x.handler } : {}),
    ...(annotations ? { wasmAnnotations: annotations } : {}),
  };
}

/** Labels without an engine get the one their runtime's configuration names. */
function mendEngineLabels(raw: unknown): unknown {
  if (!isRecord(raw) || !Array.isArray(raw.runtimes)) return raw;
  const runtimes = new Map<unknown, unknown>(raw.runtimes.filter(isRecord).map((r) => [r.name, r]));
  const mend = (items: unknown) =>
    Array.isArray(items)
      ? items.map((item: unknown) => {
          if (!isRecord(item) || !isRecord(item.labels) || 'engine' in item.labels) return item;
          const l = item.labels;
          const kind = l.workloadKind === 'wasm' ? 'wasm' : 'native';
          return { ...item, labels: { ...l, ...engineLabels(engineSource(runtimes.get(l.runtime)), kind) } };
        })
      : items;
  return { ...raw, measurements: mend(raw.measurements), facts: mend(raw.facts), conformance: mend(raw.conformance) };
}
