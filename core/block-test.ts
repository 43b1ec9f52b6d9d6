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
import { mean, median } from './stats.ts';
import { tQuantileUpper, tTwoSided } from './student-t.ts';

/** Samples with the block each was taken in (parallel), as a measurement holds them. */
export interface BlockedSamples {
  readonly samples: readonly number[];
  readonly blocks?: readonly number[] | undefined;
}

/** The finite samples of a measurement grouped by the block they were taken in; null without a recorded schedule. */
export function blockGroups(m: BlockedSamples): number[][] | null {
  const by = byBlock(m);
  return by ? [...by.entries()].sort((a, b) => a[0] - b[0]).map(([, xs]) => xs) : null;
}

/**
 * The run-level variance of a measurement on a host (core/noise-floor.ts), in log units squared,
 * with its degrees of freedom: what the level of a whole run moves by beyond its blocks' spread.
 */
export interface RunVariance {
  variance: number;
  df: number;
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
  /** Standard error of the difference of the mean log block medians (the run-level term included). */
  se: number;
  /** The run-level variance added to se^2, in log units squared; 0 without a noise floor. */
  runVariance: number;
}

/**
 * Welch's t-test on log block medians; null where it does not apply: fewer than two units a
 * side, or a block median that is not positive (a count of 0, say), which has no logarithm.
 * `run`, a host's run-level variance, scaled by the caller for the runs on each side, is added to
 * the error, its degrees of freedom entering Welch-Satterthwaite's: the blocks of one base run and
 * one head run cannot show a shift of a whole run's level, only a noise floor can.
 */
export function blockTest(
  base: readonly (readonly number[])[],
  head: readonly (readonly number[])[],
  level: number,
  run: RunVariance = { variance: 0, df: 1 },
): BlockTest | null {
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
  const vr = run.variance;
  const se = Math.sqrt(vb + vh + vr);
  const toPercent = (x: number) => (Math.exp(x) - 1) * 100;
  if (se === 0) {
    // every block of each side gave the same median (memory counted in pages, say)
    return { baseUnits: b.length, headUnits: h.length, changePercent: toPercent(d), changeCiPercent: [toPercent(d), toPercent(d)], pValue: d === 0 ? 1 : 0, df: b.length + h.length - 2, se, runVariance: vr };
  }
  const df = (vb + vh + vr) ** 2 / ((vb > 0 ? vb ** 2 / (lb.length - 1) : 0) + (vh > 0 ? vh ** 2 / (lh.length - 1) : 0) + (vr > 0 ? vr ** 2 / run.df : 0));
  const q = tQuantileUpper((1 - level) / 2, df);
  return {
    baseUnits: b.length,
    headUnits: h.length,
    changePercent: toPercent(d),
    changeCiPercent: [toPercent(d - q * se), toPercent(d + q * se)],
    pValue: tTwoSided(d / se, df),
    df,
    se,
    runVariance: vr,
  };
}

/**
 * About how many units a side would give an interval narrow enough to decide, if the spread
 * between them stays as it is: the standard error shrinks as 1/sqrt(units). `target` is the
 * half-width the interval must reach, in log units; null when none would.
 */
export function unitsToDecide(t: Pick<BlockTest, 'baseUnits' | 'headUnits' | 'se'> & { runVariance?: number }, target: number, quantile: number): number | null {
  if (!(target > 0) || !(t.se > 0)) return null;
  const k = (2 * t.baseUnits * t.headUnits) / (t.baseUnits + t.headUnits);
  // more blocks shrink the blocks' part of the error, never the run-level part
  const blocksVar = t.se ** 2 - (t.runVariance ?? 0);
  const room = (target / quantile) ** 2 - (t.runVariance ?? 0);
  if (!(room > 0)) return null;
  const needed = Math.ceil((k * blocksVar) / room);
  return Number.isFinite(needed) ? Math.max(needed, Math.ceil(k) + 1) : null;
}

export interface PairedBlocks {
  /** Rounds both took a block in. */
  rounds: number;
  /** a over b: the geometric mean over the rounds of the ratio of their block medians. */
  ratio: number;
  ratioCi: [number, number];
  pValue: number;
}

/**
 * Two runtimes of one run compared round by round: with interleaved sampling both took a block
 * in every round, under that round's load, so the ratio of their block medians in each round
 * leaves the load out. A paired t-test on the log ratios, with the rounds' degrees of freedom.
 * Null with fewer than two shared rounds, or a block median that is not positive.
 */
export function pairedBlocks(a: BlockedSamples, b: BlockedSamples, level: number): PairedBlocks | null {
  const ga = byBlock(a);
  const gb = byBlock(b);
  if (!ga || !gb) return null;
  const d: number[] = [];
  for (const [round, xs] of ga) {
    const ys = gb.get(round);
    if (!ys) continue;
    const ma = median(xs);
    const mb = median(ys);
    if (!(ma > 0 && mb > 0)) return null;
    d.push(Math.log(ma / mb));
  }
  if (d.length < 2) return null;
  const m = mean(d);
  const sd = Math.sqrt(d.reduce((s, x) => s + (x - m) ** 2, 0) / (d.length - 1));
  const se = sd / Math.sqrt(d.length);
  if (se === 0) return { rounds: d.length, ratio: Math.exp(m), ratioCi: [Math.exp(m), Math.exp(m)], pValue: m === 0 ? 1 : 0 };
  const q = tQuantileUpper((1 - level) / 2, d.length - 1);
  return { rounds: d.length, ratio: Math.exp(m), ratioCi: [Math.exp(m - q * se), Math.exp(m + q * se)], pValue: tTwoSided(m / se, d.length - 1) };
}

function byBlock(m: BlockedSamples): Map<number, number[]> | null {
  const blocks = m.blocks;
  if (!blocks || blocks.length !== m.samples.length) return null;
  const out = new Map<number, number[]>();
  m.samples.forEach((x, i) => {
    const k = blocks[i] as number;
    const g = out.get(k);
    if (g) g.push(x);
    else out.set(k, [x]);
  });
  return out;
}
