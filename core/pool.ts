/**
 * Work over many items, a bounded number at a time and within a deadline: how a thousand
 * containers are removed in parallel without a thousand processes at once, and without
 * waiting forever on one that hangs.
 */
import { errorMessage } from './errors.ts';

export interface PoolOutcome<T> {
  /** Items whose work threw, with the error. */
  failed: { item: T; error: string }[];
  /** Items not started because the deadline passed (their work is left to a later sweep). */
  notStarted: T[];
}

/** Runs `fn` on every item, at most `limit` at once; no item is started after `deadlineMs` (epoch ms). */
export async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>, deadlineMs = Number.POSITIVE_INFINITY): Promise<PoolOutcome<T>> {
  const failed: PoolOutcome<T>['failed'] = [];
  const notStarted: T[] = [];
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      const item = items[i] as T;
      if (Date.now() > deadlineMs) {
        notStarted.push(item);
        continue;
      }
      try {
        await fn(item);
      } catch (e) {
        failed.push({ item, error: errorMessage(e) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return { failed, notStarted };
}
