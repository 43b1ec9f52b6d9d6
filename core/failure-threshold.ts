/**
 * The config's `thresholds: maxFailureRate`, checked against every runtime configuration's
 * failure rate (core/reliability.ts). Like a maxRegression bound it is judged only as far as
 * the data allow: breached when the whole 95% interval of the rate lies above the limit, met
 * when it lies at or below it (or, for '0%', when nothing failed), and not checked (inconclusive,
 * with about how many attempts would decide) when it straddles the limit. Without this
 * threshold, failures fail a run only when a series stops for them (core/reliability.ts).
 */
import { clopperPearson } from './proportion.ts';
import { formatRate } from './reliability.ts';
import type { ConfigurationReliability, ResultsDocument, ThresholdCheck } from './schema.ts';

/** Past this many attempts, "inconclusive" names no figure. */
const MAX_ATTEMPTS_ESTIMATE = 100_000;

function describe(c: ConfigurationReliability): string {
  const l = c.labels;
  return `${l.runtime} ${l.layer} ${l.workloadKind}${l.emulated ? ` ${l.arch} emulated` : ''}`;
}

/**
 * About how many attempts, failing at the rate seen, would put the interval wholly on one side
 * of the limit; null when none would (the rate is the limit) or more than the estimate's cap.
 */
export function attemptsToDecide(failures: number, attempts: number, limit: number): number | null {
  if (attempts === 0) return null;
  const rate = failures / attempts;
  if (rate === limit) return null;
  const decides = (n: number) => {
    const k = Math.round(rate * n);
    const ci = clopperPearson(k, n);
    return ci !== null && (ci[0] > limit || ci[1] <= limit);
  };
  let lo = attempts;
  let hi = attempts * 2;
  while (!decides(hi)) {
    if (hi > MAX_ATTEMPTS_ESTIMATE) return null;
    lo = hi;
    hi *= 2;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (decides(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

export function checkFailureRates(doc: ResultsDocument, maxPercent: number): ThresholdCheck[] {
  const threshold = `failure rate <= ${maxPercent}%`;
  const limit = maxPercent / 100;
  const none = (reason: string): ThresholdCheck[] => [
    { kind: 'reliability', threshold, labels: null, observed: null, limit: maxPercent, baseline: null, outcome: { status: 'skipped', reason } },
  ];
  const configs = doc.reliability?.configurations;
  if (!configs) return none('the document counts no attempts (runbench counted failures only from a later version)');
  if (configs.length === 0) return none('no runtime configuration made an attempt');
  return configs.map((c): ThresholdCheck => {
    const check = {
      kind: 'reliability' as const,
      threshold,
      labels: { ...c.labels, workload: '*' },
      observed: c.failureRate === null ? null : c.failureRate * 100,
      limit: maxPercent,
      baseline: null,
    };
    const what = `${describe(c)}: ${c.failures} of ${c.attempts} attempts failed${c.hangs > 0 ? ` (${c.hangs} hung)` : ''}, ${formatRate(c)}`;
    const ci = c.failureRateCi95;
    if (!ci) return { ...check, outcome: { status: 'skipped', reason: `${describe(c)}: no attempts` } };
    if (ci[0] > limit) return { ...check, outcome: { status: 'failed', reason: `${what}: the failure rate is above the ${maxPercent}% allowed` } };
    // no interval reaches 0 from above: with a limit of 0%, no failure at all meets it
    if (ci[1] <= limit || (limit === 0 && c.failures === 0)) return { ...check, outcome: { status: 'passed', reason: `${what} <= ${maxPercent}%` } };
    const n = attemptsToDecide(c.failures, c.attempts, limit);
    const more = n !== null ? `; about ${n} attempts would decide` : '';
    return { ...check, outcome: { status: 'skipped', reason: `${what}: inconclusive, the interval reaches both sides of ${maxPercent}%${more}` } };
  });
}
