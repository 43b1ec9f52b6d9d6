/**
 * Density: how many `idle` units (containers; pods at the kubernetes layer) of one runtime
 * configuration fit, and what each costs. Units are started until the memory budget, the
 * count cap, the time limit, a host gauge (MemAvailable, threads against pid_max, open
 * files) or the first failure stops the fill (density-fill.ts); then all are removed, in
 * parallel and within a deadline. The run records the curve (count → footprint, count →
 * start latency; core/schema.ts DensityCurve), what stopped it and how long the teardown
 * took, and as measurements: the units that fit, units per GiB, the footprint each unit
 * added, each start latency, units started per second and the per-unit figures the layer
 * has. The layer says what its figures are (runner.ts Density): PSS of every process the
 * units added at the oci and containerd layers, the kubelet's working set for pods.
 */
import { footprintGrowth, marginalBytes, unitsPerGiB } from '../core/density-curve.ts';
import { errorMessage, RuntimeFailure } from '../core/errors.ts';
import { capability, type Density, type IdleUnit } from '../core/runner.ts';
import type { Suite, SuiteContext } from '../core/suite.ts';
import type { WorkloadRef } from '../core/workloads.ts';
import { fill, type Fill } from './density-fill.ts';
import { POD_PHASE_METRICS, recordPodPhases } from './density-pods.ts';

/**
 * How long removing the units may take before what is left goes to the session's sweep: two
 * minutes, or half a second a unit when that is more (1,100 containers took 198 s through
 * containerd on 2 busy cores).
 */
export function teardownDeadlineMs(count: number): number {
  return Math.max(120_000, count * 500);
}

async function teardown(density: Density, units: readonly IdleUnit[]): Promise<{ ns: number; concurrency: number; leftovers: string[] }> {
  const t0 = process.hrtime.bigint();
  const r = await density.remove(
    units.map((u) => u.name),
    Date.now() + teardownDeadlineMs(units.length),
  );
  return { ns: Number(process.hrtime.bigint() - t0), ...r };
}

function record(ctx: SuiteContext, density: Density, ref: WorkloadRef, f: Fill, removed: Awaited<ReturnType<typeof teardown>>): void {
  const labels = density.labels();
  const common = { ...labels, concurrency: f.limits.concurrency };
  const count = f.units.length;
  ctx.curve(ref, {
    footprintOf: density.footprintOf,
    startDefinition: density.startDefinition,
    limits: f.limits,
    stop: f.stop,
    count,
    points: f.points,
    teardown: removed,
    notes: labels,
  });
  ctx.record({
    metric: 'densityCount',
    unit: 'count',
    workload: ref,
    samples: [count],
    notes: { ...common, stoppedBy: f.stop.reason, stop: f.stop.detail.slice(0, 300), budgetBytes: f.limits.budgetBytes, maxCount: f.limits.maxCount },
  });
  ctx.record({ metric: 'startLatency', unit: 'ns', workload: ref, samples: f.units.map((u) => u.startNs), notes: { ...common, definition: density.startDefinition } });
  if (f.wallNs > 0) ctx.record({ metric: 'startedPerSec', unit: 'containers/s', workload: ref, samples: [count / (f.wallNs / 1e9)], notes: common });
  const perGiB = unitsPerGiB(f.points);
  const growth = footprintGrowth(f.points);
  if (perGiB !== null && growth) {
    ctx.record({
      metric: 'densityPerGiB',
      unit: 'containers/GiB',
      workload: ref,
      samples: [perGiB],
      notes: { ...common, footprint: density.footprintOf, atCount: growth.count, footprintGrowthBytes: growth.bytes },
    });
  }
  const marginal = marginalBytes(f.points);
  if (marginal.length > 0) {
    ctx.record({
      metric: 'footprintPerUnitBytes',
      unit: 'bytes',
      workload: ref,
      samples: marginal,
      notes: { ...common, footprint: density.footprintOf, method: 'footprint added per unit between consecutive checkpoints' },
    });
  }
  for (const [metric, { bytes, source }] of Object.entries(f.final.perUnit)) {
    if (bytes.length > 0) ctx.record({ metric, unit: 'bytes', workload: ref, samples: bytes, notes: { ...common, source } });
  }
  ctx.record({ metric: 'teardown', unit: 'ns', workload: ref, samples: [removed.ns], notes: { ...common, units: count, removedAtOnce: removed.concurrency } });
  recordPodPhases(ctx, ref, f.units, common);
  const source = density.source();
  if (source) ctx.fact('densityTarget', ref, Object.values(labels).join('; '), source);
}

async function densityFor(ctx: SuiteContext, density: Density, ref: WorkloadRef): Promise<void> {
  const units: IdleUnit[] = [];
  let result: Fill;
  try {
    result = await fill(ctx, density, ref, units);
  } catch (e) {
    // interrupted or broken mid-fill: remove what was started, then let the error go on
    await teardown(density, units).catch(() => undefined);
    throw e;
  }
  const removed = await teardown(density, units);
  if (units.length === 0) throw new RuntimeFailure(ctx.session.runtime.name, `no ${ref.kind} idle unit started: ${result.stop.detail}`);
  record(ctx, density, ref, result, removed);
  if (removed.leftovers.length > 0) {
    throw new RuntimeFailure(ctx.session.runtime.name, `removing ${units.length} units left ${removed.leftovers.length}: ${removed.leftovers.slice(0, 3).join('; ')}`);
  }
}

export const densitySuite: Suite = {
  name: 'density',
  needs: ['density'],
  once: true,
  // it fills the host: at the oci and containerd layers it runs when named
  defaultLayers: ['kubernetes'],
  description: 'idle containers (pods) until a memory budget, a count cap or the first failure: the footprint and start latency against the count, then a parallel teardown',
  metrics: [
    { name: 'densityCount', unit: 'count', better: 'higher', description: 'idle units running when the fill stopped (notes: what stopped it)' },
    { name: 'densityPerGiB', unit: 'containers/GiB', better: 'higher', description: 'idle units per GiB of footprint, at the cost per unit measured' },
    { name: 'footprintPerUnitBytes', unit: 'bytes', better: 'lower', description: 'footprint each unit added, between consecutive checkpoints (PSS of every process added; pod working set)' },
    { name: 'startLatency', unit: 'ns', better: 'lower', description: 'each unit from the start request until started, in order (pods: the SIG Scalability pod startup latency)' },
    { name: 'startedPerSec', unit: 'containers/s', better: 'higher', description: 'idle units started per second while filling the host' },
    { name: 'idleCgroupBytes', unit: 'bytes', better: 'lower', description: "each idle container's memory cgroup usage at the end of the fill" },
    { name: 'podWorkingSetBytes', unit: 'bytes', better: 'lower', description: "each idle pod's working set from the kubelet's summary API" },
    { name: 'podCgroupUsageBytes', unit: 'bytes', better: 'lower', description: "each idle pod's memory cgroup usage (local node only)" },
    { name: 'shimRssBytes', unit: 'bytes', better: 'lower', description: 'RSS of the containerd shim serving each pod (local node only)' },
    ...POD_PHASE_METRICS,
    { name: 'teardown', unit: 'ns', better: 'lower', description: 'removing every unit of the fill, in parallel' },
  ],
  async run(ctx) {
    const density = capability(ctx.session, 'density');
    for (const { kind, skip } of ctx.kinds) {
      if (skip) continue;
      try {
        await densityFor(ctx, density, { name: 'idle', kind, args: [] });
      } catch (e) {
        // a kind that fails leaves the other its turn, then the suite reports the failure
        if (!(e instanceof RuntimeFailure)) throw e;
        ctx.failedParts.set(kind, errorMessage(e));
      }
    }
    const failed = [...ctx.failedParts.entries()];
    if (failed.length > 0) throw new RuntimeFailure(ctx.session.runtime.name, failed.map(([k, m]) => `${k}: ${m}`).join('; '));
  },
};
