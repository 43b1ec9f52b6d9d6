/**
 * Density (kubernetes layer): how many `idle` pods of a runtime fit before a memory
 * budget of pod working set is reached (or a hard cap on the count), and on the way the
 * SIG Scalability pod startup latency of every pod (creation until all containers
 * started, observed through a watch) with its phases, the memory each pod costs (the
 * kubelet's summary API; on this machine also the pod cgroup and the containerd shim),
 * and pods started per second. Other layers have no pods: the suite records nothing there.
 */
import { Interrupted, RuntimeFailure, errorMessage } from '../core/errors.ts';
import type { WorkloadRef } from '../core/workloads.ts';
import { capability, type Density, type PodTimeline } from '../core/runner.ts';
import type { Suite, SuiteContext } from '../core/suite.ts';

const SLI =
  'SIG Scalability pod startup latency: pod creation (client hrtime at the create request) until all containers started, observed via watch (client hrtime at event receipt)';

function span(t: PodTimeline, from: keyof PodTimeline, to: keyof PodTimeline): number {
  const a = t[from];
  const b = t[to];
  return a !== undefined && b !== undefined ? Number(b - a) : Number.NaN;
}

async function densityFor(ctx: SuiteContext, density: Density, ref: WorkloadRef): Promise<void> {
  const { session } = ctx;
  const { budgetBytes, maxPods } = density.limits;
  const batch = Math.max(1, Math.min(ctx.options.concurrency, maxPods));
  const started: { name: string; timeline: PodTimeline; startupNs: number }[] = [];
  let limitedBy: 'cap' | 'budget' | 'failure' = 'cap';
  let failure = '';
  let workingSet = 0;
  // every pod asked for is an attempt; the fill stops at the first that fails (on a full node, that is the limit)
  const tally = ctx.series('pods', ref, null);
  const t0 = process.hrtime.bigint();
  let tLast = t0;
  try {
    while (started.length < maxPods) {
      if (ctx.signal.aborted) throw new Interrupted(String(ctx.signal.reason ?? 'interrupt'));
      const n = Math.min(batch, maxPods - started.length);
      const results = await Promise.allSettled(Array.from({ length: n }, () => density.startIdle({ workload: ref, timeoutMs: ctx.options.timeoutMs })));
      for (const r of results) {
        if (r.status !== 'fulfilled') continue;
        started.push(r.value);
        tally.ok();
      }
      for (const r of results) {
        if (r.status !== 'rejected') continue;
        if (!failure) failure = errorMessage(r.reason);
        tally.fail(r.reason instanceof RuntimeFailure ? r.reason : new RuntimeFailure(session.runtime.name, errorMessage(r.reason)));
      }
      tLast = process.hrtime.bigint();
      ctx.events.emit('sample', { suite: 'density', metric: 'pods', runtime: session.runtime.name, index: started.length, total: maxPods, warmup: false });
      if (failure) {
        limitedBy = 'failure';
        break;
      }
      // the working set of what runs now; a pod the kubelet has no figure for yet counts as the mean of the others
      const mem = await density.memory(started.map((s) => s.name));
      const known = [...mem.values()].map((m) => m.summary?.workingSetBytes).filter((x): x is number => x !== undefined);
      const mean = known.length > 0 ? known.reduce((a, b) => a + b, 0) / known.length : 0;
      workingSet = known.reduce((a, b) => a + b, 0) + mean * (started.length - known.length);
      if (workingSet >= budgetBytes) {
        limitedBy = 'budget';
        break;
      }
    }
    if (started.length === 0) throw new RuntimeFailure(session.runtime.name, `no ${ref.kind} idle pod started: ${failure}`);

    const labels = density.labels();
    const nodes = labels.nodes;
    const common = { ...labels, createConcurrency: batch };
    const timelines = started.map((s) => s.timeline);
    const series = 'pods';
    ctx.record({ metric: 'podStartupLatency', unit: 'ns', workload: ref, samples: started.map((s) => s.startupNs), notes: { ...common, definition: SLI }, series });
    ctx.record({ metric: 'podScheduleLatency', unit: 'ns', workload: ref, samples: timelines.map((t) => span(t, 'createdNs', 'scheduledNs')), notes: common, series });
    ctx.record({
      metric: 'podSandboxLatency',
      unit: 'ns',
      workload: ref,
      samples: timelines.map((t) => span(t, 'scheduledNs', 'sandboxReadyNs')),
      notes: { ...common, condition: 'PodReadyToStartContainers (Initialized where absent)' },
      series,
    });
    ctx.record({
      metric: 'podContainerStartLatency',
      unit: 'ns',
      workload: ref,
      samples: timelines.map((t) => span(t, 'sandboxReadyNs', 'startedNs')),
      // 0 when one kubelet status update carried both (the status manager batches them)
      notes: { ...common, resolution: 'kubelet status updates: 0 means sandbox ready and container started arrived in one update' },
      series,
    });
    const wallS = Number(tLast - t0) / 1e9;
    ctx.record({
      metric: 'podsStartedPerSec',
      unit: 'containers/s',
      workload: ref,
      samples: [started.length / wallS],
      notes: { ...common, pods: started.length },
      series,
    });

    // settle, then what every pod costs once running
    await new Promise((r) => setTimeout(r, 2000));
    const mem = await density.memory(started.map((s) => s.name));
    const ws = [...mem.values()].map((m) => m.summary?.workingSetBytes).filter((x): x is number => x !== undefined);
    const sources = [...new Set([...mem.values()].map((m) => m.summary?.source).filter(Boolean))].join(',');
    if (ws.length > 0)
      ctx.record({
        metric: 'podWorkingSetBytes',
        unit: 'bytes',
        workload: ref,
        samples: ws,
        notes: { ...common, source: `kubelet summary API (${sources || 'none'})` },
        series,
      });
    const cg = [...mem.values()].map((m) => m.cgroupBytes).filter((x): x is number => x !== null);
    if (cg.length > 0)
      ctx.record({
        metric: 'podCgroupUsageBytes',
        unit: 'bytes',
        workload: ref,
        samples: cg,
        notes: { ...common, source: 'pod memory cgroup usage on this machine (page cache included)' },
        series,
      });
    const shim = [...mem.values()].map((m) => m.shimRssBytes).filter((x): x is number => x !== null);
    if (shim.length > 0)
      ctx.record({
        metric: 'shimRssBytes',
        unit: 'bytes',
        workload: ref,
        samples: shim,
        notes: { ...common, source: "VmRSS of the pod's containerd shim on this machine" },
        series,
      });
    ctx.record({
      metric: 'densityPods',
      unit: 'count',
      workload: ref,
      samples: [started.length],
      notes: { ...common, budgetBytes, maxPods, limitedBy, workingSetBytes: Math.round(workingSet), ...(failure ? { failure: failure.slice(0, 300) } : {}) },
      series,
    });
    ctx.fact('kubernetesNodes', ref, nodes, density.source());
  } finally {
    await density.remove(started.map((s) => s.name));
  }
}

export const densitySuite: Suite = {
  name: 'density',
  layers: ['kubernetes'],
  needs: ['density'],
  once: true,
  description: 'kubernetes layer: idle pods until a working-set budget or a count cap, with pod startup latency (SIG Scalability) and memory per pod',
  metrics: [
    {
      name: 'podStartupLatency',
      unit: 'ns',
      better: 'lower',
      description: 'pod creation until all containers started, observed via watch (SIG Scalability SLI)',
    },
    { name: 'podScheduleLatency', unit: 'ns', better: 'lower', description: 'creation until PodScheduled' },
    { name: 'podSandboxLatency', unit: 'ns', better: 'lower', description: 'PodScheduled until PodReadyToStartContainers (sandbox and network up)' },
    { name: 'podContainerStartLatency', unit: 'ns', better: 'lower', description: 'sandbox ready until all containers started' },
    { name: 'podsStartedPerSec', unit: 'containers/s', better: 'higher', description: 'idle pods started per second while filling the node' },
    { name: 'podWorkingSetBytes', unit: 'bytes', better: 'lower', description: "each idle pod's working set from the kubelet's summary API" },
    { name: 'podCgroupUsageBytes', unit: 'bytes', better: 'lower', description: "each idle pod's memory cgroup usage (local node only)" },
    { name: 'shimRssBytes', unit: 'bytes', better: 'lower', description: 'RSS of the containerd shim serving each pod (local node only)' },
    { name: 'densityPods', unit: 'count', better: 'higher', description: 'idle pods running when the working-set budget or the count cap was reached' },
  ],
  async run(ctx) {
    const density = capability(ctx.session, 'density');
    for (const { kind, skip } of ctx.kinds) {
      if (skip) continue;
      await densityFor(ctx, density, { name: 'idle', kind, args: [] });
    }
  },
};
