/**
 * Churn at the oci layer: every bundle is written first, then P timing helpers run
 * `RUNTIME run` on them as fast as they can; the figure is the wall time of the batch.
 */
import type { ChurnResult, RunRequest } from '../../core/runner.ts';
import type { TimingHelper } from '../../core/timing-helper.ts';
import type { OciContainerSpec } from './bundle.ts';
import { stepFailure } from './failure.ts';

/** What churn needs of its session. */
export interface ChurnSession {
  runtime: string;
  argv(...args: string[]): string[];
  prepare(req: RunRequest): OciContainerSpec;
  dispose(c: OciContainerSpec): Promise<void>;
}

/** `count` runs, one worker per helper; every container is removed afterwards, whatever happened. */
export async function churn(s: ChurnSession, helpers: TimingHelper[], req: RunRequest, count: number): Promise<ChurnResult> {
  const specs = Array.from({ length: count }, () => s.prepare(req));
  let next = 0;
  let completed = 0;
  let failed = 0;
  let firstError: string | null = null;
  const t0 = process.hrtime.bigint();
  const worker = async (helper: TimingHelper) => {
    for (;;) {
      const c = specs[next++];
      if (!c) return;
      const reply = await helper.run(
        [{ kind: 'exec', label: 'run', argv: s.argv('run', '--bundle', c.bundle, c.id), stdout: c.stdout, stderr: c.stderr }],
        req.timeoutMs,
      );
      const run = reply.steps[0];
      if (run && !run.error && !run.timedOut && run.exitCode === 0) completed++;
      else {
        failed++;
        firstError ??= stepFailure(s.runtime, c, reply, 'run failed').message;
      }
    }
  };
  try {
    await Promise.all(helpers.map(worker));
    return { wallNs: Number(process.hrtime.bigint() - t0), completed, failed, firstError };
  } finally {
    for (const c of specs) await s.dispose(c);
  }
}
