/**
 * Thresholds: bounds from the config checked against a finished results document (and an
 * earlier one for relative bounds). Pure: the same documents always give the same checks.
 * Every check is an outcome: passed, failed (a breach, with a message; also a measurement
 * with no value, which no bound can pass) or skipped (why it could not be checked: no such
 * measurement, no baseline).
 */
import type { ResolvedMetricThreshold, ResolvedThresholds } from './config/index.ts';
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

function checkMetric(t: ResolvedMetricThreshold, doc: ResultsDocument, baseline: ResultsDocument | null): ThresholdCheck[] {
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
  const checks: ThresholdCheck[] = [];
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
      const beforeValue = before ? statValue(before, t.stat) : Number.NaN;
      if (!baseline) {
        checks.push({ ...base, limit, outcome: { status: 'skipped', reason: `${name}: no baseline results to compare with` } });
      } else if (!before) {
        checks.push({ ...base, limit, outcome: { status: 'skipped', reason: `${name}: not in the baseline run ${baseline.runId}` } });
      } else if (!Number.isFinite(beforeValue) || beforeValue === 0) {
        checks.push({ ...base, limit, outcome: { status: 'skipped', reason: `${name}: the baseline value is ${show(beforeValue)}, no relative change` } });
      } else {
        // Positive = worse: slower or bigger for lower-is-better metrics, slower rates otherwise.
        const change = ((value - beforeValue) / Math.abs(beforeValue)) * 100;
        const worse = t.better === 'lower' ? change : -change;
        const move = `${show(beforeValue)} -> ${show(value)}, ${change >= 0 ? '+' : ''}${percent(change)}`;
        checks.push({
          ...base,
          baseline: beforeValue,
          limit,
          outcome:
            worse > limit
              ? { status: 'failed', reason: `${name} regressed ${percent(worse)} against ${baseline.runId} (${move}), more than the ${percent(limit)} allowed` }
              : { status: 'passed', reason: move },
        });
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
  return [
    ...thresholds.metrics.flatMap((t) => checkMetric(t, doc, baseline ?? null)),
    ...(thresholds.conformance ? checkConformance(thresholds.conformance, doc) : []),
  ];
}

export function breaches(checks: readonly ThresholdCheck[]): ThresholdCheck[] {
  return checks.filter((c) => c.outcome.status === 'failed');
}

/** 4 when a conformance bound is breached, 3 for a metric bound, null when none is. */
export function breachExitCode(checks: readonly ThresholdCheck[]): 3 | 4 | null {
  const b = breaches(checks);
  if (b.some((c) => c.kind === 'conformance')) return 4;
  if (b.length > 0) return 3;
  return null;
}
