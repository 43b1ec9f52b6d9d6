/**
 * Density in the reports: containers per GiB per configuration in the terminal table, the
 * Markdown and the HTML model (with a chart of footprint and one of start latency against
 * the count per layer), and an older document's kubernetes measurements read as a curve.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mendLegacyDocument } from '../../core/legacy.ts';
import { ResultsDocument } from '../../core/schema.ts';
import { densityRows, thinned } from '../../reports/density.ts';
import { buildReportModel } from '../../reports/html/model.ts';
import { readResults } from '../../reports/json.ts';
import { toMarkdown } from '../../reports/markdown.ts';
import { toTable } from '../../reports/table.ts';
import { lazyTempDir } from '../helpers/tmp.ts';
import { densityDoc, legacyKubernetesDoc } from './density-docs.ts';

const dir = lazyTempDir('runbench-density-report-');

describe('density in the reports', () => {
  it('ranks the configurations of each layer by containers per GiB', () => {
    const rows = densityRows([densityDoc()]);
    expect(rows.map((r) => `${r.layer} ${r.label}`)).toEqual(['containerd runc (native)', 'oci runc (native)', 'oci crun (wasm)']);
    const oci = rows[1];
    expect(oci?.perGiB).toBeCloseTo((1024 * 1024) / 60, 6);
    // 1 ms rising 1% a unit: the last twelve against the first twelve
    expect(oci?.drift?.ratio).toBeGreaterThan(2);
    expect(oci?.startedPerSec).toBeCloseTo(1 / 0.06, 6);
  });

  it('prints the table and what stopped each fill in the terminal and in Markdown', () => {
    const table = toTable(densityDoc());
    expect(table).toMatch(/density: idle containers per GiB\n\s+layer\s+runtime\s+units\s+stopped by\s+per GiB/);
    expect(table).toMatch(/oci\s+runc \(native\)\s+120\s+cap\s+17476 \/GiB\s+60 KiB/);
    expect(table).toContain('oci crun (wasm): cap — 60 units: the cap (--density-max 60)');
    const md = toMarkdown([densityDoc()]);
    expect(md).toContain('## Density');
    expect(md).toMatch(/\| containerd \| runc \(native\) \| 120 \| cap \| 366 \/GiB \| 2\.8 MiB \|/);
  });

  it('draws footprint and start latency against the count, one line per configuration, per layer', () => {
    const section = buildReportModel([densityDoc()]).sections.find((s) => s.id === 'density');
    expect(section?.figures.map((f) => f.title)).toEqual([
      'containerd · amd64: footprint against idle containers',
      'containerd · amd64: start latency against idle containers',
      'oci · amd64: footprint against idle containers',
      'oci · amd64: start latency against idle containers',
    ]);
    const chart = section?.figures[2]?.chart;
    if (chart?.type !== 'xy') throw new Error('expected an xy chart');
    expect(chart.datasets.map((d) => d.label)).toEqual(['runc (native)', 'crun (wasm)']);
    // the footprint at checkpoints only, as growth over the baseline, in MiB
    const crun = chart.datasets[1]?.points ?? [];
    expect(crun.slice(0, 3)).toEqual([
      { x: 0, y: 0 },
      { x: 1, y: 12 },
      { x: 2, y: 24 },
    ]);
    expect(crun.at(-1)).toEqual({ x: 60, y: 720 });
    expect(section?.tables[0]?.rows.map((r) => r[7])).toEqual(['nothing', 'nothing', 'nothing']);
    // what each container added by process: the shim's share, the container's own, the daemon's growth (none here)
    expect(section?.tables[0]?.rows[0]?.[5]).toBe('containerd-shim-runc-v2 2.7 MiB, idle 100 KiB, containerd 0 KiB (at 120)');
  });

  it('thins a long curve to medians of stretches, ending each at its last count', () => {
    const points = Array.from({ length: 1000 }, (_, i) => ({ x: i + 1, y: i % 2 }));
    const t = thinned(points, 400);
    expect(t).toHaveLength(334);
    expect(t[0]).toEqual({ x: 3, y: 0 });
    expect(thinned(points.slice(0, 10))).toHaveLength(10);
  });

  it("reads an older document's kubernetes density measurements as a mended curve", () => {
    const path = join(dir(), 'legacy.json');
    writeFileSync(path, JSON.stringify(legacyKubernetesDoc()));
    const doc = readResults(path);
    const c = doc.density?.[0];
    expect(c?.labels.layer).toBe('kubernetes');
    expect(c?.count).toBe(6);
    expect(c?.stop.reason).toBe('cap');
    expect(c?.limits).toEqual({ budgetBytes: 2 * 1024 ** 3, maxCount: 6, timeLimitMs: null, concurrency: 3 });
    expect(c?.points.map((p) => p.startNs)).toEqual([null, 9.1e8, 9.5e8, 9.3e8, 1.1e9, 9.9e8, 1.2e9]);
    // the footprint at the end only: five pods had a working set, the sixth counts as their mean
    expect(c?.points.at(-1)?.footprintBytes).toBeCloseTo(305_000 * 6, 6);
    expect(c?.notes).toEqual({ nodes: 'node-1 linux/amd64', runtimeClass: 'runbench-crun', handler: 'crun' });
    expect(c?.mended).toMatch(/older runbench/);
    expect(toMarkdown([doc])).toMatch(/\| kubernetes \| crun \(native\) \| 6 \| cap \|/);
  });

  it('leaves a document that has curves, or no density measurements, as it is', () => {
    const withCurves = JSON.parse(JSON.stringify(densityDoc())) as Record<string, unknown>;
    expect(mendLegacyDocument(withCurves)).toEqual(withCurves);
    const plain = ResultsDocument.parse(mendLegacyDocument(JSON.parse(JSON.stringify({ ...densityDoc(), density: undefined }))));
    expect(plain.density).toBeUndefined();
  });
});
