/** Thresholds as pure functions of a results document (and a baseline for relative bounds). */
import { describe, expect, it } from 'vitest';
import { parseConfigText, resolveConfig, type ResolvedThresholds } from '../../core/config/index.ts';
import type { ConformanceResult, Labels, Measurement, ResultsDocument } from '../../core/schema.ts';
import { computeStats } from '../../core/stats.ts';
import { breachExitCode, breaches, checkThresholds } from '../../core/thresholds.ts';
import { SUITES } from '../../suites/index.ts';
import { fakeHost } from '../helpers/pipeline.ts';

function labels(runtime: string, host = 'night-1'): Labels {
  return { runtime, layer: 'oci', workload: 'hello', workloadKind: 'native', arch: 'amd64', emulated: false, host, engine: 'none', engineMode: 'none' };
}

function measurement(runtime: string, metric: string, samples: number[], host?: string): Measurement {
  const suite = metric.startsWith('cpu') ? 'throughput' : 'startup';
  return {
    suite,
    metric,
    unit: metric.startsWith('cpu') ? 'ops/s' : 'ns',
    labels: labels(runtime, host),
    samples,
    failedSamples: 0,
    stats: computeStats(samples),
    notes: {},
  };
}

function doc(runId: string, measurements: Measurement[], conformance: ConformanceResult[] = []): ResultsDocument {
  return {
    schemaVersion: 1,
    tool: { name: 'runbench', version: '0.1.0', commit: null },
    invocation: null,
    runId,
    startedAt: '2025-01-01T00:00:00Z',
    finishedAt: '2025-01-01T00:01:00Z',
    host: fakeHost,
    runtimes: [],
    parameters: { suites: ['startup'], runtimes: ['runc', 'crun'], layers: ['oci'], runs: 5, warmup: 0, concurrency: 1, churnContainers: 1 },
    config: { digest: 'sha256:x', resolved: {} },
    harness: null,
    measurements,
    facts: [],
    suiteRuns: [],
    conformance,
  };
}

function thresholds(yaml: string): ResolvedThresholds {
  return resolveConfig(parseConfigText(yaml, 't.yaml'), {}, { suites: SUITES, hostArch: 'amd64' }).config.thresholds;
}

const ms = (x: number) => x * 1e6;
const crunFast = measurement('crun', 'run', [ms(9), ms(10), ms(11), ms(10), ms(30)]);
const runcSlow = measurement('runc', 'run', [ms(40), ms(42), ms(41), ms(43), ms(44)]);

describe('absolute thresholds', () => {
  const t = thresholds('thresholds:\n  metrics:\n    - { metric: startup.run, runtime: crun, stat: p95, max: 20ms }\n');

  it('a P95 over the limit is a breach with a message naming the figure, the value and the limit', () => {
    const checks = checkThresholds(doc('n2', [crunFast, runcSlow]), t);
    expect(checks).toHaveLength(1);
    const [b] = breaches(checks);
    expect(b?.outcome.status).toBe('failed');
    expect(b?.outcome.reason).toMatch(/^startup\.run p95 for crun oci hello native is \d+\.\d\d ms, above the limit of 20\.00 ms$/);
    expect(b?.labels?.runtime).toBe('crun');
    expect(b?.limit).toBe(20e6);
    expect(breachExitCode(checks)).toBe(3);
  });

  it('within the limit it passes', () => {
    const ok = measurement('crun', 'run', [ms(9), ms(10), ms(11), ms(10), ms(12)]);
    const checks = checkThresholds(doc('n2', [ok]), t);
    expect(checks.map((c) => c.outcome.status)).toEqual(['passed']);
    expect(breachExitCode(checks)).toBeNull();
  });

  it('a lower bound on a rate breaches below it', () => {
    const rate = measurement('crun', 'cpuIntOpsPerSec', [1e8, 1.1e8, 0.9e8]);
    const checks = checkThresholds(doc('n2', [rate]), thresholds('thresholds:\n  metrics:\n    - { metric: throughput.cpuIntOpsPerSec, min: 500000000 }\n'));
    expect(breaches(checks)[0]?.outcome.reason).toContain('below the limit of 500.00 M/s');
  });

  it('a threshold no measurement matches is skipped with the reason, not passed', () => {
    const checks = checkThresholds(doc('n2', [runcSlow]), t);
    expect(checks).toEqual([
      expect.objectContaining({ outcome: { status: 'skipped', reason: 'no startup.run measurement in this run matches the threshold' } }),
    ]);
    expect(breachExitCode(checks)).toBeNull();
  });

  it('applies to every matching runtime when none is named', () => {
    const all = thresholds('thresholds:\n  metrics:\n    - { metric: startup.run, max: 35ms }\n');
    const checks = checkThresholds(doc('n2', [crunFast, runcSlow]), all);
    expect(checks.map((c) => [c.labels?.runtime, c.outcome.status])).toEqual([
      ['crun', 'passed'],
      ['runc', 'failed'],
    ]);
  });
});

describe('relative thresholds against a baseline: judged as compare judges a row', () => {
  const t = thresholds('thresholds:\n  metrics:\n    - { metric: startup.run, stat: p50, maxRegression: 5% }\n');
  /** eight samples within ±1% of centre ms, in a fixed order */
  const around = (centre: number) => [0, 0.4, -0.6, 0.8, -0.2, 1, -1, 0.2].map((d) => ms(centre * (1 + d / 100)));
  const before = doc('night-1', [measurement('runc', 'run', around(40), 'other-host')]);

  it('a median 10% slower than the baseline breaches a 5% bound, whatever host the baseline ran on', () => {
    const after = doc('night-2', [measurement('runc', 'run', around(44))]);
    const [c] = checkThresholds(after, t, before);
    expect(c?.outcome.status).toBe('failed');
    expect(c?.outcome.reason).toMatch(
      /^startup\.run median for runc oci hello native regressed 10\.0% against night-1 \(40\.\d\d ms -> 44\.\d\d ms, \+10\.0%, p = 0\.0002\), more than the 5\.0% allowed$/,
    );
    expect(c?.baseline).toBe(ms(40.04)); // the median of the baseline samples
  });

  it('a change shown to lie within the bound passes, and so does an improvement', () => {
    const same = doc('night-2', [measurement('runc', 'run', around(40.2))]);
    const faster = doc('night-2', [measurement('runc', 'run', around(20))]);
    expect(checkThresholds(same, t, before)[0]?.outcome).toMatchObject({ status: 'passed', reason: expect.stringMatching(/: no change$/) });
    expect(checkThresholds(faster, t, before)[0]?.outcome).toMatchObject({ status: 'passed', reason: expect.stringMatching(/: improved$/) });
  });

  it('three samples a side cannot show a regression: not checked, saying how many would', () => {
    const three = (x: number) => doc('night', [measurement('runc', 'run', [ms(x), ms(x), ms(x)])]);
    const [c] = checkThresholds(three(44), t, three(40));
    expect(c?.outcome).toEqual({
      status: 'skipped',
      reason:
        'startup.run median for runc oci hello native: inconclusive against night (40.00 ms -> 44.00 ms, +10.0%): too few samples: 3 and 3 give no p below 0.1000; about 4 samples a side would decide',
    });
  });

  it('for a rate, a drop is the regression', () => {
    const rt = thresholds('thresholds:\n  metrics:\n    - { metric: throughput.cpuIntOpsPerSec, maxRegression: 10% }\n');
    const rate = (x: number) => around(x).map((v) => v / 1e6);
    const base = doc('night-1', [measurement('runc', 'cpuIntOpsPerSec', rate(1e9))]);
    const drop = doc('night-2', [measurement('runc', 'cpuIntOpsPerSec', rate(0.8e9))]);
    const rise = doc('night-2', [measurement('runc', 'cpuIntOpsPerSec', rate(1.5e9))]);
    expect(checkThresholds(drop, rt, base)[0]?.outcome.reason).toMatch(/regressed 20\.0%/);
    expect(checkThresholds(rise, rt, base)[0]?.outcome.status).toBe('passed');
  });

  it('the p-values of every relative check of a run are adjusted together, as compare adjusts its rows', () => {
    const all = thresholds('thresholds:\n  metrics:\n    - { metric: startup.run, maxRegression: 5% }\n');
    const runtimes = Array.from({ length: 20 }, (_, i) => `rt${i}`);
    // five a side, completely apart, 50% slower: p = 2 / C(10, 5) alone, 20 times that among 20 checks
    const five = (x: number) => [0, 0.4, -0.6, 0.8, -0.2].map((d) => ms(x * (1 + d / 100)));
    const base = doc(
      'night-1',
      runtimes.map((r) => measurement(r, 'run', five(40))),
    );
    const head = doc(
      'night-2',
      runtimes.map((r, i) => measurement(r, 'run', i === 0 ? five(60) : five(40))),
    );
    const one = checkThresholds(doc('n', [measurement('rt0', 'run', five(60))]), all, base);
    expect(one[0]?.outcome.status).toBe('failed');
    const twenty = checkThresholds(head, all, base);
    expect(twenty[0]?.outcome.status).toBe('skipped');
    expect(twenty[0]?.outcome.reason).toContain('adjusted p ≥ 0.05');
  });

  it('without a baseline, or with no counterpart in it, the check is skipped with the reason', () => {
    const after = doc('night-2', [measurement('crun', 'run', [ms(44)])]);
    expect(checkThresholds(after, t)[0]?.outcome).toEqual({
      status: 'skipped',
      reason: 'startup.run median for crun oci hello native: no baseline results to compare with',
    });
    expect(checkThresholds(after, t, before)[0]?.outcome).toEqual({
      status: 'skipped',
      reason: 'startup.run median for crun oci hello native: not in the baseline run night-1',
    });
  });
});

describe('conformance thresholds', () => {
  const mustFail: ConformanceResult = {
    checkId: 'process.cwd',
    area: 'process',
    title: 'cwd is honoured',
    specRef: 'config.md#process',
    level: 'MUST',
    labels: labels('crun'),
    outcome: { status: 'failed', reason: 'cwd was /' },
  };
  const t = thresholds('thresholds:\n  conformance: { maxMustFailures: 0 }\n');

  it('one failed MUST check breaches "none allowed" and exits 4', () => {
    const checks = checkThresholds(doc('n', [], [mustFail]), t);
    expect(breaches(checks)[0]?.outcome.reason).toBe('1 MUST conformance check(s) failed, 0 allowed: process.cwd (crun)');
    expect(breachExitCode(checks)).toBe(4);
  });

  it('no failure passes; SHOULD failures do not count against MUST', () => {
    const should = { ...mustFail, level: 'SHOULD' as const };
    expect(breachExitCode(checkThresholds(doc('n', [], [should]), t))).toBeNull();
  });
});
