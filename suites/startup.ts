/**
 * Startup: the runtime's own foreground `run` (the figure crun's and youki's READMEs
 * quote) and the lifecycle create -> start -> exit observed -> delete, phase by phase.
 */
import { RuntimeFailure } from '../core/errors.ts';
import { workload, type WorkloadRef } from '../core/workloads.ts';
import { capability, type TimedSample } from '../core/runner.ts';
import { PartialFailures } from './partial.ts';
import type { Suite, SuiteContext } from '../core/suite.ts';

export function checkMarker(ctx: SuiteContext, ref: WorkloadRef, s: TimedSample): void {
  const marker = s.outputDiscarded ? undefined : workload(ref.name).marker;
  if (s.exitCode !== 0 || (marker && !s.stdout.includes(marker))) {
    const why = s.exitCode !== 0 ? `exited ${s.exitCode}` : `did not print '${marker}'`;
    const err = s.stderr.trim().split('\n')[0] ?? '';
    throw new RuntimeFailure(ctx.session.runtime.name, `${ref.name} (${ref.kind}) ${why}${err ? `: ${err}` : ''}`);
  }
}

function outputNote(samples: TimedSample[]): string {
  return samples.every((s) => s.outputDiscarded)
    ? 'sent to /dev/null while timed (as hyperfine does); checked on warmups and a verification run'
    : 'captured to a file on some or all samples: the runtime fails with its output sent to /dev/null';
}

export const startupSuite: Suite = {
  name: 'startup',
  description: 'time to run a container that prints a marker and exits: the one-shot run and each lifecycle phase',
  needs: ['oneShot', 'lifecycle'],
  metrics: [
    { name: 'run', unit: 'ns', better: 'lower', description: "the runtime's one-shot foreground run of hello" },
    { name: 'lifecycle', unit: 'ns', better: 'lower', description: 'create -> start -> exit observed -> delete, end to end' },
    { name: 'create', unit: 'ns', better: 'lower', description: 'create returns (container ready, process not started)' },
    { name: 'start', unit: 'ns', better: 'lower', description: 'start returns' },
    { name: 'exit', unit: 'ns', better: 'lower', description: 'from start returning until the process exit is observed' },
    { name: 'delete', unit: 'ns', better: 'lower', description: 'delete of the stopped container' },
  ],
  async run(ctx) {
    const { session, options } = ctx;
    const oneShot = capability(session, 'oneShot');
    const lifecycle = capability(session, 'lifecycle');
    const parts = new PartialFailures(session.runtime.name, ctx.failedParts);
    for (const { kind, skip } of ctx.kinds) {
      if (skip) continue;
      const ref: WorkloadRef = { name: 'hello', kind, args: [] };
      const req = { workload: ref, timeoutMs: options.timeoutMs };
      // Timed samples send the container's output to /dev/null (as hyperfine does); the
      // warmups and one verification run after the samples capture it and check the marker.
      // Each attempt gets its series' deadline: `--timeout` at first, then the hang deadline (core/hang-deadline.ts).
      const verified = (series: string, op: typeof oneShot | typeof lifecycle) =>
        ctx.attempt(series, ref, async (timeoutMs) => checkMarker(ctx, ref, await op.run({ ...req, timeoutMs })));
      await parts.attempt(`run (${kind})`, async () => {
        const run = await ctx.sample('run', ref, async (warmup, timeoutMs) => {
          const s = await oneShot.run({ ...req, timeoutMs, discardOutput: !warmup });
          checkMarker(ctx, ref, s);
          return { durationNs: s.totalNs, value: s };
        });
        await verified('run', oneShot);
        ctx.record({
          metric: 'run',
          unit: 'ns',
          workload: ref,
          samples: run.durationsNs,
          notes: { command: oneShot.name, output: outputNote(run.values), ...(oneShot.source ? { timestamps: oneShot.source } : {}) },
          series: 'run',
        });
      });
      await parts.attempt(`lifecycle (${kind})`, async () => {
        const life = await ctx.sample('lifecycle', ref, async (warmup, timeoutMs) => {
          const s = await lifecycle.run({ ...req, timeoutMs, discardOutput: !warmup });
          checkMarker(ctx, ref, s);
          return { durationNs: s.totalNs, value: s };
        });
        await verified('lifecycle', lifecycle);
        const lifeNotes = { output: outputNote(life.values), ...(lifecycle.source ? { timestamps: lifecycle.source } : {}) };
        ctx.record({ metric: 'lifecycle', unit: 'ns', workload: ref, samples: life.durationsNs, notes: lifeNotes, series: 'lifecycle' });
        const common = lifecycle.phaseNotes ?? {};
        for (const phase of lifecycle.phases) {
          const source = lifecycle.phaseSources?.[phase];
          const notes = { ...common, ...(source ? { timestamps: source } : {}) };
          ctx.record({ metric: phase, unit: 'ns', workload: ref, samples: life.values.map((v) => v.phasesNs[phase] ?? Number.NaN), notes, series: 'lifecycle' });
        }
        for (const d of lifecycle.derived ?? []) {
          const notes = { ...common, timestamps: d.source, description: d.description, ...(d.better ? { better: d.better } : {}) };
          ctx.record({ metric: d.name, unit: d.unit, workload: ref, samples: life.values.map((v) => v.derived?.[d.name] ?? Number.NaN), notes, series: 'lifecycle' });
        }
        // gathered over every block's samples: stated once, after the last
        if (ctx.block.index === ctx.block.count - 1) for (const f of lifecycle.seriesFacts?.(kind) ?? []) ctx.fact(f.name, ref, f.value, f.detail);
      });
    }
    parts.settle();
  },
};
