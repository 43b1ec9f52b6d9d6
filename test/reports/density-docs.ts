/** Results documents with density curves, for the report tests: one as runbench writes it now, one as an older runbench wrote it. */
import type { DensityCurve, DensityPoint, ResultsDocument } from '../../core/schema.ts';
import { computeStats } from '../../core/stats.ts';
import { loadFixture } from './fixtures.ts';

const MiB = 1024 ** 2;

function byProcess(layer: string, base: number, n: number, perUnit: number): Record<string, number> {
  if (layer !== 'containerd') return { idle: n * perUnit };
  return { containerd: base, 'containerd-shim-runc-v2': n * (perUnit - 100 * 1024), idle: n * 100 * 1024 };
}

/** A curve of `count` units costing `perUnit` each over a baseline, starting in `startMs` (+1% a unit). */
function curve(runtime: string, layer: 'oci' | 'containerd', kind: 'native' | 'wasm', count: number, perUnit: number, startMs: number): DensityCurve {
  const base = layer === 'containerd' ? 40 * MiB : 0;
  const points: DensityPoint[] = Array.from({ length: count + 1 }, (_, n) => ({
    count: n,
    startNs: n === 0 ? null : startMs * 1e6 * (1 + n / 100),
    elapsedNs: n * startMs * 1.2e6,
    memAvailableBytes: 20 * 1024 ** 3 - n * perUnit * 1.5,
    footprintBytes: n <= 20 || n % 10 === 0 || n === count ? base + n * perUnit : null,
    cgroupBytes: n <= 20 || n % 10 === 0 || n === count ? n * 300 * 1024 : null,
    ...(n % 10 === 0 ? { byProcess: byProcess(layer, base, n, perUnit) } : {}),
  }));
  return {
    suite: 'density',
    labels: { runtime, layer, workload: 'idle', workloadKind: kind, arch: 'amd64', emulated: false, host: 'ci-x86', engine: 'none', engineMode: 'none' },
    footprintOf: layer === 'containerd' ? 'PSS of containerd, the shims and every process below them' : 'PSS of every process the containers left running',
    startDefinition: 'create until start returned',
    limits: { budgetBytes: 8 * 1024 ** 3, maxCount: count, timeLimitMs: 1_200_000, concurrency: 1 },
    stop: { reason: 'cap', detail: `${count} units: the cap (--density-max ${count})` },
    count,
    points,
    teardown: { ns: count * 5e6, concurrency: 8, leftovers: [] },
    notes: {},
  };
}

/** The single-host fixture with density curves of three configurations at two layers. */
export function densityDoc(): ResultsDocument {
  const d = loadFixture('single-host.json');
  d.density = [
    curve('runc', 'oci', 'native', 120, 60 * 1024, 50),
    curve('crun', 'oci', 'wasm', 60, 12 * MiB, 90),
    curve('runc', 'containerd', 'native', 120, 2.8 * MiB, 120),
  ];
  return d;
}

/** A document as runbench wrote it before density curves: the kubernetes density suite's measurements only. */
export function legacyKubernetesDoc(): unknown {
  const d = structuredClone(loadFixture('single-host.json')) as Record<string, unknown> & { measurements: Record<string, unknown>[] };
  const labels = { runtime: 'crun', layer: 'kubernetes', workload: 'idle', workloadKind: 'native', arch: 'amd64', emulated: false, host: 'ci-x86' };
  const m = (metric: string, unit: string, samples: number[], notes: Record<string, unknown>) => ({
    suite: 'density',
    metric,
    unit,
    labels,
    samples,
    failedSamples: 0,
    stats: computeStats(samples),
    notes,
  });
  const common = { nodes: 'node-1 linux/amd64', runtimeClass: 'runbench-crun', handler: 'crun', createConcurrency: 3 };
  d.measurements.push(
    m('podStartupLatency', 'ns', [9.1e8, 9.5e8, 9.3e8, 1.1e9, 9.9e8, 1.2e9], { ...common, definition: 'SIG Scalability pod startup latency' }),
    m('podWorkingSetBytes', 'bytes', [300_000, 310_000, 320_000, 290_000, 305_000], { ...common, source: 'kubelet summary API (pod)' }),
    m('densityPods', 'count', [6], { ...common, budgetBytes: 2 * 1024 ** 3, maxPods: 6, limitedBy: 'cap', workingSetBytes: 1_830_000 }),
  );
  delete d.density;
  return d;
}
