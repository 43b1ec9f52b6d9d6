/**
 * Churn at the oci layer: every bundle is written first, then P timing helpers run
 * `RUNTIME run` on them as fast as they can; the figure is the wall time of the batch, until
 * the last container that completed. A container that failed or hung is removed with its cgroup.
 */
import type { RuntimeFailure } from '../../core/errors.ts';
import type { ChurnDeadline, ChurnResult, RunRequest } from '../../core/runner.ts';
import type { TimingHelper } from '../../core/timing-helper.ts';
import type { OciContainerSpec } from './bundle.ts';
import { stepFailure } from './failure.ts';

/** What churn needs of its session. */
export interface ChurnSession {
  runtime: string;
  argv(...args: string[]): string[];
  prepare(req: RunRequest): OciContainerSpec;
  /** Removes the container; `failed` says it failed, so its cgroup is swept too. */
  dispose(c: OciContainerSpec, failed: boolean): Promise<void>;
}

/**
 * `count` runs, one worker per helper; every container is removed afterwards, whatever happened.
 * Each runs under `deadline`'s hang deadline when given (told of each that completed), else `req.timeoutMs`.
 */
export async function churn(s: ChurnSession, helpers: TimingHelper[], req: RunRequest, count: number, deadline?: ChurnDeadline): Promise<ChurnResult> {
  const specs = Array.from({ length: count }, () => s.prepare(req));
  let next = 0;
  let completed = 0;
  const outcomes: (RuntimeFailure | null)[] = [];
  const bad = new Set<OciContainerSpec>();
  const t0 = process.hrtime.bigint();
  let tLast = t0;
  const worker = async (helper: TimingHelper) => {
    for (;;) {
      const c = specs[next++];
      if (!c) return;
      const reply = await helper.run(
        [{ kind: 'exec', label: 'run', argv: s.argv('run', '--bundle', c.bundle, c.id), stdout: c.stdout, stderr: c.stderr }],
        deadline?.timeoutMs() ?? req.timeoutMs,
      );
      const run = reply.steps[0];
      if (run && !run.error && !run.timedOut && run.exitCode === 0) {
        completed++;
        deadline?.completed(run.endNs - run.startNs);
        tLast = process.hrtime.bigint();
        outcomes.push(null);
      } else {
        outcomes.push(stepFailure(s.runtime, c, reply, 'run failed'));
        bad.add(c);
      }
    }
  };
  try {
    await Promise.all(helpers.map(worker));
    const failures = outcomes.filter((o) => o !== null);
    return { wallNs: Number(tLast - t0), completed, failed: failures.length, firstError: failures[0]?.message ?? null, failures, outcomes };
  } finally {
    for (const c of specs) await s.dispose(c, bad.has(c));
  }
}
