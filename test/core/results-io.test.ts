import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InternalError, UserError } from '../../core/errors.ts';
import { runPipeline } from '../../core/pipeline.ts';
import { parse } from 'csv-parse/sync';
import { CSV_COLUMNS, toCsv } from '../../reports/csv.ts';
import { readResults, toJson, writeAtomic } from '../../reports/json.ts';
import { toTable } from '../../reports/table.ts';
import { fakeDeps, smallOptions } from '../helpers/pipeline.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'runbench-io-'));
  process.env.RUNBENCH_SCRATCH_DIR = join(dir, 'scratch');
});
afterAll(() => {
  delete process.env.RUNBENCH_SCRATCH_DIR;
  rmSync(dir, { recursive: true, force: true });
});

describe('results document on disk', () => {
  it('round-trips through JSON and the schema unchanged', async () => {
    const doc = await runPipeline(smallOptions, fakeDeps(['a', 'b']));
    const path = join(dir, 'results.json');
    writeAtomic(path, toJson(doc));
    expect(readdirSync(dir).filter((f) => f.includes('partial'))).toEqual([]);
    expect(readResults(path)).toEqual(doc);
  });

  it('a document that breaks the schema is an internal error before any byte is written', async () => {
    const doc = await runPipeline({ ...smallOptions, suites: ['startup'] }, fakeDeps(['a']));
    const bad = structuredClone(doc);
    bad.measurements[0]!.samples.push(Number.NaN);
    const path = join(dir, 'never.json');
    expect(() => writeAtomic(path, toJson(bad))).toThrow(InternalError);
    expect(() => toJson(bad)).toThrow(/^internal error: the results document breaks its schema at measurements\.0\.samples\.\d+: /);
    expect(readdirSync(dir).filter((f) => f.startsWith('never'))).toEqual([]);
  });

  it('rejects a file that is not a results document with one clear line', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ schemaVersion: 99 }));
    expect(() => readResults(bad)).toThrow(UserError);
    expect(() => readResults(bad)).toThrow(/is not a runbench results document: schemaVersion/);
    writeFileSync(bad, '{ truncated');
    expect(() => readResults(bad)).toThrow(/is not JSON/);
    expect(() => readResults(join(dir, 'nope.json'))).toThrow(/cannot read results file .*ENOENT/);
  });

  it('CSV has one row per sample with every label', async () => {
    const doc = await runPipeline({ ...smallOptions, suites: ['startup'] }, fakeDeps(['a']));
    const rows = parse(toCsv(doc), { columns: true }) as Record<string, string>[];
    const samples = doc.measurements.reduce((n, m) => n + m.samples.length, 0);
    expect(rows).toHaveLength(samples);
    expect(Object.keys(rows[0]!)).toEqual([...CSV_COLUMNS]);
    const first = doc.measurements[0]!;
    expect(rows[0]).toMatchObject({ runtime: 'a', layer: 'oci', metric: first.metric, value: String(first.samples[0]) });
  });

  it('the terminal table shows each runtime median with its rank and its ratio to the best with an interval', async () => {
    const doc = await runPipeline({ ...smallOptions, suites: ['startup'] }, fakeDeps(['fast', 'slow'], { runMs: { fast: 5, slow: 20 } }));
    const table = toTable(doc);
    const runBlock = table.split('\n\n').find((b) => b.startsWith('oci · startup · run '))!;
    const lines = runBlock.split('\n');
    expect(lines[1]).toMatch(/^ {2}fast \(native\) .* 1 {2}1\.00× best/);
    expect(lines[2]).toMatch(/^ {2}slow \(native\) .* 2 {2}[34]\.\d\d× \[\d\.\d\d … \d\.\d\d\]/);
    expect(table).toContain('"=" marks runtimes that cannot be told apart');
    expect(table).toContain('harness: timing a static no-op takes');
  });
});
