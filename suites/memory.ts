/**
 * Memory: what the runtime itself costs (peak RSS of its processes, from wait4 rusage)
 * and what the container's cgroup saw at its high-water mark, plus whether a memory
 * limit is enforced at all (an OOM kill observed), recorded as a fact.
 */
import { RuntimeFailure } from '../core/errors.ts';
import type { WorkloadRef } from '../core/workloads.ts';
import { capability, type TimedSample } from '../core/runner.ts';
import { PartialFailures } from './partial.ts';
import { checkMarker } from './startup.ts';
import type { Suite } from '../core/suite.ts';

const MEM_MIB = 64;
const LIMIT_MIB = 32;

function present(values: (number | null)[]): number[] | null {
  const xs = values.filter((v): v is number => v !== null);
  return xs.length === values.length && xs.length > 0 ? xs : null;
}

export const memorySuite: Suite = {
  name: 'memory',
  description: "the runtime's own peak RSS, the container cgroup's peak, and whether a memory limit is enforced",
  needs: ['lifecycle'],
  metrics: [
    { name: 'runtimePeakRssBytes', unit: 'bytes', better: 'lower', description: "peak RSS of the runtime's CLI processes (create, start, delete) for hello" },
    {
      name: 'initPeakRssBytes',
      unit: 'bytes',
      better: 'lower',
      description: "peak RSS of the container's init process for hello, including the runtime's pre-exec stage",
    },
    { name: 'cgroupPeakBytes', unit: 'bytes', better: 'lower', description: `the container cgroup's memory high-water mark for mem ${MEM_MIB} MiB` },
    {
      name: 'shimPeakRssBytes',
      unit: 'bytes',
      better: 'lower',
      description: "containerd layer: the shim's peak RSS (VmHWM) for hello, read before the task is deleted",
    },
    { name: 'containerdRssBytes', unit: 'bytes', better: 'lower', description: "containerd layer: containerd's RSS after each hello container is removed" },
    {
      name: 'containerdRssGrowthBytes',
      unit: 'bytes',
      better: 'lower',
      description: "containerd layer: containerd's RSS growth since the session's images were imported",
    },
  ],
  async run(ctx) {
    const { session, options } = ctx;
    const lifecycle = capability(session, 'lifecycle');
    const runs = Math.max(3, Math.min(options.runs, 10));
    const parts = new PartialFailures(session.runtime.name, ctx.failedParts);
    for (const { kind, skip } of ctx.kinds) {
      if (skip) continue;
      const hello: WorkloadRef = { name: 'hello', kind, args: [] };
      await parts.attempt(`hello (${kind})`, async () => {
        const h = await ctx.sample(
          'lifecycle',
          hello,
          async (_warmup, timeoutMs) => {
            const s = await lifecycle.run({ workload: hello, timeoutMs });
            checkMarker(ctx, hello, s);
            return { durationNs: s.totalNs, value: s };
          },
          runs,
        );
        const series = 'lifecycle';
        const rss = present(h.values.map((v) => v.runtimePeakRssBytes));
        if (rss) ctx.record({ metric: 'runtimePeakRssBytes', unit: 'bytes', workload: hello, samples: rss, notes: { source: 'wait4 rusage ru_maxrss' }, series });
        const init = present(h.values.map((v) => v.initPeakRssBytes));
        if (init)
          ctx.record({ metric: 'initPeakRssBytes', unit: 'bytes', workload: hello, samples: init, notes: { source: 'wait4 rusage of the reaped init' }, series });
        // Figures only this layer has (containerd: its shim's and its own RSS), named by the runner.
        for (const metric of new Set(h.values.flatMap((v) => Object.keys(v.layerMemoryBytes ?? {})))) {
          const xs = present(h.values.map((v) => v.layerMemoryBytes?.[metric] ?? null));
          if (xs) ctx.record({ metric, unit: 'bytes', workload: hello, samples: xs, notes: { source: `${session.layer} runner` }, series });
        }
      });

      const mem: WorkloadRef = { name: 'mem', kind, args: [String(MEM_MIB)] };
      await parts.attempt(`mem (${kind})`, async () => {
        const m = await ctx.sample(
          'lifecycle',
          mem,
          async (_warmup, timeoutMs) => {
            const s = await lifecycle.run({ workload: mem, timeoutMs });
            checkMarker(ctx, mem, s);
            return { durationNs: s.totalNs, value: s };
          },
          runs,
        );
        const peaks = present(m.values.map((v) => v.cgroupPeakBytes));
        if (peaks) {
          ctx.record({ metric: 'cgroupPeakBytes', unit: 'bytes', workload: mem, samples: peaks, notes: { touchedMib: MEM_MIB }, series: 'lifecycle' });
        } else if (m.values.length > 0) {
          ctx.fact('cgroupPeakAvailable', mem, false, `${session.runtime.name} did not leave a readable memory cgroup at the configured cgroupsPath`);
        }
      });

      // A fact, not a sample: found once, in the first block.
      if (ctx.block.index > 0) continue;
      // A limit below what the workload touches: enforced means the kernel OOM-killed it.
      const limited: WorkloadRef = { name: 'mem', kind, args: [String(MEM_MIB)] };
      let s: TimedSample;
      try {
        s = await lifecycle.run({ workload: limited, memoryLimitBytes: LIMIT_MIB * 1024 * 1024, timeoutMs: options.timeoutMs });
      } catch (e) {
        if (!(e instanceof RuntimeFailure)) throw e;
        ctx.fact('memoryLimitEnforced', limited, 'unknown', `could not run with a ${LIMIT_MIB} MiB limit: ${e.message}`);
        continue;
      }
      const killed = s.signal === 9 || s.oomKilled === true;
      const completed = s.exitCode === 0 && s.stdout.includes(`"touchedMib":${MEM_MIB}`);
      ctx.fact(
        'memoryLimitEnforced',
        limited,
        killed && !completed,
        killed
          ? `mem ${MEM_MIB} MiB under a ${LIMIT_MIB} MiB limit was killed (signal ${s.signal}, oom_kill ${s.oomKilled === null ? 'unread' : String(s.oomKilled)})`
          : `mem ${MEM_MIB} MiB under a ${LIMIT_MIB} MiB limit ${completed ? 'completed: the limit was not enforced' : `exited ${s.exitCode}`}`,
      );
    }
    parts.settle();
  },
};
