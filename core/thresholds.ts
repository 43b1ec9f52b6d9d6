/**
 * Thresholds: bounds from the config checked against a finished results document (and an
 * earlier one for relative bounds). Pure: the same documents always give the same checks.
 * Every check is an outcome: passed, failed (a breach, with a message; also a measurement
 * with no value, which no bound can pass) or skipped (why it could not be checked: no such
 * measurement, no baseline, or too few or too noisy samples to tell). A maxRegression bound is
 * judged by compare's test, its p-values adjusted across every such check of the run.
 */
import type { ResolvedMetricThreshold, ResolvedThresholds } from './config/index.ts';
import {
  type Change,
  type ComparisonRow,
  DEFAULT_ALPHA,
  DEFAULT_CORRECTION,
  formatP,
  judge,
  measureChange,
  VERDICT_TEXT,
} from './compare.ts';
import { checkFailureRates } from './failure-threshold.ts';
import { formatValue } from './format.ts';
import type { Labels, Measurement, ResultsDocument, ThresholdCheck } from './schema.ts';

function statValue(m: Measurement, stat: ResolvedMetricThreshold['stat']): number {
  return m.stats ? m.stats[stat] : Number.NaN;
}

/** Why a measurement has no statistics, for the check that fails on it. */
function noValueReason(m: Measurement): string {
  return m.failedSamples > 0 ? `all ${m.failedSamples} samples failed` : 'no samples';
}

function matches(t: ResolvedMetricThreshold, m: Measurement): boolean {
  if (m.suite !== t.suite || m.metric !== t.metric) return false;
  const w = t.where;
  return (
    (w.runtime === undefined || m.labels.runtime === w.runtime) &&
    (w.layer === undefined || m.labels.layer === w.layer) &&
    (w.workload === undefined || m.labels.workload === w.workload) &&
    (w.workloadKind === undefined || m.labels.workloadKind === w.workloadKind)
  );
}

/** The same figure in another run: same suite, metric and labels, whatever host it ran on. */
function sameSeries(a: Measurement, b: Measurement): boolean {
  const la = a.labels;
  const lb = b.labels;
  return (
    a.suite === b.suite &&
    a.metric === b.metric &&
    la.runtime === lb.runtime &&
    la.layer === lb.layer &&
    la.workload === lb.workload &&
    la.workloadKind === lb.workloadKind &&
    la.arch === lb.arch &&
    la.emulated === lb.emulated
  );
}

export function describeLabels(l: Labels): string {
  return `${l.runtime} ${l.layer} ${l.workload} ${l.workloadKind}${l.emulated ? ` ${l.arch} emulated` : ''}`;
}

function percent(x: number): string {
  return `${x.toFixed(1)}%`;
}

/** A relative check waits for its verdict: the p-values of all of them are adjusted together. */
type Pending = { pending: number; build: (row: ComparisonRow) => ThresholdCheck };

/** A maxRegression check from compare's verdict on the median: the tool has one definition of a regression. */
function relativeCheck(t: ResolvedMetricThreshold, m: Measurement, row: ComparisonRow, runId: string): ThresholdCheck {
  const show = (v: number) => formatValue(v, m.unit);
  const limit = t.maxRegressionPercent ?? 0;
  const name = `${t.suite}.${t.metric} median for ${describeLabels(m.labels)}${t.stat === 'median' ? '' : ` (a regression is judged on the median, not the ${t.stat})`}`;
  const move = `${show(row.baseMedian)} -> ${show(row.headMedian)}, ${row.changePercent >= 0 ? '+' : ''}${percent(row.changePercent)}`;
  const p = `${row.pAdjusted !== row.pValue ? 'adjusted ' : ''}p = ${formatP(row.pAdjusted)}`;
  const check = { kind: 'metric' as const, threshold: t.text, labels: m.labels, observed: row.headMedian, limit, baseline: row.baseMedian };
  switch (row.verdict) {
    case 'regressed':
      return {
        ...check,
        outcome: {
          status: 'failed',
          reason: `${name} regressed ${percent(Math.abs(row.changePercent))} against ${runId} (${move}, ${p}), more than the ${percent(limit)} allowed`,
        },
      };
    case 'inconclusive': {
      const more = row.samplesToDecide !== null ? `; about ${row.samplesToDecide} samples a side would decide` : '';
      return { ...check, outcome: { status: 'skipped', reason: `${name}: inconclusive against ${runId} (${move}): ${row.reason}${more}` } };
    }
    default:
      return { ...check, outcome: { status: 'passed', reason: `${move}: ${VERDICT_TEXT[row.verdict]}` } };
  }
}

function checkMetric(t: ResolvedMetricThreshold, doc: ResultsDocument, baseline: ResultsDocument | null, changes: Change[]): (ThresholdCheck | Pending)[] {
  const found = doc.measurements.filter((m) => matches(t, m));
  if (found.length === 0) {
    return [
      {
        kind: 'metric',
        threshold: t.text,
        labels: null,
        observed: null,
        limit: null,
        baseline: null,
        outcome: { status: 'skipped', reason: `no ${t.suite}.${t.metric} measurement in this run matches the threshold` },
      },
    ];
  }
  const checks: (ThresholdCheck | Pending)[] = [];
  for (const m of found) {
    const name = `${t.suite}.${t.metric} ${t.stat} for ${describeLabels(m.labels)}`;
    const value = statValue(m, t.stat);
    const show = (v: number) => formatValue(v, m.unit);
    const base = { kind: 'metric' as const, threshold: t.text, labels: m.labels, observed: Number.isFinite(value) ? value : null, baseline: null };
    if (!Number.isFinite(value)) {
      // no data never passes a bound: each one configured fails, saying why
      const limits = [t.max, t.min, t.maxRegressionPercent].filter((l): l is number => l !== null);
      for (const limit of limits) checks.push({ ...base, limit, outcome: { status: 'failed', reason: `${name} has no value: ${noValueReason(m)}` } });
      continue;
    }
    if (t.max !== null) {
      const breach = value > t.max;
      checks.push({
        ...base,
        limit: t.max,
        outcome: breach
          ? { status: 'failed', reason: `${name} is ${show(value)}, above the limit of ${show(t.max)}` }
          : { status: 'passed', reason: `${show(value)} <= ${show(t.max)}` },
      });
    }
    if (t.min !== null) {
      const breach = value < t.min;
      checks.push({
        ...base,
        limit: t.min,
        outcome: breach
          ? { status: 'failed', reason: `${name} is ${show(value)}, below the limit of ${show(t.min)}` }
          : { status: 'passed', reason: `${show(value)} >= ${show(t.min)}` },
      });
    }
    if (t.maxRegressionPercent !== null) {
      const limit = t.maxRegressionPercent;
      const before = baseline?.measurements.find((b) => sameSeries(b, m));
      if (!baseline) {
        checks.push({ ...base, limit, outcome: { status: 'skipped', reason: `${name}: no baseline results to compare with` } });
      } else if (!before) {
        checks.push({ ...base, limit, outcome: { status: 'skipped', reason: `${name}: not in the baseline run ${baseline.runId}` } });
      } else if (!before.stats) {
        checks.push({
          ...base,
          limit,
          outcome: { status: 'skipped', reason: `${name}: no value in the baseline run ${baseline.runId}: ${noValueReason(before)}` },
        });
      } else if (before.stats.median === 0) {
        checks.push({ ...base, limit, outcome: { status: 'skipped', reason: `${name}: the baseline median is 0, no relative change` } });
      } else {
        // judged as compare judges a row, with the worse direction from the metric's definition
        const change = measureChange(before, m, { thresholdPercent: limit, alpha: DEFAULT_ALPHA }, t.better === 'lower' ? 'up' : 'down');
        const index = changes.push(change) - 1;
        const runId = baseline.runId;
        checks.push({ pending: index, build: (row) => relativeCheck(t, m, row, runId) });
      }
    }
  }
  return checks;
}

function checkConformance(t: NonNullable<ResolvedThresholds['conformance']>, doc: ResultsDocument): ThresholdCheck[] {
  const checks: ThresholdCheck[] = [];
  const levels = [
    ['MUST', t.maxMustFailures],
    ['SHOULD', t.maxShouldFailures],
  ] as const;
  for (const [level, allowed] of levels) {
    if (allowed === null) continue;
    const failed = doc.conformance.filter((c) => c.level === level && c.outcome.status === 'failed');
    const threshold = `conformance ${level} failures <= ${allowed}`;
    const list = failed
      .slice(0, 5)
      .map((c) => `${c.checkId} (${c.labels.runtime})`)
      .join(', ');
    const more = failed.length > 5 ? ` and ${failed.length - 5} more` : '';
    checks.push({
      kind: 'conformance',
      threshold,
      labels: null,
      observed: failed.length,
      limit: allowed,
      baseline: null,
      outcome:
        failed.length > allowed
          ? { status: 'failed', reason: `${failed.length} ${level} conformance check(s) failed, ${allowed} allowed: ${list}${more}` }
          : { status: 'passed', reason: `${failed.length} ${level} failure(s)` },
    });
  }
  return checks;
}

/** Checks every threshold; relative ones need `baseline` and are skipped (with a reason) without it. */
export function checkThresholds(doc: ResultsDocument, thresholds: ResolvedThresholds, baseline?: ResultsDocument | null): ThresholdCheck[] {
  const changes: Change[] = [];
  const metrics = thresholds.metrics.flatMap((t) => checkMetric(t, doc, baseline ?? null, changes));
  const rows = judge(changes, { alpha: DEFAULT_ALPHA, correction: DEFAULT_CORRECTION });
  return [
    ...metrics.map((c) => ('pending' in c ? c.build(rows[c.pending] as ComparisonRow) : c)),
    ...(thresholds.conformance ? checkConformance(thresholds.conformance, doc) : []),
    ...(thresholds.maxFailureRatePercent !== null ? checkFailureRates(doc, thresholds.maxFailureRatePercent) : []),
  ];
}

export function breaches(checks: readonly ThresholdCheck[]): ThresholdCheck[] {
  return checks.filter((c) => c.outcome.status === 'failed');
}

/** 4 when a conformance bound is breached, 3 for a metric or failure-rate bound, null when none is. */
export function breachExitCode(checks: readonly ThresholdCheck[]): 3 | 4 | null {
  const b = breaches(checks);
  if (b.some((c) => c.kind === 'conformance')) return 4;
  if (b.length > 0) return 3;
  return null;
}
