/**
 * Density curves for documents from before they were recorded. Older runbench measured
 * density at the kubernetes layer only and kept it as measurements: `densityPods` (with what
 * limited the fill in its notes), each pod's `podStartupLatency` in the order the pods
 * started, and each pod's `podWorkingSetBytes` once all had started. That is a curve of
 * start latency against the count and one point of footprint, at the end: such a document
 * gets that curve, marked as mended, so every report shows old and new runs alike.
 */

type Raw = Record<string, unknown>;

function isRecord(x: unknown): x is Raw {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

const numbers = (xs: unknown): number[] => (Array.isArray(xs) ? xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x)) : []);

const STOPS: Record<string, string> = { cap: 'cap', budget: 'budget', failure: 'failure' };

/** One curve from a densityPods measurement and its siblings (same labels), or null when it does not read as one. */
function curveFrom(count: Raw, all: readonly Raw[]): Raw | null {
  const labels = count.labels;
  const n = numbers(count.samples)[0];
  if (!isRecord(labels) || n === undefined || !Number.isInteger(n) || n < 0) return null;
  const key = JSON.stringify(labels);
  const sibling = (metric: string) => all.find((m) => m.suite === 'density' && m.metric === metric && JSON.stringify(m.labels) === key);
  const notes = isRecord(count.notes) ? count.notes : {};
  const latency = sibling('podStartupLatency');
  const starts = numbers(latency?.samples).slice(0, n);
  const ws = numbers(sibling('podWorkingSetBytes')?.samples);
  const limitedBy = typeof notes.limitedBy === 'string' ? notes.limitedBy : '';
  const failure = typeof notes.failure === 'string' ? notes.failure : '';
  const latencyNotes = isRecord(latency?.notes) ? latency.notes : {};
  const num = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fallback);
  const points: Raw[] = [{ count: 0, startNs: null, elapsedNs: null, memAvailableBytes: null, footprintBytes: 0, cgroupBytes: null }];
  starts.forEach((s, i) => points.push({ count: i + 1, startNs: s, elapsedNs: null, memAvailableBytes: null, footprintBytes: null, cgroupBytes: null }));
  const last = points[points.length - 1] as Raw;
  // the working set of every pod, once all had started: a pod without a figure counts as the mean of the others
  if (ws.length > 0 && last.count === n && n > 0) last.footprintBytes = (ws.reduce((a, b) => a + b, 0) / ws.length) * n;
  const str = (k: string) => (typeof notes[k] === 'string' ? { [k]: notes[k] } : {});
  return {
    suite: 'density',
    labels,
    footprintOf: "the pods' working set (kubelet summary API)",
    startDefinition: typeof latencyNotes.definition === 'string' ? latencyNotes.definition : 'pod creation until all containers started, observed via watch',
    limits: {
      budgetBytes: num(notes.budgetBytes, 0),
      maxCount: Math.round(num(notes.maxPods, Math.max(1, n))),
      timeLimitMs: null,
      concurrency: Math.round(num(notes.createConcurrency, 1)),
    },
    stop: { reason: STOPS[limitedBy] ?? 'cap', detail: failure || (limitedBy ? `limited by ${limitedBy} (recorded by an older runbench)` : 'not recorded') },
    count: n,
    points,
    teardown: null,
    notes: { ...str('nodes'), ...str('runtimeClass'), ...str('handler') },
    mended: 'rebuilt from the measurements of an older runbench: no elapsed times, no host memory, the footprint at the end only, no teardown',
  };
}

/** The document with curves built from its density measurements, when it has measurements and no curves. */
export function mendDensityCurves(raw: Raw): Raw {
  if (raw.density !== undefined || !Array.isArray(raw.measurements)) return raw;
  const all = raw.measurements.filter(isRecord);
  const curves = all.filter((m) => m.suite === 'density' && m.metric === 'densityPods').flatMap((m) => curveFrom(m, all) ?? []);
  return curves.length > 0 ? { ...raw, density: curves } : raw;
}
