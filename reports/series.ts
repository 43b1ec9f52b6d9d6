/**
 * What names one measurement from night to night in the formats other tools keep history in
 * (github-action-benchmark, OpenMetrics): its layer, suite, metric, workload, kind, arch (and
 * whether emulated), runtime and host. Two measurements of one series in the same export would
 * overwrite each other there, so they are refused instead of silently losing one.
 */
import { UserError } from '../core/errors.ts';
import type { Measurement, ResultsDocument } from '../core/schema.ts';

export interface Series {
  measurement: Measurement;
  /** The run it belongs to, to say which documents collide. */
  runId: string;
}

function seriesKey(m: Measurement): string {
  const l = m.labels;
  return [l.layer, m.suite, m.metric, l.workload, l.workloadKind, l.arch, String(l.emulated), l.runtime, l.host].join('\u0000');
}

/** Every measurement of the documents, in their order; refuses two of the same series. */
export function uniqueSeries(docs: readonly ResultsDocument[], format: string): Series[] {
  const seen = new Map<string, string>();
  const out: Series[] = [];
  for (const d of docs) {
    for (const m of d.measurements) {
      const k = seriesKey(m);
      const first = seen.get(k);
      if (first !== undefined) {
        const l = m.labels;
        const what = `${l.layer}/${m.suite}/${m.metric} ${l.runtime} ${l.workload} (${l.workloadKind}, ${l.arch}) on ${l.host}`;
        const who = first === d.runId ? `run ${first} measures ${what} twice` : `runs ${first} and ${d.runId} both measure ${what}`;
        throw new UserError(`${format} takes one measurement per series, but ${who}: export one document per host`);
      }
      seen.set(k, d.runId);
      out.push({ measurement: m, runId: d.runId });
    }
  }
  return out;
}

/** Whether the documents span more than one host: then the host becomes part of each name. */
export function manyHosts(docs: readonly ResultsDocument[]): boolean {
  return new Set(docs.flatMap((d) => d.measurements.map((m) => m.labels.host))).size > 1;
}
