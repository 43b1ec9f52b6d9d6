/** The common shape of a check that runs the probe once and judges its report. */
import type { Outcome, WorkloadKind } from '../core/schema.ts';
import { reportOf, type ProbeReport } from './probe.ts';
import { ALL_LAYERS, type BundleOverrides, type Check, type CheckContext, type ProbeRun } from './types.ts';

export interface ProbeCheckSpec extends Omit<Check, 'run' | 'kinds' | 'layers'> {
  kind?: WorkloadKind;
  layers?: Check['layers'];
  /** Probe arguments and bundle overrides; may use the context (scratch directories). */
  setup(ctx: CheckContext): { args: string[]; overrides?: BundleOverrides; timeoutMs?: number };
  /** Judges a run that produced a report; `run.requested` is what the runtime was asked for. */
  judge(report: ProbeReport, run: ProbeRun, ctx: CheckContext): Outcome;
  /** Judges a run without a report (e.g. the process was killed); default: errored. */
  judgeNoReport?(run: ProbeRun, ctx: CheckContext): Outcome | null;
}

export function probeCheck(spec: ProbeCheckSpec): Check {
  const { setup, judge, judgeNoReport, kind = 'native', layers = ALL_LAYERS, ...meta } = spec;
  return {
    ...meta,
    kinds: [kind],
    layers,
    async run(ctx) {
      const { args, overrides, timeoutMs } = setup(ctx);
      const run = await ctx.target.probe({ kind, args, ...(overrides ? { overrides } : {}), ...(timeoutMs ? { timeoutMs } : {}) });
      const r = reportOf(run);
      if (r.report) return judge(r.report, run, ctx);
      return judgeNoReport?.(run, ctx) ?? r.outcome;
    },
  };
}
