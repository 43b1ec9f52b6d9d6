/**
 * Churn at the kubernetes layer: N pods at concurrency P, each created, watched to
 * completion and its deletion requested; the figure is the wall time until the last one
 * that completed did. The deletions are awaited afterwards, untimed.
 */
import { errorMessage, RuntimeFailure } from '../../core/errors.ts';
import type { ChurnResult, RunRequest } from '../../core/runner.ts';
import { termination } from './pods.ts';
import type { SessionPods } from './session-pods.ts';

export async function churn(runtime: string, pods: SessionPods, req: RunRequest, count: number, concurrency: number): Promise<ChurnResult> {
  let next = 0;
  let completed = 0;
  const outcomes: (RuntimeFailure | null)[] = [];
  const names: string[] = [];
  const t0 = process.hrtime.bigint();
  let tLast = t0;
  const worker = async () => {
    while (next < count) {
      next += 1;
      let name: string | null = null;
      try {
        ({ name } = await pods.create(req));
        names.push(name);
        await pods.waitFor(name, 'completed', (t) => t.completedNs !== undefined, req.timeoutMs);
        const term = termination(pods.latest(name) ?? {});
        if (term && term.exitCode === 0) {
          completed += 1;
          tLast = process.hrtime.bigint();
          outcomes.push(null);
        } else outcomes.push(new RuntimeFailure(runtime, `pod ${name} ended ${term ? `with exit code ${term.exitCode} (${term.reason})` : 'without a container status'}`));
      } catch (e) {
        outcomes.push(new RuntimeFailure(runtime, errorMessage(e)));
      } finally {
        // a pod that failed or hung goes too: the awaited removal below covers every one
        if (name) void pods.delete(name, false).catch(() => undefined);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
  const wallNs = Number(tLast - t0);
  await pods.awaitGone(names, 60_000);
  const failures = outcomes.filter((o) => o !== null);
  return { wallNs, completed, failed: failures.length, firstError: failures[0]?.message ?? null, failures, outcomes };
}
