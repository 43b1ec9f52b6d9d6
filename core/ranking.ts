/**
 * Ranking runtimes on one metric without claiming more than the samples show. Ordered by
 * median, each runtime is tested against the next, Holm-adjusted across the pairs; only a
 * significant difference starts a new rank, so runtimes that cannot be told apart share one and
 * "best" means best beyond doubt. Runtimes of one run sampled in interleaved blocks are compared
 * round by round (a paired t-test on the log ratios of their block medians: each round's load
 * falls on both, and the rounds, not the samples, are the replicates); others by a Mann-Whitney
 * U test on the samples. Every ratio to the best comes with its interval: the paired one, or a
 * bootstrap of the ratio of medians seeded by the samples, so the same document renders the same.
 */
import { DEFAULT_ALPHA } from './compare.ts';
import { pairedBlocks } from './block-test.ts';
import { mannWhitneyU } from './mann-whitney.ts';
import { adjustPValues } from './multiple-testing.ts';
import { BOOTSTRAP_RESAMPLES, CI_LEVEL, median, quantile, resampledMedian, sampleSeed, seededRandom } from './stats.ts';

export interface Ranked {
  /** 1 for the best tie group, 2 for the next...; null without samples. */
  rank: number | null;
  /** Whether others share the rank: none of them differs significantly from its neighbour. */
  tied: boolean;
  /** Median over the best median (best over median when higher is better): 1 is the best; null without samples. */
  ratio: number | null;
  /** Bootstrap interval of the ratio; null for the best itself (it is the reference) and without samples. */
  ratioCi: [number, number] | null;
  /** Adjusted p of the test against the next in order; null for the last. */
  pNext: number | null;
  /** How the ratio and the test were taken: round by round on block medians, or on the samples. */
  method: 'blocks' | 'samples' | null;
}

/** The samples of one runtime, with the block (round) of each when they were taken interleaved. */
export interface RankInput {
  samples: readonly number[];
  blocks?: readonly number[] | undefined;
}

/**
 * Percentile bootstrap interval of median(a) / median(b), resampling both independently, seeded
 * by both samples. Null when a median of b can be 0. From a few samples it is coarse (a resampled
 * median takes few values): the interval widens in steps rather than smoothly.
 */
export function ratioOfMediansInterval(a: readonly number[], b: readonly number[], level = CI_LEVEL, resamples = BOOTSTRAP_RESAMPLES): [number, number] | null {
  if (a.length === 0 || b.length === 0 || b.some((x) => x === 0)) return null;
  const rand = seededRandom(sampleSeed(a, b));
  const bufA = new Float64Array(a.length);
  const bufB = new Float64Array(b.length);
  const ratios = Array.from({ length: resamples }, () => resampledMedian(a, rand, bufA) / resampledMedian(b, rand, bufB)).sort((x, y) => x - y);
  return [quantile(ratios, (1 - level) / 2), quantile(ratios, 1 - (1 - level) / 2)];
}

/**
 * Ranks of sample sets on one metric, in the order given. Lower medians rank first when
 * `lowerIsBetter`, higher ones otherwise. Sets with blocks are compared round by round only when
 * `paired` says their blocks are rounds of one run.
 */
export function rankSamples(
  sets: readonly (readonly number[] | RankInput)[],
  lowerIsBetter: boolean,
  alpha = DEFAULT_ALPHA,
  paired = false,
): Ranked[] {
  const inputs: RankInput[] = sets.map((s) => (Array.isArray(s) ? { samples: s as readonly number[] } : (s as RankInput)));
  const out: Ranked[] = inputs.map(() => ({ rank: null, tied: false, ratio: null, ratioCi: null, pNext: null, method: null }));
  const order = inputs
    .map((input, i) => ({ xs: input.samples, input, i, m: median(input.samples) }))
    .filter((e) => e.xs.length > 0)
    .sort((a, b) => (lowerIsBetter ? a.m - b.m : b.m - a.m) || a.i - b.i);
  const best = order[0];
  if (!best) return out;
  // worse over better, paired round by round where the blocks allow it
  const compare = (better: RankInput, worse: RankInput) => {
    const p = paired ? pairedBlocks(worse, better, 1 - alpha) : null;
    if (p) return { p: p.pValue, ratio: lowerIsBetter ? p.ratio : 1 / p.ratio, ci: (lowerIsBetter ? p.ratioCi : [1 / p.ratioCi[1], 1 / p.ratioCi[0]]) as [number, number], method: 'blocks' as const };
    return { p: mannWhitneyU(better.samples, worse.samples).p, ratio: null, ci: null, method: 'samples' as const };
  };
  const pNext = adjustPValues(
    order.slice(1).map((e, k) => compare((order[k] as typeof e).input, e.input).p),
    'holm',
  );
  let rank = 1;
  order.forEach((e, k) => {
    if (k > 0 && (pNext[k - 1] ?? 1) < alpha) rank++;
    const vsBest = e === best ? null : compare(best.input, e.input);
    const plain = best.m === 0 || e.m === 0 ? null : lowerIsBetter ? e.m / best.m : best.m / e.m;
    const ratio = vsBest?.method === 'blocks' ? vsBest.ratio : plain;
    const ci =
      vsBest === null ? null : vsBest.method === 'blocks' ? vsBest.ci : lowerIsBetter ? ratioOfMediansInterval(e.xs, best.xs) : ratioOfMediansInterval(best.xs, e.xs);
    // a bootstrap of medians that can be 0 gives no interval, not one of NaN
    const finiteCi = ci && ci.every(Number.isFinite) ? ci : null;
    out[e.i] = { rank, tied: false, ratio, ratioCi: ratio === null ? null : finiteCi, pNext: pNext[k] ?? null, method: vsBest?.method ?? (paired ? 'blocks' : 'samples') };
  });
  for (const r of out) r.tied = r.rank !== null && out.filter((o) => o.rank === r.rank).length > 1;
  return out;
}

/** "1", or "=1" for a rank others share. */
export function rankLabel(r: Ranked): string {
  return r.rank === null ? '—' : `${r.tied ? '=' : ''}${r.rank}`;
}

/** "1.93× [1.85 … 2.01]"; for the best "1.00× best", or "1.00×" when others are tied with it. */
export function ratioText(r: Ranked): string {
  if (r.ratio === null) return '—';
  const x = `${r.ratio.toFixed(2)}×`;
  if (!r.ratioCi) return r.rank === 1 && !r.tied ? `${x} best` : x;
  return `${x} [${r.ratioCi[0].toFixed(2)} … ${r.ratioCi[1].toFixed(2)}]`;
}

/** What a rank means, for the legend under each view. */
export function rankingNote(alpha = DEFAULT_ALPHA): string {
  return `Rank: runtimes ordered by median; a runtime ranks below the one before it only when the test between them (Holm-adjusted across the pairs) gives p < ${alpha}, so "=" marks runtimes that cannot be told apart. Runtimes of one run sampled in interleaved blocks are tested round by round (a paired t-test on the log ratios of their block medians; the ratio is then the geometric mean of those ratios, with its ${CI_LEVEL * 100}% t interval); others by a Mann-Whitney U test, the ratio of medians with a ${CI_LEVEL * 100}% bootstrap interval.`;
}
