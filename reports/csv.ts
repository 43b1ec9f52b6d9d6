/** Long-format CSV: one row per sample, every label a column. A pure function of the documents. */
import { stringify } from 'csv-stringify/sync';
import { engineOf } from '../core/engines.ts';
import { layerName } from '../core/format.ts';
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
  'engine',
  'engineVersion',
  'engineMode',
  'sample',
  'value',
] as const;

type Row = (string | number | boolean)[];

function rowsOf(doc: ResultsDocument): Row[] {
  const versions = new Map(doc.runtimes.map((r) => [r.name, r.version ?? '']));
  const engines = new Map(doc.runtimes.map((r) => [r.name, engineOf(r)]));
  const rows: Row[] = [];
  for (const m of doc.measurements) {
    m.samples.forEach((value, i) => {
      rows.push([
        doc.runId,
        m.labels.host,
        m.labels.arch,
        m.labels.emulated,
        layerName(m.labels),
        m.labels.runtime,
        versions.get(m.labels.runtime) ?? '',
        m.suite,
        m.metric,
        m.unit,
        m.labels.workload,
        m.labels.workloadKind,
        m.labels.engine,
        m.labels.engine === 'none' ? '' : (engines.get(m.labels.runtime)?.version ?? ''),
        m.labels.engineMode,
        i,
        value,
      ]);
    });
  }
  return rows;
}

/**
 * Several documents (hosts, nights) concatenate: runId and host tell the rows apart. Results
 * come from other hosts, so a string cell that a spreadsheet would read as a formula (=, +, -,
 * @, tab or CR first) is written with a leading ' (numbers, negative ones included, are not).
 */
export function toCsvMany(docs: readonly ResultsDocument[]): string {
  return stringify(docs.flatMap(rowsOf), { header: true, columns: [...CSV_COLUMNS], cast: { boolean: (b) => String(b) }, escape_formulas: true });
}

export function toCsv(doc: ResultsDocument): string {
  return toCsvMany([doc]);
}
