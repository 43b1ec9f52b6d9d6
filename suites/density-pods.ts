/**
 * What a density fill of pods adds: the phases of each pod's start, from the watch
 * events of its timeline (kubernetes layer). Units without a timeline record none.
 */
import type { IdleUnit, PodTimeline } from '../core/runner.ts';
import type { MetricInfo, SuiteContext } from '../core/suite.ts';
import type { WorkloadRef } from '../core/workloads.ts';

export const POD_PHASE_METRICS: MetricInfo[] = [
  { name: 'podScheduleLatency', unit: 'ns', better: 'lower', description: 'creation until PodScheduled' },
  { name: 'podSandboxLatency', unit: 'ns', better: 'lower', description: 'PodScheduled until PodReadyToStartContainers (sandbox and network up)' },
  { name: 'podContainerStartLatency', unit: 'ns', better: 'lower', description: 'sandbox ready until all containers started' },
];

function span(t: PodTimeline, from: keyof PodTimeline, to: keyof PodTimeline): number {
  const a = t[from];
  const b = t[to];
  return a !== undefined && b !== undefined ? Number(b - a) : Number.NaN;
}

export function recordPodPhases(ctx: SuiteContext, ref: WorkloadRef, units: readonly IdleUnit[], notes: Record<string, string | number | boolean>): void {
  const timelines = units.flatMap((u) => (u.timeline ? [u.timeline] : []));
  if (timelines.length === 0) return;
  ctx.record({ metric: 'podScheduleLatency', unit: 'ns', workload: ref, samples: timelines.map((t) => span(t, 'createdNs', 'scheduledNs')), notes });
  ctx.record({
    metric: 'podSandboxLatency',
    unit: 'ns',
    workload: ref,
    samples: timelines.map((t) => span(t, 'scheduledNs', 'sandboxReadyNs')),
    notes: { ...notes, condition: 'PodReadyToStartContainers (Initialized where absent)' },
  });
  ctx.record({
    metric: 'podContainerStartLatency',
    unit: 'ns',
    workload: ref,
    samples: timelines.map((t) => span(t, 'sandboxReadyNs', 'startedNs')),
    // 0 when one kubelet status update carried both (the status manager batches them)
    notes: { ...notes, resolution: 'kubelet status updates: 0 means sandbox ready and container started arrived in one update' },
  });
}
