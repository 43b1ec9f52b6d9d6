/**
 * Churn at the kubernetes layer: N pods at concurrency P, each created, watched to
 * completion and its deletion requested; the figure is the wall time until the last one
 * completed. The deletions are awaited afterwards, untimed.
 */
import { errorMessage } from '../../core/errors.ts';
import type { ChurnResult, RunRequest } from '../../core/runner.ts';
import { termination } from './pods.ts';
import type { SessionPods } from './session-pods.ts';

export async function churn(pods: SessionPods, req: RunRequest, count: number, concurrency: number): Promise<ChurnResult> {
  let next = 0;
  let completed = 0;
  let failed = 0;
  let firstError: string | null = null;
  const names: string[] = [];
  const t0 = process.hrtime.bigint();
  const worker = async () => {
    while (next < count) {
      next += 1;
      try {
        const { name } = await pods.create(req);
        names.push(name);
        await pods.waitFor(name, 'completed', (t) => t.completedNs !== undefined, req.timeoutMs);
        const term = termination(pods.latest(name) ?? {});
        if (term && term.exitCode === 0) completed += 1;
        else {
          failed += 1;
          firstError ??= `pod ${name} ended ${term ? `with exit code ${term.exitCode} (${term.reason})` : 'without a container status'}`;
        }
        void pods.delete(name, false).catch(() => undefined);
      } catch (e) {
        failed += 1;
        firstError ??= errorMessage(e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
  const wallNs = Number(process.hrtime.bigint() - t0);
  await pods.awaitGone(names, 60_000);
  return { wallNs, completed, failed, firstError };
}
