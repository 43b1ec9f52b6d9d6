/**
 * A runtime configuration's failure rate as a threshold (maxFailureRate) and in compare (Fisher's
 * exact test, in the same family of p-values as the measurement rows). Pure functions of documents.
 */
import { describe, expect, it } from 'vitest';
import { compareDocuments } from '../../core/compare.ts';
import { parseConfigText, resolveConfig } from '../../core/config/index.ts';
import { UserError } from '../../core/errors.ts';
import { attemptsToDecide } from '../../core/failure-threshold.ts';
import { byConfiguration, failureCounts, RULE } from '../../core/reliability.ts';
import type { Measurement, ResultsDocument, SeriesReliability } from '../../core/schema.ts';
import { computeStats } from '../../core/stats.ts';
import { breachExitCode, checkThresholds } from '../../core/thresholds.ts';
import { SUITES } from '../../suites/index.ts';
import { fakeHost } from '../helpers/pipeline.ts';

const labels = (runtime: string) => ({ runtime, layer: 'oci' as const, workload: 'hello', workloadKind: 'native' as const, arch: 'amd64', emulated: false, host: 'h', engine: 'none', engineMode: 'none' as const });

function series(runtime: string, attempts: number, failures: number, hangs = 0): SeriesReliability {
  return {
    suite: 'startup',
    series: 'run',
    labels: labels(runtime),
    metrics: ['run'],
    planned: attempts,
    succeeded: attempts - failures,
    ...failureCounts(attempts, failures, hangs),
    errors: failures > 0 ? [{ kind: hangs > 0 ? 'hung' : 'failed', error: `${runtime} run failed`, count: failures }] : [],
    outcome: { status: 'measured', reason: null },
  };
}

function doc(runId: string, counts: SeriesReliability[] | null, measurements: Measurement[] = []): ResultsDocument {
  return {
    schemaVersion: 1,
    tool: { name: 'runbench', version: '0.1.0', commit: null },
    invocation: null,
    runId,
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: '2026-01-01T00:01:00Z',
    host: fakeHost,
    runtimes: [],
    parameters: { suites: ['startup'], runtimes: ['youki'], layers: ['oci'], runs: 30, warmup: 0, concurrency: 1, churnContainers: 1 },
    config: { digest: 'sha256:x', resolved: {} },
    harness: null,
    measurements,
    ...(counts ? { reliability: { rule: RULE, series: counts, configurations: byConfiguration(counts) } } : {}),
    facts: [],
    suiteRuns: [],
    conformance: [],
  };
}

const limit = (pct: string) => resolveConfig(parseConfigText(`thresholds:\n  maxFailureRate: ${pct}\n`, 't.yaml'), {}, { suites: SUITES, hostArch: 'amd64' }).config.thresholds;

describe('thresholds: maxFailureRate', () => {
  it('is read as a percentage from 0% to 100%; anything else is a config error', () => {
    expect(limit('5%').maxFailureRatePercent).toBe(5);
    expect(limit("'0%'").maxFailureRatePercent).toBe(0);
    expect(() => limit('150%')).toThrow(UserError);
    expect(() => limit('0.05')).toThrow(/maxFailureRate: expected string/);
    expect(() => limit('five')).toThrow(/expected a percentage such as '5%'/);
  });

  it('is breached only when the whole interval of the rate lies above it, and exits 3', () => {
    // 12 of 210: 5.7% [3.0% … 9.8%]
    const checks = checkThresholds(doc('r', [series('youki', 210, 12, 10), series('crun', 210, 0)]), limit('2%'));
    expect(checks.map((c) => [c.kind, c.labels?.runtime, c.outcome.status])).toEqual([
      ['reliability', 'youki', 'failed'],
      ['reliability', 'crun', 'passed'],
    ]);
    expect(checks[0]?.outcome.reason).toBe('youki oci native: 12 of 210 attempts failed (10 hung), 5.7% [3% … 9.8%]: the failure rate is above the 2% allowed');
    expect(checks[0]).toMatchObject({ observed: (12 / 210) * 100, limit: 2, labels: { workload: '*' } });
    expect(checks[1]?.outcome.reason).toBe('crun oci native: 0 of 210 attempts failed, 0% [0% … 1.7%] <= 2%');
    expect(breachExitCode(checks)).toBe(3);
  });

  it('is not checked when the interval straddles it, saying about how many attempts would decide', () => {
    const [check] = checkThresholds(doc('r', [series('youki', 30, 1)]), limit('5%'));
    expect(check?.outcome.status).toBe('skipped');
    expect(check?.outcome.reason).toMatch(/^youki oci native: 1 of 30 attempts failed, 3\.3% \[0\.1% … 17\.2%\]: inconclusive, the interval reaches both sides of 5%; about \d+ attempts would decide$/);
    expect(breachExitCode(checkThresholds(doc('r', [series('youki', 30, 1)]), limit('5%')))).toBeNull();
    // failing 1 time in 30, about 685 attempts put the upper bound at 5%: [2.1% … 5.0%] for 23 of 685
    expect(attemptsToDecide(1, 30, 0.05)).toBe(685);
    // failing 1 time in 3, the lower bound passes 5% within a few more attempts
    expect(attemptsToDecide(1, 3, 0.05)).toBeLessThan(30);
  });

  it("'0%' allows no failure at all", () => {
    expect(checkThresholds(doc('r', [series('youki', 30, 0)]), limit("'0%'"))[0]?.outcome.status).toBe('passed');
    expect(checkThresholds(doc('r', [series('youki', 30, 1)]), limit("'0%'"))[0]?.outcome.status).toBe('failed');
  });

  it('a document without attempt counts is not checked, saying why', () => {
    const checks = checkThresholds(doc('old', null), limit('5%'));
    expect(checks).toEqual([expect.objectContaining({ kind: 'reliability', labels: null, outcome: { status: 'skipped', reason: expect.stringContaining('counts no attempts') } })]);
    expect(breachExitCode(checks)).toBeNull();
  });
});

describe('compare: failure rates', () => {
  const run = (samples: number[]): Measurement => ({
    suite: 'startup',
    metric: 'run',
    unit: 'ns',
    labels: labels('youki'),
    samples,
    failedSamples: 0,
    stats: computeStats(samples),
    notes: {},
  });
  const steady = run(Array.from({ length: 30 }, (_, i) => 10e6 + i * 1e3));

  it('a rate that rose beyond the threshold with significance regressed, and counts as a regression', () => {
    const c = compareDocuments(doc('b', [series('youki', 200, 0)], [steady]), doc('h', [series('youki', 200, 40, 40)], [steady]), { thresholdPercent: 5, alpha: 0.05 });
    expect(c.failureRates).toHaveLength(1);
    const r = c.failureRates[0];
    expect(r).toMatchObject({ runtime: 'youki', verdict: 'regressed', base: { attempts: 200, failures: 0 }, head: { attempts: 200, failures: 40, hangs: 40 } });
    expect(r?.diffPoints).toBeCloseTo(20, 9);
    expect(r?.pValue).toBeLessThan(1e-9);
    expect(c.regressions).toBe(1);
  });

  it('its p-value is adjusted with the measurement rows: one family, one correction', () => {
    const c = compareDocuments(doc('b', [series('youki', 100, 2)], [steady]), doc('h', [series('youki', 100, 9)], [steady]), { thresholdPercent: 5, alpha: 0.05 });
    const r = c.failureRates[0];
    // two tests in the family; the measurement row's p is 1, so Holm doubles the smaller one
    expect(r?.pAdjusted).toBeCloseTo(Math.min(1, (r?.pValue ?? 0) * 2), 12);
    expect(c.rows[0]?.pAdjusted).toBe(1);
  });

  it('no change when the interval of the change lies within ± the threshold in points; inconclusive otherwise, with the attempts that would decide', () => {
    const same = compareDocuments(doc('b', [series('youki', 500, 1)]), doc('h', [series('youki', 500, 2)]), { thresholdPercent: 5, alpha: 0.05 });
    expect(same.failureRates[0]).toMatchObject({ verdict: 'no-change', reason: 'interval within ±5 points' });
    expect(same.noChange).toBe(1);
    const few = compareDocuments(doc('b', [series('youki', 30, 2)]), doc('h', [series('youki', 30, 4)]), { thresholdPercent: 5, alpha: 0.05 });
    expect(few.failureRates[0]?.verdict).toBe('inconclusive');
    expect(few.failureRates[0]?.attemptsToDecide).toBeGreaterThan(30);
  });

  it('a document without attempt counts leaves failure rates out, saying so', () => {
    const c = compareDocuments(doc('old', null, [steady]), doc('h', [series('youki', 100, 2)], [steady]), { thresholdPercent: 5, alpha: 0.05 });
    expect(c.failureRates).toEqual([]);
    expect(c.notComparable).toContainEqual({ key: 'failure rates', reason: 'base counts no attempts (written before runbench counted failures)' });
  });
});
