/**
 * critest's own benchmark at the cri layer (`critest -benchmark`): pod sandbox and container
 * lifecycles through the CRI, each CRI call timed by critest, placed beside runbench's figures.
 * One critest run per runtime and CRI takes all the samples (`--runs`), so the suite runs in the
 * first block only. Timestamps are critest's (its Go wall clock around each gRPC call), not
 * runbench's rb-exec: the notes of every figure say so.
 */
import { RuntimeFailure } from '../core/errors.ts';
import { capability } from '../core/runner.ts';
import type { MetricInfo, Suite, SuiteContext } from '../core/suite.ts';
import type { WorkloadRef } from '../core/workloads.ts';

/** critest's operation names -> runbench's metric names (camelCase, the object first). */
const METRIC: Record<string, string> = {
  CreatePod: 'podCreate',
  StatusPod: 'podStatus',
  StopPod: 'podStop',
  RemovePod: 'podRemove',
  CreateContainer: 'containerCreate',
  StartContainer: 'containerStart',
  StatusContainer: 'containerStatus',
  StopContainer: 'containerStop',
  RemoveContainer: 'containerRemove',
};

/** What cycles in each lifecycle: the pause sandbox alone, or critest's busybox `top` in a sandbox. */
const WORKLOAD: Record<string, WorkloadRef> = {
  pod: { name: 'pause', kind: 'native', args: [] },
  container: { name: 'busybox-top', kind: 'native', args: [] },
};

const metric = (name: string, description: string): MetricInfo => ({ name, unit: 'ns', better: 'lower', description });

export const critestSuite: Suite = {
  name: 'critest',
  description: "critest -benchmark: pod sandbox and container lifecycles through the CRI, timed by critest",
  layers: ['cri'],
  once: true,
  needs: ['criBenchmark'],
  metrics: [
    ...Object.entries(METRIC).map(([op, m]) => metric(m, `critest's ${op} CRI call`)),
    metric('podLifecycle', 'create, status, stop and remove of one pod sandbox, first call to last'),
    metric('containerLifecycle', 'create, start, status, stop and remove of one container, first call to last (its sandbox not included)'),
  ],
  async run(ctx: SuiteContext): Promise<void> {
    const bench = capability(ctx.session, 'criBenchmark');
    const runs = await bench.run({ samples: ctx.options.runs, signal: ctx.signal, timeoutMs: Math.max(ctx.options.timeoutMs * (ctx.options.runs + 2) * 2, 600_000) });
    const failures: string[] = [];
    for (const run of runs) {
      if (run.failure) failures.push(`${run.cri}: ${run.failure}`);
      for (const life of run.lifecycles) {
        const workload = WORKLOAD[life.name];
        if (!workload || life.samples.length === 0) continue;
        const notes = { timestamps: bench.clock, cri: run.cri, parallel: life.parallel, source: `critest -benchmark (${life.name} lifecycle)` };
        life.operations.forEach((op, i) => {
          ctx.record({ metric: METRIC[op] ?? op, unit: 'ns', workload, cri: run.cri, samples: life.samples.map((s) => s.operationsNs[i] ?? Number.NaN), notes });
        });
        ctx.record({ metric: `${life.name}Lifecycle`, unit: 'ns', workload, cri: run.cri, samples: life.samples.map((s) => s.endNs - s.startNs), notes });
      }
    }
    if (failures.length > 0) throw new RuntimeFailure(ctx.session.runtime.name, failures.join('; '));
  },
};
