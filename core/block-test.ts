/**
 * A test that replicates at the level that varies. Samples taken in one block share that
 * block's load, so the difference between two runs (or two blocks) is larger than the samples
 * within one predict, and a test on pooled samples is too sure of itself. Here each block (and,
 * for a baseline of several runs, each run's block) is one unit: its median is one observation,
 * and the change is judged by Welch's t-test on the logarithms of the block medians. Its standard
 * error is the spread between blocks, which holds the within-block noise and the drift alike; its
 * degrees of freedom are those of the blocks, so few blocks give wide intervals, as they should.
 * The change it estimates is the ratio of the geometric means of the block medians, which can
 * differ from the ratio of the medians of all samples when blocks differ: the median of pooled
 * blocks moves with whichever block sits in the middle, and a test of it would need its own,
 * larger, error (with the spread of the block medians as its error it raised false alarms from 5%
 * to 10% in simulation).
 */
import type { Measurement } from './schema.ts';
import { mean, median } from './stats.ts';
import { tQuantileUpper, tTwoSided } from './student-t.ts';

/** The finite samples of a measurement grouped by the block they were taken in; null without a recorded schedule. */
export function blockGroups(m: Pick<Measurement, 'samples' | 'blocks'>): number[][] | null {
  const blocks = m.blocks;
  if (!blocks || blocks.length !== m.samples.length) return null;
  const by = new Map<number, number[]>();
  m.samples.forEach((x, i) => {
    const b = blocks[i] as number;
    const g = by.get(b);
    if (g) g.push(x);
    else by.set(b, [x]);
  });
  return [...by.entries()].sort((a, b) => a[0] - b[0]).map(([, xs]) => xs);
}

export interface BlockTest {
  /** Units (blocks) on each side. */
  baseUnits: number;
  headUnits: number;
  /** head over base: the ratio of the geometric means of the block medians, minus 1, in percent. */
  changePercent: number;
  changeCiPercent: [number, number];
  pValue: number;
  /** Welch-Satterthwaite degrees of freedom. */
  df: number;
  /** Standard error of the difference of the mean log block medians. */
  se: number;
}

/**
 * Welch's t-test on log block medians; null where it does not apply: fewer than two units a
 * side, or a block median that is not positive (a count of 0, say), which has no logarithm.
 */
export function blockTest(base: readonly (readonly number[])[], head: readonly (readonly number[])[], level: number): BlockTest | null {
  const logs = (groups: readonly (readonly number[])[]) => groups.filter((g) => g.length > 0).map((g) => median(g));
  const b = logs(base);
  const h = logs(head);
  if (b.length < 2 || h.length < 2 || [...b, ...h].some((x) => !(x > 0))) return null;
  const lb = b.map(Math.log);
  const lh = h.map(Math.log);
  const variance = (xs: number[]) => {
    const m = mean(xs);
    return xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
  };
  const vb = variance(lb) / lb.length;
  const vh = variance(lh) / lh.length;
  const d = mean(lh) - mean(lb);
  const se = Math.sqrt(vb + vh);
  const toPercent = (x: number) => (Math.exp(x) - 1) * 100;
  if (se === 0) {
    // every block of each side gave the same median (memory counted in pages, say)
    return { baseUnits: b.length, headUnits: h.length, changePercent: toPercent(d), changeCiPercent: [toPercent(d), toPercent(d)], pValue: d === 0 ? 1 : 0, df: b.length + h.length - 2, se };
  }
  const df = (vb + vh) ** 2 / ((vb > 0 ? vb ** 2 / (lb.length - 1) : 0) + (vh > 0 ? vh ** 2 / (lh.length - 1) : 0));
  const q = tQuantileUpper((1 - level) / 2, df);
  return {
    baseUnits: b.length,
    headUnits: h.length,
    changePercent: toPercent(d),
    changeCiPercent: [toPercent(d - q * se), toPercent(d + q * se)],
    pValue: tTwoSided(d / se, df),
    df,
    se,
  };
}

/**
 * About how many units a side would give an interval narrow enough to decide, if the spread
 * between them stays as it is: the standard error shrinks as 1/sqrt(units). `target` is the
 * half-width the interval must reach, in log units; null when none would.
 */
export function unitsToDecide(t: Pick<BlockTest, 'baseUnits' | 'headUnits' | 'se'>, target: number, quantile: number): number | null {
  if (!(target > 0) || !(t.se > 0)) return null;
  const k = (2 * t.baseUnits * t.headUnits) / (t.baseUnits + t.headUnits);
  const needed = Math.ceil(k * ((quantile * t.se) / target) ** 2);
  return Number.isFinite(needed) ? Math.max(needed, Math.ceil(k) + 1) : null;
}
