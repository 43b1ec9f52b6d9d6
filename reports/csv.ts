/** Long-format CSV: one row per sample, every label a column. A pure function of the document. */
import { stringify } from 'csv-stringify/sync';
import type { ResultsDocument } from '../core/schema.ts';

export const CSV_COLUMNS = [
  'runId',
  'host',
  'arch',
  'emulated',
  'layer',
  'runtime',
  'runtimeVersion',
  'suite',
  'metric',
  'unit',
  'workload',
  'workloadKind',
  'sample',
  'value',
] as const;

export function toCsv(doc: ResultsDocument): string {
  const versions = new Map(doc.runtimes.map((r) => [r.name, r.version ?? '']));
  const rows: (string | number | boolean)[][] = [];
  for (const m of doc.measurements) {
    m.samples.forEach((value, i) => {
      rows.push([
        doc.runId,
        m.labels.host,
        m.labels.arch,
        m.labels.emulated,
        m.labels.layer,
        m.labels.runtime,
        versions.get(m.labels.runtime) ?? '',
        m.suite,
        m.metric,
        m.unit,
        m.labels.workload,
        m.labels.workloadKind,
        i,
        value,
      ]);
    });
  }
  return stringify(rows, { header: true, columns: [...CSV_COLUMNS], cast: { boolean: (b) => String(b) } });
}
