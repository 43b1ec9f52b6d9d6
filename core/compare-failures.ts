/**
 * Failure rates in a comparison: for every runtime configuration (runtime, layer, arch,
 * workload kind) both documents counted attempts for, the change of its failure rate, tested
 * with Fisher's exact test in the same family as the measurement rows (their p-values are
 * adjusted together, core/compare.ts), and one of the same verdicts, in percentage points:
 *   regressed / improved  adjusted p < alpha and the rate moved by more than the threshold
 *   no change             the interval of the change (Newcombe) lies within ± the threshold
 *   inconclusive          neither, with about how many attempts a side would decide
 */
import { fisherExact, rateDifferenceInterval } from './proportion.ts';
import { normalQuantileUpper } from './mann-whitney.ts';
import type { ConfigurationReliability, ResultsDocument } from './schema.ts';

type FailureVerdict = 'regressed' | 'improved' | 'no-change' | 'inconclusive';

export interface FailureRateTest {
  layer: string;
  runtime: string;
  workloadKind: string;
  arch: string;
  emulated: boolean;
  base: { attempts: number; failures: number; hangs: number };
  head: { attempts: number; failures: number; hangs: number };
  baseRate: number;
  headRate: number;
  /** head rate - base rate, in percentage points, and its interval (1 - alpha). */
  diffPoints: number;
  diffCiPoints: [number, number];
  pValue: number;
  /** Changes smaller than this, in percentage points, are no change. */
  thresholdPoints: number;
}

export interface FailureRateRow extends FailureRateTest {
  pAdjusted: number;
  verdict: FailureVerdict;
  reason: string;
  /** For an inconclusive row, about how many attempts a side would decide it; null when decided or when none would. */
  attemptsToDecide: number | null;
}

/** Past this many attempts a side, "inconclusive" names no figure. */
const MAX_ATTEMPTS_ESTIMATE = 1_000_000;

function keyOf(c: ConfigurationReliability): string {
  const l = c.labels;
  return [l.layer, l.runtime, l.workloadKind, l.arch, String(l.emulated)].join('\u0000');
}

export function describeConfiguration(r: Pick<FailureRateTest, 'layer' | 'runtime' | 'workloadKind' | 'arch' | 'emulated'>): string {
  return `${r.layer}/failure rate ${r.runtime} (${r.workloadKind}, ${r.arch}${r.emulated ? ', emulated' : ''})`;
}

/** The failure-rate tests of two documents, and what could not be compared, before the family's p-values are adjusted. */
/** The configurations of several base runs, their counts summed; undefined when a run counted none. */
function pooledConfigurations(bases: readonly ResultsDocument[]): ConfigurationReliability[] | undefined {
  if (bases.some((d) => !d.reliability)) return undefined;
  const out = new Map<string, ConfigurationReliability>();
  for (const d of bases) {
    for (const c of d.reliability?.configurations ?? []) {
      const k = keyOf(c);
      const e = out.get(k);
      if (!e) out.set(k, { ...c });
      else out.set(k, { ...e, attempts: e.attempts + c.attempts, failures: e.failures + c.failures, hangs: e.hangs + c.hangs, series: e.series + c.series });
    }
  }
  return [...out.values()];
}

export function failureRateTests(
  base: ResultsDocument | readonly ResultsDocument[],
  head: ResultsDocument,
  options: { thresholdPercent: number; alpha: number },
): { tests: FailureRateTest[]; notComparable: { key: string; reason: string }[] } {
  const b = pooledConfigurations(Array.isArray(base) ? (base as readonly ResultsDocument[]) : [base as ResultsDocument]);
  const h = head.reliability?.configurations;
  if (!b || !h) {
    const side = !b && !h ? 'either document' : !b ? 'base' : 'head';
    const any = (b ?? h ?? []).length > 0;
    return { tests: [], notComparable: any ? [{ key: 'failure rates', reason: `${side} counts no attempts (written before runbench counted failures)` }] : [] };
  }
  const byKey = new Map(b.map((c) => [keyOf(c), c]));
  const tests: FailureRateTest[] = [];
  for (const hc of h) {
    const bc = byKey.get(keyOf(hc));
    if (!bc || bc.attempts === 0 || hc.attempts === 0) continue;
    const ci = rateDifferenceInterval(bc.failures, bc.attempts, hc.failures, hc.attempts, 1 - options.alpha) ?? [Number.NaN, Number.NaN];
    const { runtime, layer, workloadKind, arch, emulated } = hc.labels;
    const counts = (c: ConfigurationReliability) => ({ attempts: c.attempts, failures: c.failures, hangs: c.hangs });
    const baseRate = bc.failures / bc.attempts;
    const headRate = hc.failures / hc.attempts;
    tests.push({
      layer,
      runtime,
      workloadKind,
      arch,
      emulated,
      base: counts(bc),
      head: counts(hc),
      baseRate,
      headRate,
      diffPoints: (headRate - baseRate) * 100,
      diffCiPoints: [ci[0] * 100, ci[1] * 100],
      pValue: fisherExact(bc.failures, bc.attempts, hc.failures, hc.attempts),
      thresholdPoints: options.thresholdPercent,
    });
  }
  return { tests, notComparable: [] };
}

/** As compare's samplesToDecide: the interval shrinks as 1/sqrt(n), the test needs the strictest adjusted level. */
function attemptsToDecide(t: FailureRateTest, alpha: number, family: number): number | null {
  const n = (2 * t.base.attempts * t.head.attempts) / (t.base.attempts + t.head.attempts);
  const halfWidth = (t.diffCiPoints[1] - t.diffCiPoints[0]) / 2;
  const size = Math.abs(t.diffPoints);
  let needed: number;
  if (size > t.thresholdPoints) {
    const se = halfWidth / normalQuantileUpper(alpha / 2);
    needed = n * ((normalQuantileUpper(alpha / Math.max(1, family) / 2) * se) / size) ** 2;
  } else if (size < t.thresholdPoints) needed = n * (halfWidth / (t.thresholdPoints - size)) ** 2;
  else needed = Number.POSITIVE_INFINITY;
  const out = Math.ceil(Math.max(needed, n + 1));
  return Number.isFinite(out) && out <= MAX_ATTEMPTS_ESTIMATE ? out : null;
}

/** Verdicts for failure-rate tests whose p-values were adjusted with the rest of the family (`family` tests in all). */
export function judgeFailureRates(tests: readonly FailureRateTest[], adjusted: readonly number[], alpha: number, family: number): FailureRateRow[] {
  return tests.map((t, i) => {
    const pAdjusted = adjusted[i] ?? Number.NaN;
    const p = family > 1 ? 'adjusted p' : 'p';
    const th = t.thresholdPoints;
    const beyond = Math.abs(t.diffPoints) > th;
    const decided = (verdict: FailureVerdict, reason: string) => ({ ...t, pAdjusted, verdict, reason, attemptsToDecide: null });
    if (pAdjusted < alpha && beyond) {
      const worse = t.diffPoints > 0;
      return decided(worse ? 'regressed' : 'improved', `Fisher ${p} < ${alpha} and ${worse ? 'up' : 'down'} by more than ${th} points`);
    }
    if (!beyond && t.diffCiPoints[0] >= -th && t.diffCiPoints[1] <= th) return decided('no-change', `interval within ±${th} points`);
    const why = pAdjusted < alpha ? `Fisher ${p} < ${alpha} but the interval reaches past ±${th} points` : `Fisher ${p} ≥ ${alpha} and the interval reaches past ±${th} points`;
    return { ...t, pAdjusted, verdict: 'inconclusive' as const, reason: why, attemptsToDecide: attemptsToDecide(t, alpha, family) };
  });
}

/** What the failure-rate verdicts mean, in one sentence the views print beside them. */
export function describeFailureMethod(options: { thresholdPercent: number; alpha: number }): string {
  return (
    `Failure rates (failed or hung attempts, every series of a runtime configuration pooled): Fisher's exact test, adjusted with the rows above; ` +
    `regressed or improved when the adjusted p is below ${options.alpha} and the rate moved more than ${options.thresholdPercent} percentage points, ` +
    `no change when the interval of the change lies within ±${options.thresholdPercent} points.`
  );
}
