/**
 * Churn at the containerd layer: P workers each run whole containers (the one-shot path)
 * one after the other until `count` were started; the figure is the batch's wall time, until
 * the last container that completed.
 */
import { errorMessage, RuntimeFailure } from '../../core/errors.ts';
import type { ChurnResult, TimedSample } from '../../core/runner.ts';

export async function churn(runtime: string, runOne: () => Promise<TimedSample>, count: number, concurrency: number): Promise<ChurnResult> {
  let next = 0;
  let completed = 0;
  const outcomes: (RuntimeFailure | null)[] = [];
  const t0 = process.hrtime.bigint();
  let tLast = t0;
  const worker = async () => {
    while (next < count) {
      next++;
      try {
        const s = await runOne();
        if (s.exitCode === 0) {
          completed++;
          tLast = process.hrtime.bigint();
          outcomes.push(null);
        } else outcomes.push(new RuntimeFailure(runtime, `${runtime} via containerd: hello exited ${s.exitCode}`));
      } catch (e) {
        outcomes.push(e instanceof RuntimeFailure ? e : new RuntimeFailure(runtime, errorMessage(e)));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  const failures = outcomes.filter((o) => o !== null);
  return { wallNs: Number(tLast - t0), completed, failed: failures.length, firstError: failures[0]?.message ?? null, failures, outcomes };
}
