/** The Wasm engines table: engine × mode × way × layer from each figure's labels, the recipe marked, WAMR and Spin untested, WASI per engine. */
import { describe, expect, it } from 'vitest';
import { ResultsDocument } from '../../core/schema.ts';
import { engineMarkdown, engineText } from '../../reports/engines-text.ts';
import { engineSection, RECIPE_NOTE } from '../../reports/html/sections/engines.ts';
import { buildReportModel } from '../../reports/html/model.ts';

const stats = (median: number) => ({ n: 3, min: median, max: median, mean: median, stddev: 0, median, p95: median, p99: median, mad: 0, outliers: [], ci95Median: [median, median] });
const rt = { kind: 'oci', features: [], status: 'ok', reason: null, globalArgs: [], version: '1', path: '/x' };
const l = { arch: 'amd64', emulated: false, host: 'lab', workloadKind: 'wasm' };
const m = (metric: string, unit: string, runtime: string, layer: string, workload: string, engine: string, engineMode: string, median: number) => ({
  suite: metric === 'run' ? 'startup' : 'throughput',
  metric,
  unit,
  labels: { ...l, runtime, layer, workload, engine, engineMode },
  samples: [median],
  stats: stats(median),
  notes: {},
});
const wasi = (checkId: string, runtime: string, engine: string, engineMode: string, status: 'passed' | 'failed') => ({
  checkId,
  area: 'wasi',
  title: checkId,
  specRef: 'wasi',
  level: 'MUST',
  labels: { ...l, runtime, layer: 'oci', workload: 'probe', engine, engineMode },
  outcome: status === 'passed' ? { status, reason: null } : { status, reason: 'exit 0 for 7' },
});

const doc = ResultsDocument.parse({
  schemaVersion: 1,
  tool: { name: 'runbench', version: '0.1.0', commit: null },
  invocation: null,
  runId: 'r',
  startedAt: '2026-11-29T01:00:00.000Z',
  finishedAt: '2026-11-29T01:05:00.000Z',
  host: { hostname: 'lab', kernel: 'k', os: 'o', arch: 'amd64', cpuModel: 'c', cores: 2, memoryBytes: 1, cgroupLayout: 'v1', cgroup2Controllers: [], root: true, apparmor: false, nodeVersion: 'v20' },
  runtimes: [
    { ...rt, name: 'crun-wasmedge', wasmHandlers: ['wasmedge'], wasmAnnotations: { 'module.wasm.image/variant': 'compat-smart' }, engine: { name: 'wasmedge', version: '0.14.1', mode: 'interpreter' } },
    {
      ...rt,
      name: 'crun-wasmedge/aot',
      wasmHandlers: ['wasmedge'],
      wasmOnly: true,
      wasmAnnotations: { 'module.wasm.image/variant': 'compat-smart' },
      wasmModules: { variant: 'wasmedge-aot', rootfs: 'wasmedge-aot', image: { name: 'n', archive: 'a' } },
      engine: { name: 'wasmedge', version: '0.14.1', mode: 'aot' },
    },
    { ...rt, name: 'crun-engines/wasmtime', wasmHandlers: ['wasmedge', 'wasmtime'], wasmOnly: true, wasmAnnotations: { 'run.oci.handler': 'wasmtime' }, engine: { name: 'wasmtime', version: '26.0.1', mode: 'jit' } },
    { ...rt, name: 'crun', wasmHandlers: [] },
  ],
  parameters: { suites: ['startup'], runtimes: [], layers: ['oci'], runs: 3, warmup: 0, concurrency: 1, churnContainers: 1 },
  config: { digest: 'd', resolved: {} },
  harness: null,
  measurements: [
    m('run', 'ns', 'crun-wasmedge', 'oci', 'hello', 'wasmedge', 'interpreter', 100e6),
    m('run', 'ns', 'crun-wasmedge/aot', 'oci', 'hello', 'wasmedge', 'aot', 60e6),
    m('run', 'ns', 'crun-engines/wasmtime', 'oci', 'hello', 'wasmtime', 'jit', 70e6),
    m('cpuIntOpsRatioToHost', 'ratio', 'crun-wasmedge/aot', 'oci', 'cpu', 'wasmedge', 'aot', 0.94),
    { ...m('run', 'ns', 'crun', 'oci', 'hello', 'none', 'none', 10e6), labels: { ...l, workloadKind: 'native', runtime: 'crun', layer: 'oci', workload: 'hello', engine: 'none', engineMode: 'none' } },
  ],
  facts: [],
  suiteRuns: [],
  conformance: [wasi('wasi.exit-code', 'crun-wasmedge', 'wasmedge', 'interpreter', 'failed'), wasi('wasi.args', 'crun-wasmedge', 'wasmedge', 'interpreter', 'passed')],
});

describe('Wasm engines table', () => {
  it('has one row per engine, mode, way and layer, in that order, the recipe marked and WAMR and Spin untested', () => {
    const s = engineSection([doc]);
    const t = s?.tables[0];
    expect(t?.columns.slice(0, 7)).toEqual(['engine', 'version', 'mode', 'way', 'runtime', 'layer', 'startup (run)']);
    const rows = t!.rows.map((r) => r.map((c) => (typeof c === 'string' ? c : c.text)));
    expect(rows.map((r) => r.slice(0, 7))).toEqual([
      ['wasmedge', '0.14.1', 'interpreter', 'OCI handler', 'crun-wasmedge', 'oci', '100.00 ms'],
      ['wasmedge', '0.14.1', 'aot', 'OCI handler', 'crun-wasmedge/aot', 'oci', '60.00 ms'],
      ['wasmtime', '26.0.1', 'jit', 'OCI handler', 'crun-engines/wasmtime', 'oci', '70.00 ms'],
      ['wamr', '—', '—', "crun's WAMR handler (--with-wamr)", '—', '—', '—'],
      ['spin', '—', '—', expect.stringContaining('containerd-shim-spin'), '—', '—', '—'],
    ]);
    const note = t!.columns.indexOf('note');
    // only the configuration the recipe recommends: not its AOT variant, not another engine
    expect(rows.map((r) => r[note]!.startsWith('★'))).toEqual([true, false, false, false, false]);
    expect(rows[0]![t!.columns.indexOf('WASI checks')]).toBe('1/2 (exit-code FAIL)');
    expect(rows[1]![t!.columns.indexOf('int ops ÷ host')]).toBe('0.940×');
    expect(rows[3]![note]).toMatch(/^untested here: .*wamr-sys/);
    // the WASI checks with a column per engine
    expect(s!.tables[1]!.columns).toEqual(['check', 'wasmedge interpreter · crun-wasmedge · oci']);
    expect(s!.tables[1]!.rows).toEqual([['wasi.exit-code', { text: 'FAIL', tone: 'bad' }], ['wasi.args', 'pass']]);
  });

  it('shows in the HTML model, the Markdown and the terminal summary', () => {
    expect(buildReportModel([doc]).sections.map((x) => x.id)).toContain('engines');
    const md = engineMarkdown([doc]).join('\n');
    expect(md).toContain('## Wasm engines');
    expect(md).toContain('| wasmedge | 0.14.1 | aot | OCI handler | crun-wasmedge/aot | oci | 60.00 ms |');
    expect(md).toContain(RECIPE_NOTE);
    const text = engineText(doc).join('\n');
    expect(text).toMatch(/wasmtime\s+jit\s+OCI handler\s+crun-engines\/wasmtime\s+oci\s+70\.00 ms/);
    expect(text).toContain(`crun-wasmedge: ★ ${RECIPE_NOTE}`);
    expect(text).toMatch(/\n {2}wamr: untested here/);
  });

  it('is absent without Wasm figures', () => {
    expect(engineSection([{ ...doc, measurements: doc.measurements.filter((x) => x.labels.workloadKind === 'native'), conformance: [] }])).toBeNull();
  });
});
