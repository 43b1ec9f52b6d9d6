/**
 * Throughput: how fast the cpu workload runs inside each runtime against the bare host
 * (it reports its own rates, so startup never pollutes them), and container churn:
 * containers completed per second for N containers at concurrency P.
 */
import { z } from 'zod';
import { RuntimeFailure } from '../core/errors.ts';
import { hangPolicy } from '../core/hang-deadline.ts';
import { median } from '../core/stats.ts';
import { capability } from '../core/runner.ts';
import type { WorkloadRef } from '../core/workloads.ts';
import { PartialFailures } from './partial.ts';
import { checkMarker } from './startup.ts';
import type { Suite, SuiteContext } from '../core/suite.ts';

/** Smaller than the workload's defaults so a sample stays well under a second. */
const CPU_ARGS = ['8', '20000000'];
/**
 * A runtime that runs the workload much slower (an interpreting Wasm engine runs it 20-500x
 * slower) gets less work when a part of the standard work would take longer than
 * PART_LIMIT_SEC, sized from one trial run so each part takes about PART_BUDGET_SEC: the rates
 * it reports do not depend on the amount of work, and the suite's wall time stays bounded.
 * The limit sits far above what a native build takes on a loaded host, so the native work
 * never changes with the load.
 */
const PART_LIMIT_SEC = 2;
const PART_BUDGET_SEC = 0.5;
const MIN_LOOPS = 200_000;
const MIN_KIB = 64;
const CHURN_ROUNDS = 3;

const CpuOutput = z.object({
  workload: z.literal('cpu'),
  sha256MibPerSec: z.number().positive(),
  intOpsPerSec: z.number().positive(),
});
type CpuOutput = z.infer<typeof CpuOutput>;

function parseCpu(runtime: string, stdout: string): CpuOutput {
  const line = stdout.split('\n').find((l) => l.includes('"workload":"cpu"'));
  try {
    return CpuOutput.parse(JSON.parse(line ?? ''));
  } catch {
    throw new RuntimeFailure(runtime, `cpu printed no valid result: ${stdout.trim().slice(0, 200)}`);
  }
}

async function hostBaseline(ctx: SuiteContext, runs: number): Promise<{ sha: number[]; int: number[] }> {
  const key = 'throughput.hostBaseline';
  const cached = ctx.shared.get(key) as { sha: number[]; int: number[] } | undefined;
  if (cached) return cached;
  const ref: WorkloadRef = { name: 'cpu', kind: 'native', args: CPU_ARGS };
  const sha: number[] = [];
  const int: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await ctx.runOnHost({ workload: ref, timeoutMs: ctx.options.timeoutMs });
    const out = parseCpu('host', r.stdout);
    sha.push(out.sha256MibPerSec);
    int.push(out.intOpsPerSec);
  }
  const baseline = { sha, int };
  ctx.shared.set(key, baseline);
  ctx.record({ metric: 'cpuSha256MibPerSec', unit: 'ops/s', workload: ref, samples: sha, runtime: 'host', notes: { args: CPU_ARGS.join(' ') } });
  ctx.record({ metric: 'cpuIntOpsPerSec', unit: 'ops/s', workload: ref, samples: int, runtime: 'host', notes: { args: CPU_ARGS.join(' ') } });
  return baseline;
}

/** A trial's work: small enough that an interpreter gets through it in about a second. */
const TRIAL_ARGS = ['256k', '2000000'];

/**
 * The cpu arguments for one runtime and kind: the standard ones, or less work where the standard
 * ones would take more than the budget per part, as a small trial run predicts. Decided once
 * per run, so every block of the series runs the same work.
 */
async function cpuArgs(ctx: SuiteContext, kind: WorkloadRef['kind'], trial: (args: string[]) => Promise<CpuOutput>): Promise<string[]> {
  const key = `throughput.cpuArgs/${ctx.session.runtime.name}/${kind}`;
  const known = ctx.shared.get(key) as string[] | undefined;
  if (known) return known;
  // a trial that fails sizes nothing: the series takes the standard work, and its own attempts count the failures
  const out = await trial(TRIAL_ARGS).catch((e: unknown) => {
    if (e instanceof RuntimeFailure) return null;
    throw e;
  });
  if (!out) {
    ctx.shared.set(key, CPU_ARGS);
    return CPU_ARGS;
  }
  const kib = Number(CPU_ARGS[0]) * 1024;
  const loops = Number(CPU_ARGS[1]);
  // seconds the standard work would take, from the trial's rates
  const shaSec = kib / 1024 / out.sha256MibPerSec;
  const intSec = loops / out.intOpsPerSec;
  const fit = (sec: number) => (sec > PART_LIMIT_SEC ? PART_BUDGET_SEC / sec : 1);
  const args =
    fit(shaSec) === 1 && fit(intSec) === 1
      ? CPU_ARGS
      : [`${Math.max(MIN_KIB, Math.floor(kib * fit(shaSec)))}k`, String(Math.max(MIN_LOOPS, Math.floor(loops * fit(intSec))))];
  ctx.shared.set(key, args);
  return args;
}

export const throughputSuite: Suite = {
  name: 'throughput',
  description: 'cpu work inside the container against the bare host, and containers completed per second',
  needs: ['oneShot', 'churn'],
  metrics: [
    { name: 'cpuSha256MibPerSec', unit: 'ops/s', better: 'higher', description: 'sha256 MiB/s reported by the cpu workload' },
    { name: 'cpuIntOpsPerSec', unit: 'ops/s', better: 'higher', description: 'integer loop iterations/s reported by the cpu workload' },
    {
      name: 'cpuIntOpsRatioToHost',
      unit: 'ratio',
      better: 'higher',
      description: "each sample's integer rate over the bare host's median (1.0 = no overhead)",
    },
    { name: 'churnContainersPerSec', unit: 'containers/s', better: 'higher', description: 'hello containers completed per second, N at concurrency P' },
  ],
  async run(ctx) {
    const { session, options } = ctx;
    const oneShot = capability(session, 'oneShot');
    const churn = capability(session, 'churn');
    const runs = Math.max(3, Math.min(options.runs, 10));
    const host = await hostBaseline(ctx, runs);
    const hostInt = median(host.int);
    const parts = new PartialFailures(session.runtime.name, ctx.failedParts);
    for (const { kind, skip } of ctx.kinds) {
      if (skip) continue;
      await parts.attempt(`cpu (${kind})`, async () => {
        // the trial is one more attempt of the series: counted, and tried again while the series may still fail
        const args = await cpuArgs(ctx, kind, (trialArgs) => {
          const trial: WorkloadRef = { name: 'cpu', kind, args: trialArgs };
          return ctx.attempt('run', trial, async (timeoutMs) => {
            const s = await oneShot.run({ workload: trial, timeoutMs });
            checkMarker(ctx, trial, s);
            return parseCpu(session.runtime.name, s.stdout);
          });
        });
        const ref: WorkloadRef = { name: 'cpu', kind, args };
        const r = await ctx.sample(
          'run',
          ref,
          async (_warmup, timeoutMs) => {
            const s = await oneShot.run({ workload: ref, timeoutMs });
            checkMarker(ctx, ref, s);
            return { durationNs: s.totalNs, value: parseCpu(session.runtime.name, s.stdout) };
          },
          runs,
        );
        const notes = { args: args.join(' '), ...(args.join(' ') !== CPU_ARGS.join(' ') ? { workSizedBy: `at the rates of a trial run (${TRIAL_ARGS.join(' ')}), ${CPU_ARGS.join(' ')} would take over ${PART_LIMIT_SEC}s a part` } : {}) };
        const series = 'run';
        ctx.record({ metric: 'cpuSha256MibPerSec', unit: 'ops/s', workload: ref, samples: r.values.map((v) => v.sha256MibPerSec), notes, series });
        ctx.record({ metric: 'cpuIntOpsPerSec', unit: 'ops/s', workload: ref, samples: r.values.map((v) => v.intOpsPerSec), notes, series });
        ctx.record({
          metric: 'cpuIntOpsRatioToHost',
          unit: 'ratio',
          workload: ref,
          samples: r.values.map((v) => v.intOpsPerSec / hostInt),
          notes: { ...notes, hostMedianIntOpsPerSec: hostInt },
          series,
        });
      });

      const hello: WorkloadRef = { name: 'hello', kind, args: [] };
      await parts.attempt(`churn (${kind})`, async () => {
        // every container is an attempt: the series may lose half of them (core/reliability.ts)
        const tally = ctx.series('churn', hello, CHURN_ROUNDS * options.churnContainers);
        if (tally.stopped) throw new RuntimeFailure(session.runtime.name, `stopped: ${tally.stopped}`);
        const rates: number[] = [];
        const hang = hangPolicy(options.hangFactor);
        const rounds = ctx.share(CHURN_ROUNDS);
        for (let round = 0; round < rounds; round++) {
          if (ctx.signal.aborted) return;
          // each container's deadline is the series' hang deadline once containers of it completed (core/hang-deadline.ts)
          const deadline = { timeoutMs: () => tally.deadlineMs(options.timeoutMs, hang), completed: (ns: number) => tally.took(ns) };
          const c = await churn.run({ workload: hello, timeoutMs: options.timeoutMs }, options.churnContainers, options.concurrency, deadline);
          for (const o of c.outcomes) {
            if (!o) tally.ok();
            else if (tally.fail(o)) throw new RuntimeFailure(session.runtime.name, `stopped: ${tally.stopped}`);
          }
          // the containers that completed, over the time until the last of them did (a hung one's wait is not theirs)
          if (c.completed > 0) rates.push(c.completed / (c.wallNs / 1e9));
          ctx.events.emit('sample', { suite: 'throughput', metric: 'churn', runtime: session.runtime.name, index: round, total: rounds, warmup: false });
        }
        if (rates.length === 0) return;
        ctx.record({
          metric: 'churnContainersPerSec',
          unit: 'containers/s',
          workload: hello,
          samples: rates,
          notes: { containers: options.churnContainers, concurrency: options.concurrency },
          series: 'churn',
        });
      });
    }
    parts.settle();
  },
};
