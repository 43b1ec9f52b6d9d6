/** The "Ways to run Wasm" section: rows grouped by way, the way taken from each runtime's configuration. */
import { describe, expect, it } from 'vitest';
import { ResultsDocument, type Measurement } from '../../core/schema.ts';
import { buildReportModel } from '../../reports/html/model.ts';
import { toMarkdown } from '../../reports/markdown.ts';
import { wasmWaysSection } from '../../reports/html/sections/wasm-ways.ts';

const stats = (median: number, n = 3) => ({
  n,
  min: median,
  max: median,
  mean: median,
  stddev: 0,
  median,
  p95: median,
  p99: median,
  mad: 0,
  outliers: [],
  ci95Median: [median, median] as [number, number],
});
const labels = { arch: 'amd64', emulated: false, host: 'lab' };
const m = (
  suite: string,
  metric: string,
  unit: Measurement['unit'],
  runtime: string,
  layer: 'oci' | 'containerd',
  workload: string,
  median: number,
  kind: 'native' | 'wasm' = 'wasm',
): Measurement => ({
  suite,
  metric,
  unit,
  labels: { ...labels, runtime, layer, workload, workloadKind: kind, engine: kind === 'wasm' ? 'wasmtime' : 'none', engineMode: kind === 'wasm' ? 'jit' : 'none' },
  samples: [median, median, median],
  failedSamples: 0,
  stats: stats(median),
  notes: {},
});
const via = {
  kind: 'in-image' as const,
  runtimePath: '/usr/local/bin/wasmtime',
  args: ['run', '-C', 'cache=n', '--dir=/'],
  rootfs: 'wasmtime-in-image',
  image: { name: 'docker.io/runbench/wasmtime-in-image:latest', archive: 'wasmtime-in-image.tar' },
};
const rt = { features: [], status: 'ok' as const, reason: null, globalArgs: [], version: '1' };

const doc = ResultsDocument.parse({
  schemaVersion: 1,
  tool: { name: 'runbench', version: '0.1.0', commit: null },
  invocation: null,
  runId: '20261128aaaaaa',
  startedAt: '2026-11-28T01:00:00.000Z',
  finishedAt: '2026-11-28T01:05:00.000Z',
  host: {
    hostname: 'lab',
    kernel: '6.1.0',
    os: 'Debian GNU/Linux 12 (bookworm)',
    arch: 'amd64',
    cpuModel: 'Test CPU',
    cores: 2,
    memoryBytes: 8589934592,
    cgroupLayout: 'hybrid',
    cgroup2Controllers: [],
    root: true,
    apparmor: false,
    nodeVersion: 'v20.11.0',
  },
  runtimes: [
    { ...rt, name: 'runc', kind: 'oci', path: '/usr/sbin/runc', wasmHandlers: [] },
    // named like an in-image runtime, configured as a plain one: not a way to run Wasm
    { ...rt, name: 'odd/wasmtime-in-image', kind: 'oci', path: '/usr/sbin/runc', wasmHandlers: [] },
    { ...rt, name: 'runc/wasmtime-in-image', kind: 'oci', path: '/usr/sbin/runc', wasmHandlers: [], wasmOnly: true, wasmVia: via },
    { ...rt, name: 'crun/wasmtime-in-image', kind: 'oci', path: '/usr/bin/crun', wasmHandlers: [], wasmOnly: true, wasmVia: via },
    { ...rt, name: 'crun-wasmtime', kind: 'oci', path: '/c/crun-wasmtime', wasmHandlers: ['wasmtime'], wasmOnly: true },
    { ...rt, name: 'youki', kind: 'oci', path: '/c/youki', wasmHandlers: ['wasmtime'] },
    {
      ...rt,
      name: 'wasmtime-shim',
      kind: 'containerd-shim',
      path: '/c/containerd-shim-wasmtime-v1',
      wasmHandlers: ['wasmtime'],
      wasmOnly: true,
      handler: 'io.containerd.wasmtime.v1',
    },
  ],
  parameters: {
    suites: ['startup', 'memory', 'throughput'],
    runtimes: [],
    layers: ['oci', 'containerd'],
    runs: 3,
    warmup: 1,
    concurrency: 2,
    churnContainers: 10,
  },
  config: { digest: 'sha256:00', resolved: {} },
  harness: null,
  measurements: [
    m('startup', 'run', 'ns', 'youki', 'oci', 'hello', 90e6),
    m('startup', 'run', 'ns', 'runc/wasmtime-in-image', 'oci', 'hello', 120e6),
    m('startup', 'run', 'ns', 'crun-wasmtime', 'oci', 'hello', 60e6),
    m('startup', 'run', 'ns', 'crun/wasmtime-in-image', 'oci', 'hello', 110e6),
    m('memory', 'cgroupPeakBytes', 'bytes', 'runc/wasmtime-in-image', 'oci', 'mem', 96 * 1024 * 1024),
    m('throughput', 'cpuIntOpsPerSec', 'ops/s', 'crun-wasmtime', 'oci', 'cpu', 2.5e9),
    m('startup', 'run', 'ns', 'odd/wasmtime-in-image', 'oci', 'hello', 1e6),
    // native rows are the base runtimes' own, never a way to run Wasm
    m('startup', 'run', 'ns', 'runc', 'oci', 'hello', 30e6, 'native'),
    m('startup', 'run', 'ns', 'wasmtime-shim', 'containerd', 'hello', 150e6),
    m('startup', 'run', 'ns', 'runc/wasmtime-in-image', 'containerd', 'hello', 200e6),
  ],
  facts: [],
  suiteRuns: [],
  conformance: [],
});

describe('Ways to run Wasm section', () => {
  it("groups each layer's Wasm rows by way, in way order, with the medians of each figure", () => {
    const s = wasmWaysSection([doc]);
    expect(s?.id).toBe('wasm-ways');
    expect(s?.tables.map((t) => t.caption)).toEqual([
      'oci layer · amd64 @lab: medians of the Wasm workloads, by way',
      'containerd layer · amd64 @lab: medians of the Wasm workloads, by way',
    ]);
    const oci = s!.tables[0]!;
    expect(oci.columns).toEqual(['way', 'runtime', 'startup (run) · hello', 'cgroup peak · mem', 'cpu int ops/s · cpu']);
    expect(oci.rows).toEqual([
      [
        'in-image (Wasm runtime inside an ordinary container)',
        'crun/wasmtime-in-image',
        '110.00 ms',
        { text: '—', tone: 'muted' },
        { text: '—', tone: 'muted' },
      ],
      ['in-image (Wasm runtime inside an ordinary container)', 'runc/wasmtime-in-image', '120.00 ms', '96.0 MiB', { text: '—', tone: 'muted' }],
      ['OCI runtime handler', 'crun-wasmtime', '60.00 ms', { text: '—', tone: 'muted' }, '2.50 G/s'],
      ['OCI runtime handler', 'youki', '90.00 ms', { text: '—', tone: 'muted' }, { text: '—', tone: 'muted' }],
    ]);
    expect(s!.tables[1]!.rows).toEqual([
      ['in-image (Wasm runtime inside an ordinary container)', 'runc/wasmtime-in-image', '200.00 ms'],
      ['containerd shim', 'wasmtime-shim', '150.00 ms'],
    ]);
  });

  it('is left out when the documents hold Wasm rows of one way only, and registered in the report otherwise', () => {
    const oneWay = { ...doc, measurements: doc.measurements.filter((x) => x.labels.runtime === 'youki' || x.labels.runtime === 'crun-wasmtime') };
    expect(wasmWaysSection([oneWay])).toBeNull();
    expect(buildReportModel([oneWay]).sections.map((x) => x.id)).not.toContain('wasm-ways');
    expect(buildReportModel([doc]).sections.map((x) => x.id)).toContain('wasm-ways');
  });

  it('is in the Markdown summary too, one table per layer', () => {
    const md = toMarkdown([doc]);
    expect(md).toContain('## Ways to run Wasm');
    expect(md).toContain('| way | runtime | startup (run) · hello | cgroup peak · mem | cpu int ops/s · cpu |');
    expect(md).toContain('| OCI runtime handler | crun-wasmtime | 60.00 ms | — | 2.50 G/s |');
    expect(md).toContain('| containerd shim | wasmtime-shim | 150.00 ms |');
  });
});
