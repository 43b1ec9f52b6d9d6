/**
 * Ranking runtimes on one metric without claiming more than the samples show. Ordered by
 * median, each runtime is tested against the next (Mann-Whitney U, Holm-adjusted across the
 * pairs); only a significant difference starts a new rank, so runtimes that cannot be told
 * apart share one and "best" means best beyond doubt. Every ratio to the best median comes
 * with a bootstrap interval, seeded by the samples so the same document renders the same.
 */
import { DEFAULT_ALPHA } from './compare.ts';
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
 * `lowerIsBetter`, higher ones otherwise.
 */
export function rankSamples(sets: readonly (readonly number[])[], lowerIsBetter: boolean, alpha = DEFAULT_ALPHA): Ranked[] {
  const out: Ranked[] = sets.map(() => ({ rank: null, tied: false, ratio: null, ratioCi: null, pNext: null }));
  const order = sets
    .map((xs, i) => ({ xs, i, m: median(xs) }))
    .filter((e) => e.xs.length > 0)
    .sort((a, b) => (lowerIsBetter ? a.m - b.m : b.m - a.m) || a.i - b.i);
  const best = order[0];
  if (!best) return out;
  const pNext = adjustPValues(
    order.slice(1).map((e, k) => mannWhitneyU((order[k] as typeof e).xs, e.xs).p),
    'holm',
  );
  let rank = 1;
  order.forEach((e, k) => {
    if (k > 0 && (pNext[k - 1] ?? 1) < alpha) rank++;
    const ratio = best.m === 0 || e.m === 0 ? null : lowerIsBetter ? e.m / best.m : best.m / e.m;
    const ci = e === best ? null : lowerIsBetter ? ratioOfMediansInterval(e.xs, best.xs) : ratioOfMediansInterval(best.xs, e.xs);
    // a bootstrap of medians that can be 0 gives no interval, not one of NaN
    const finiteCi = ci && ci.every(Number.isFinite) ? ci : null;
    out[e.i] = { rank, tied: false, ratio, ratioCi: ratio === null ? null : finiteCi, pNext: pNext[k] ?? null };
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
  return `Rank: runtimes ordered by median; a runtime ranks below the one before it only when a Mann-Whitney U test between them (Holm-adjusted across the pairs) gives p < ${alpha}, so "=" marks runtimes that cannot be told apart. The ratio to the best median comes with a ${CI_LEVEL * 100}% bootstrap interval.`;
}
