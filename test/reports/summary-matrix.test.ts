/** The summary matrix: configurations in the report's one order, tie groups per layer, winners only where significant, and what did not run. */
import { describe, expect, it } from 'vitest';
import { computeStats } from '../../core/stats.ts';
import { ResultsDocument, type Measurement, type RuntimeInfo, type SuiteRun } from '../../core/schema.ts';
import { bestText, type SummaryCell, summaryMatrix } from '../../reports/summary-matrix.ts';
import { loadFixture } from './fixtures.ts';

const rt = (name: string, extra: Partial<RuntimeInfo> = {}): RuntimeInfo => ({
  name,
  kind: 'oci',
  path: `/usr/bin/${name}`,
  version: '1.0',
  features: [],
  wasmHandlers: [],
  status: 'ok',
  reason: null,
  globalArgs: [],
  ...extra,
});

const via = {
  kind: 'in-image' as const,
  runtimePath: '/usr/local/bin/wasmtime',
  args: ['run'],
  rootfs: 'wasmtime-in-image',
  image: { name: 'runbench/wasmtime-in-image', archive: 'wasmtime-in-image.tar' },
};

/** Six samples around `median`, spread by ±`spread` of it. */
function around(median: number, spread = 0.02): number[] {
  return [-2, -1, 0, 0, 1, 2].map((k) => median * (1 + (k * spread) / 2));
}

function m(
  metric: string,
  runtime: string,
  samples: number[],
  o: { layer?: 'oci' | 'containerd'; kind?: 'native' | 'wasm'; suite?: string; unit?: Measurement['unit']; workload?: string; failed?: number } = {},
): Measurement {
  const suite = o.suite ?? (metric.endsWith('Bytes') ? 'memory' : metric.startsWith('cpu') || metric.startsWith('churn') ? 'throughput' : 'startup');
  const unit = o.unit ?? (metric.endsWith('Bytes') ? 'bytes' : metric === 'cpuIntOpsRatioToHost' ? 'ratio' : metric.endsWith('PerSec') ? 'ops/s' : 'ns');
  return {
    suite,
    metric,
    unit,
    labels: {
      runtime,
      layer: o.layer ?? 'oci',
      workload: o.workload ?? (metric === 'cgroupPeakBytes' ? 'mem' : metric.startsWith('cpu') ? 'cpu' : 'hello'),
      workloadKind: o.kind ?? 'native',
      arch: 'amd64',
      emulated: false,
      host: 'lab',
      engine: 'none',
      engineMode: 'none',
    },
    samples,
    failedSamples: o.failed ?? 0,
    stats: computeStats(samples),
    notes: {},
  };
}

function doc(measurements: Measurement[], suiteRuns: SuiteRun[] = [], runtimes: RuntimeInfo[] = []): ResultsDocument {
  return ResultsDocument.parse({
    schemaVersion: 1,
    tool: { name: 'runbench', version: '0.1.0', commit: null },
    invocation: null,
    runId: '20261130aaaaaa',
    startedAt: '2026-11-30T01:00:00.000Z',
    finishedAt: '2026-11-30T01:05:00.000Z',
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
      rt('runc'),
      rt('crun'),
      rt('youki', { wasmHandlers: ['wasmtime'] }),
      rt('crun-wasmedge', { wasmHandlers: ['wasmedge'] }),
      rt('runc/wasmtime-in-image', { wasmOnly: true, wasmVia: via }),
      rt('wasmtime-shim', { kind: 'containerd-shim', wasmHandlers: ['wasmtime'], wasmOnly: true, handler: 'io.containerd.wasmtime.v1' }),
      ...runtimes,
    ],
    parameters: {
      suites: ['startup', 'memory', 'throughput'],
      runtimes: [],
      layers: ['oci', 'containerd'],
      runs: 6,
      warmup: 1,
      concurrency: 2,
      churnContainers: 10,
    },
    config: { digest: 'sha256:00', resolved: {} },
    harness: null,
    measurements,
    facts: [],
    suiteRuns,
    conformance: [],
  });
}

const run = (suite: string, runtime: string, outcome: SuiteRun['outcome'], layer: 'oci' | 'containerd' = 'oci'): SuiteRun => ({
  suite,
  runtime,
  layer,
  arch: 'amd64',
  outcome,
  durationMs: 1,
});

const cellText = (c: SummaryCell | undefined) =>
  c?.status === 'measured' ? `${c.text} ${c.winner ? 'winner' : c.best ? 'tied best' : `${c.tied ? '=' : ''}${c.rank}`}` : c?.status;

describe('summary matrix', () => {
  it('lists configurations by layer, native before Wasm, the ways of running Wasm in order, then by runtime name', () => {
    const s = summaryMatrix([
      doc([
        m('run', 'youki', around(90e6), { kind: 'wasm' }),
        m('run', 'wasmtime-shim', around(150e6), { layer: 'containerd', kind: 'wasm' }),
        m('run', 'runc', around(40e6), { layer: 'containerd' }),
        m('run', 'runc/wasmtime-in-image', around(120e6), { kind: 'wasm' }),
        m('run', 'runc', around(30e6)),
        m('run', 'crun', around(20e6)),
        m('run', 'crun-wasmedge', around(50e6), { kind: 'wasm' }),
        // the bare host's rates are the reference of a ratio, not a configuration
        m('cpuIntOpsPerSec', 'host', around(1e9)),
      ]),
    ]);
    expect(s.rows.map((r) => `${r.layer} ${r.label}`)).toEqual([
      'oci crun (native)',
      'oci runc (native)',
      'oci runc/wasmtime-in-image (Wasm, in-image)',
      'oci crun-wasmedge (Wasm, OCI handler)',
      'oci youki (Wasm, OCI handler)',
      'containerd runc (native)',
      'containerd wasmtime-shim (Wasm, containerd shim)',
    ]);
    expect(s.rows.map((r) => r.style)).toEqual(['native', 'native', 'in-image', 'oci-handler', 'oci-handler', 'native', 'containerd-shim']);
  });

  it('has the headline columns in a fixed order, with human titles and the unit of each cell', () => {
    const s = summaryMatrix([
      doc([
        m('churnContainersPerSec', 'runc', around(20), { unit: 'containers/s' }),
        m('cpuIntOpsRatioToHost', 'runc', around(0.98)),
        m('runtimePeakRssBytes', 'runc', around(9 * 1024 * 1024)),
        m('create', 'runc', around(10e6)),
        m('cgroupPeakBytes', 'runc', around(64 * 1024 * 1024)),
        m('lifecycle', 'runc', around(45e6)),
        m('run', 'runc', around(30e6)),
      ]),
    ]);
    expect(s.columns.map((c) => c.metric)).toEqual([
      'run',
      'lifecycle',
      'cgroupPeakBytes',
      'runtimePeakRssBytes',
      'cpuIntOpsRatioToHost',
      'churnContainersPerSec',
    ]);
    expect(s.columns.map((c) => c.title)).not.toContain('cpuIntOpsRatioToHost');
    expect(s.columns[4]?.title).toBe('CPU speed against the bare host (integer ops)');
    expect(s.cells[0]?.map((c) => (c.status === 'measured' ? c.text : c.status))).toEqual([
      '30.00 ms',
      '45.00 ms',
      '64.0 MiB',
      '9.0 MiB',
      '0.980×',
      '20.00 /s',
    ]);
  });

  it('marks a winner only when the best tie group has one member, per layer', () => {
    const s = summaryMatrix([
      doc([
        // oci: crun clearly ahead
        m('run', 'crun', around(10e6)),
        m('run', 'runc', around(30e6)),
        m('run', 'youki', around(60e6)),
        // containerd: runc and crun cannot be told apart
        m(
          'run',
          'crun',
          [41, 39, 43, 40, 42, 38].map((x) => x * 1e6),
          { layer: 'containerd' },
        ),
        m(
          'run',
          'runc',
          [40, 42, 38, 43, 39, 41].map((x) => x * 1e6),
          { layer: 'containerd' },
        ),
        m('run', 'youki', around(90e6), { layer: 'containerd' }),
      ]),
    ]);
    expect(s.rows.map((r, i) => `${r.layer} ${r.runtime}: ${cellText(s.cells[i]?.[0])}`)).toEqual([
      'oci crun: 10.00 ms winner',
      'oci runc: 30.00 ms 2',
      'oci youki: 60.00 ms 3',
      'containerd crun: 40.50 ms tied best',
      'containerd runc: 40.50 ms tied best',
      'containerd youki: 90.00 ms 2',
    ]);
    expect(s.best.map((b) => [b.blockTitle, b.rows.length, b.significant, b.headline])).toEqual([
      ['oci layer · amd64', 1, true, true],
      ['containerd layer · amd64', 2, false, true],
    ]);
    expect(bestText(s, s.best[0]!)).toMatch(/^crun \(native\) 10\.00 ms, ahead of the next by 3\.00× \[\d\.\d\d … \d\.\d\d\]$/);
    expect(bestText(s, s.best[1]!)).toBe('tie between crun (native) 40.50 ms and runc (native) 40.50 ms');
  });

  it('higher is better for rates: the winner of churn has the highest median', () => {
    const s = summaryMatrix([
      doc([m('churnContainersPerSec', 'runc', around(20), { unit: 'containers/s' }), m('churnContainersPerSec', 'crun', around(40), { unit: 'containers/s' })]),
    ]);
    expect(s.rows.map((r, i) => `${r.runtime}: ${cellText(s.cells[i]?.[0])}`)).toEqual(['crun: 40.00 /s winner', 'runc: 20.00 /s 2']);
  });

  it('the first column of each suite gives the headline: fastest startup, lightest in memory', () => {
    const s = summaryMatrix([
      doc([
        m('run', 'crun', around(10e6)),
        m('run', 'runc', around(30e6)),
        m('lifecycle', 'crun', around(20e6)),
        m('cgroupPeakBytes', 'crun', around(64e6)),
        m('runtimePeakRssBytes', 'crun', around(3e6)),
      ]),
    ]);
    const headlines = s.best.filter((b) => b.headline).map((b) => s.columns.find((c) => c.key === b.column)?.best);
    expect(headlines).toEqual(['Fastest startup', 'Lightest in memory']);
  });

  it('an errored series says so in its cell, and a runtime with no figure at all still gets a row', () => {
    const s = summaryMatrix([
      doc(
        [m('run', 'runc', around(30e6)), m('lifecycle', 'runc', around(40e6)), m('lifecycle', 'youki', around(60e6))],
        [
          run('startup', 'youki', { status: 'errored', reason: "run (native): youki run failed: 'run' hung and was killed" }),
          run('startup', 'runsc', { status: 'errored', reason: 'runsc create exited 1' }),
        ],
        [rt('runsc')],
      ),
    ]);
    // a row without figures sits among the native ones
    expect(s.rows.map((r) => r.label)).toEqual(['runc (native)', 'runsc (no figures)', 'youki (native)']);
    expect(s.cells[2]?.[0]).toEqual({ status: 'errored', reason: "run (native): youki run failed: 'run' hung and was killed" });
    expect(s.cells[1]?.map((c) => c.status)).toEqual(['errored', 'errored']);
  });

  it('a measurement whose every sample failed has no value, with the count', () => {
    const none = { ...m('run', 'youki', [30e6], { failed: 6 }), samples: [], stats: null };
    const s = summaryMatrix([doc([m('run', 'runc', around(30e6)), none])]);
    expect(s.cells[1]?.[0]).toEqual({ status: 'no value', reason: 'all 6 samples failed' });
  });

  it('lists what failed, errored or was skipped, errors first, one line per reason', () => {
    const s = summaryMatrix([
      doc(
        [m('run', 'runc', around(30e6)), m('run', 'crun', around(20e6), { failed: 2 })],
        [
          run('startup', 'runc', { status: 'passed', reason: 'skipped wasm: runc has no Wasm handler' }),
          run('memory', 'runc', { status: 'passed', reason: 'skipped wasm: runc has no Wasm handler' }),
          run('density', 'runc', { status: 'skipped', reason: 'density measures at the kubernetes layer only' }),
          run('density', 'crun', { status: 'skipped', reason: 'density measures at the kubernetes layer only' }),
          run('throughput', 'youki', { status: 'errored', reason: 'churn (native): 1 of 20 containers failed' }),
          run('startup', 'youki', { status: 'errored', reason: "run (native): 'run' hung" }),
        ],
        [rt('runsc', { status: 'missing', reason: 'not found on PATH' })],
      ),
    ]);
    expect(s.problems.map((p) => [p.status, p.runtimes.join(','), p.suites.join(','), p.reason])).toEqual([
      ['errored', 'youki', 'startup', "run (native): 'run' hung"],
      ['errored', 'youki', 'throughput', 'churn (native): 1 of 20 containers failed'],
      ['failed samples', 'crun', 'startup', 'startup (run) (hello, native): 2 of 8 samples gave no value'],
      ['unavailable', 'runsc', '', 'missing: not found on PATH'],
      ['skipped', 'crun,runc', 'density', 'density measures at the kubernetes layer only'],
      ['part skipped', 'runc', 'startup,memory', 'wasm: runc has no Wasm handler'],
    ]);
  });

  it('the fixture document: every column of a layer ranked, the missing runtime in the list', () => {
    const s = summaryMatrix([loadFixture('single-host.json')]);
    expect(s.columns.map((c) => c.short)).toEqual(['lifecycle', 'runtime RSS', 'churn']);
    expect(s.rows.map((r, i) => `${r.label}: ${s.cells[i]?.map(cellText).join(' | ')}`)).toEqual([
      'crun (native): 21.20 ms winner | 3.0 MiB winner | 41.05 /s winner',
      'runc (native): 40.95 ms 3 | 12.0 MiB 2 | 22.00 /s 2',
      'youki (no figures): not measured | not measured | errored',
      'crun (Wasm, OCI handler): 35.25 ms 2 | failed | not measured',
    ]);
    expect(s.problems[0]).toMatchObject({ status: 'errored', runtimes: ['youki'], suites: ['throughput'] });
  });
});
