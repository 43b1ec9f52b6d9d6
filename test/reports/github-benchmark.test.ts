import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { UserError } from '../../core/errors.ts';
import type { ResultsDocument } from '../../core/schema.ts';
import { benchmarkEntries, toBenchmarkBigger, toBenchmarkSmaller } from '../../reports/github-benchmark.ts';
import { loadFixture } from './fixtures.ts';
import { hostileDoc } from './hostile.ts';

/**
 * What github-action-benchmark accepts for customSmallerIsBetter / customBiggerIsBetter (its
 * src/extract.ts), made strict: the tool coerces, so a null value would silently become 0.
 */
const Entry = z.strictObject({
  name: z.string().min(1),
  unit: z.string().min(1),
  value: z.number().refine(Number.isFinite),
  range: z.string().optional(),
  extra: z.string().optional(),
});
const Entries = z.array(Entry);

function parse(text: string) {
  return Entries.parse(JSON.parse(text));
}

describe('github-action-benchmark exporter', () => {
  const doc = loadFixture('single-host.json');

  it('times and sizes go to smaller-is-better, rates to bigger-is-better, each measurement once', () => {
    const smaller = parse(toBenchmarkSmaller([doc]));
    const bigger = parse(toBenchmarkBigger([doc]));
    // 3 lifecycle + 2 create + 2 runtimePeakRssBytes; 2 cpuIntOpsPerSec + 2 churn
    expect(smaller.map((e) => e.unit).sort()).toEqual(['MiB', 'MiB', 'ms', 'ms', 'ms', 'ms', 'ms']);
    expect(bigger.map((e) => e.unit).sort()).toEqual(['containers/s', 'containers/s', 'ops/s', 'ops/s']);
    expect(smaller.length + bigger.length).toBe(doc.measurements.length);
  });

  it('the median in a stable unit, its interval as the range, n, p95 and the version in extra', () => {
    const smaller = parse(toBenchmarkSmaller([doc]));
    const crun = smaller.find((e) => e.name === 'oci/startup/lifecycle/hello/native/amd64/crun');
    expect(crun).toMatchObject({ unit: 'ms', value: 21.2 });
    expect(crun?.range).toMatch(/^95% CI 20\.65 … 22\.3$/);
    expect(crun?.extra).toBe('median of 6 samples\np95 22.60 ms, min 20.50 ms, max 22.90 ms\ncrun 1.8.1 on ci-x86, run 20261101aaaaaa');
    const rss = smaller.find((e) => e.name === 'oci/memory/runtimePeakRssBytes/hello/native/amd64/crun');
    expect(rss).toMatchObject({ unit: 'MiB', value: 3 });
    const churn = parse(toBenchmarkBigger([doc])).find((e) => e.name === 'oci/throughput/churnContainersPerSec/hello/native/amd64/crun');
    expect(churn).toMatchObject({ unit: 'containers/s', value: 41.05 });
  });

  it('names are unique and the same whatever order the document lists its measurements in', () => {
    const names = [...benchmarkEntries([doc], 'smaller'), ...benchmarkEntries([doc], 'bigger')].map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    const shuffled = structuredClone(doc);
    shuffled.measurements.reverse();
    expect(toBenchmarkSmaller([shuffled])).toBe(toBenchmarkSmaller([doc]));
    expect(toBenchmarkBigger([shuffled])).toBe(toBenchmarkBigger([doc]));
  });

  it('with several hosts the host ends each name; one series twice is refused', () => {
    const both = parse(toBenchmarkSmaller([doc, loadFixture('arm64-emulated.json')]));
    expect(both.some((e) => e.name === 'oci/startup/lifecycle/hello/native/amd64/crun@ci-x86')).toBe(true);
    expect(both.some((e) => e.name.startsWith('oci/startup/lifecycle/hello/native/arm64-emulated/crun@build-02'))).toBe(true);
    expect(() => toBenchmarkSmaller([doc, structuredClone(doc)])).toThrow(UserError);
    expect(() => toBenchmarkSmaller([doc, structuredClone(doc)])).toThrow(
      'run 20261101aaaaaa measures oci/startup/lifecycle runc hello (native, amd64) on ci-x86 twice: export one document per host',
    );
  });

  it('hostile names: every character survives in JSON, the separators are encoded, names stay distinct', () => {
    const d = hostileDoc();
    const [a, b] = d.measurements.filter((m) => m.metric === 'lifecycle');
    if (!a || !b) throw new Error('fixture has no lifecycle');
    a.labels.runtime = 'x/y';
    a.labels.workload = 'say "hi"\nthen | pipe % and @';
    b.labels.runtime = 'y';
    b.labels.workload = 'say "hi"\nthen | pipe % and @';
    b.labels.arch = 'amd64/x';
    const out = parse(toBenchmarkSmaller([d]));
    const names = out.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) {
      expect(n.split('/')).toHaveLength(7);
      expect(n).not.toMatch(/[\u0000-\u001f\u2028\u2029]/);
    }
    expect(names).toContain('oci/startup/lifecycle/say "hi"%0Athen | pipe %25 and %40/native/amd64/x%2Fy');
    expect(names).toContain('oci/startup/lifecycle/say "hi"%0Athen | pipe %25 and %40/native/amd64%2Fx/y');
    // the segments decode back to the labels
    expect(decodeURIComponent(names.find((n) => n.endsWith('x%2Fy'))?.split('/')[3] ?? '')).toBe('say "hi"\nthen | pipe % and @');
    expect(out.some((e) => e.extra?.includes('<img src=x onerror="window.pwned=1">'))).toBe(true);
  });

  it('no value, no entry: null stats and a NaN median are left out, a NaN p95 reads n/a', () => {
    const d: ResultsDocument = structuredClone(doc);
    const [noStats, nanMedian, nanP95] = d.measurements.filter((m) => m.unit === 'ns');
    if (!noStats || !nanMedian || !nanP95) throw new Error('fixture has too few timings');
    Object.assign(noStats, { samples: [], failedSamples: 6, stats: null });
    if (nanMedian.stats) nanMedian.stats.median = Number.NaN;
    if (nanP95.stats) {
      nanP95.stats.p95 = Number.NaN;
      nanP95.stats.ci95Median = [Number.NaN, Number.NaN];
    }
    const text = toBenchmarkSmaller([d]);
    expect(text).not.toMatch(/NaN|null|Infinity/);
    const out = parse(text);
    expect(out).toHaveLength(5);
    const p95 = out.find((e) => e.extra?.includes('p95 n/a'));
    expect(p95).toBeDefined();
    expect(p95?.range).toBeUndefined();
  });

  it('an empty document gives an empty array', () => {
    const d: ResultsDocument = { ...structuredClone(doc), measurements: [] };
    expect(toBenchmarkSmaller([d])).toBe('[]\n');
    expect(toBenchmarkBigger([])).toBe('[]\n');
  });
});
