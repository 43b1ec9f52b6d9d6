/**
 * Churn at the containerd layer: P workers each run whole containers (the one-shot path)
 * one after the other until `count` were started; the figure is the batch's wall time.
 */
import { errorMessage } from '../../core/errors.ts';
import type { ChurnResult, TimedSample } from '../../core/runner.ts';

export async function churn(runOne: () => Promise<TimedSample>, count: number, concurrency: number): Promise<ChurnResult> {
  let next = 0;
  let completed = 0;
  let failed = 0;
  let firstError: string | null = null;
  const t0 = process.hrtime.bigint();
  const worker = async () => {
    while (next < count) {
      next++;
      try {
        const s = await runOne();
        if (s.exitCode === 0) completed++;
        else {
          failed++;
          firstError ??= `exited ${s.exitCode}`;
        }
      } catch (e) {
        failed++;
        firstError ??= errorMessage(e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return { wallNs: Number(process.hrtime.bigint() - t0), completed, failed, firstError };
}
