/**
 * Interleaved sampling: a run takes its samples in blocks, and in every round each runtime
 * takes one block, in an order shuffled anew each round. A load that drifts during the run
 * then falls on every runtime alike instead of on whichever one happened to run last. The
 * shuffle is seeded by the run id, so the document's recorded schedule can be replayed.
 */
import { seededRandom, textSeed } from './stats.ts';

/** How many of `total` items block `index` of `blocks` takes: the blocks differ by at most one. */
export function blockShare(total: number, blocks: number, index: number): number {
  return Math.floor((total * (index + 1)) / blocks) - Math.floor((total * index) / blocks);
}

/** The order of one round: a Fisher-Yates shuffle seeded by the run, the group and the round. */
export function roundOrder<T>(items: readonly T[], seed: string, round: number): T[] {
  const rand = seededRandom(textSeed(`${seed}/${round}`));
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
