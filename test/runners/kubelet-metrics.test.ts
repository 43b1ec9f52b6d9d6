/**
 * The kubelet-metrics fallback on real text: two scrapes of the local cluster's kubelet
 * (GET /api/v1/nodes/<node>/proxy/metrics, Kubernetes v1.34.4) taken before and after six pods,
 * three with RuntimeClass handler runc and three with crun; the Prometheus text parser, the
 * histogram differences, and quantiles from buckets (Prometheus's histogram_quantile).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bucketQuantile, histogramDelta, histogramMean, histogramSum } from '../../runners/kubernetes/histogram.ts';
import { seriesFacts, trackedSeries } from '../../runners/kubernetes/kubelet-metrics.ts';
import { histograms, parsePromText, type Histogram } from '../../runners/kubernetes/prom-text.ts';

const scrape = (which: 'before' | 'after') => gunzipSync(readFileSync(new URL(`../fixtures-data/kubelet-metrics-${which}.txt.gz`, import.meta.url))).toString('utf8');
const before = scrape('before');
const after = scrape('after');
const OPS = 'kubelet_runtime_operations_duration_seconds';

/** A sample's value read straight off the text, independently of the parser. */
function rawValue(text: string, line: string, absent?: number): number {
  const l = text.split('\n').find((x) => x.startsWith(`${line} `));
  if (!l && absent !== undefined) return absent;
  if (!l) throw new Error(`no line ${line}`);
  return Number(l.slice(line.length + 1));
}

const hist = (le: number[], counts: number[], sum = 0): Histogram => ({
  labels: {},
  buckets: le.map((x, i) => ({ le: x, count: counts[i] ?? 0 })),
  sum,
  count: counts[counts.length - 1] ?? 0,
});

describe('the Prometheus text format', () => {
  it("reads a whole page of the kubelet's metrics, every sample line and every declared type", () => {
    const page = parsePromText(after);
    const sampleLines = after.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    expect(page.samples).toHaveLength(sampleLines.length);
    expect(page.types[OPS]).toBe('histogram');
    expect(page.types.kubelet_running_pods).toBe('gauge');
    // a gauge the kubelet exports as +Inf
    expect(page.samples.find((s) => s.name === 'rest_client_exec_plugin_ttl_seconds')?.value).toBe(Number.POSITIVE_INFINITY);
    const start = page.samples.find((s) => s.name === `${OPS}_count` && s.labels.operation_type === 'start_container');
    expect(start?.value).toBe(rawValue(after, `${OPS}_count{operation_type="start_container"}`));
  });

  it('reads escaped label values and timestamps, and refuses a line that is not the format with its number', () => {
    const page = parsePromText('# TYPE x counter\nx{a="q\\"uote",b="back\\\\slash",c="new\\nline"} 3 1700000000000\ny -Inf\nz NaN\n');
    expect(page.samples[0]).toEqual({ name: 'x', labels: { a: 'q"uote', b: 'back\\slash', c: 'new\nline' }, value: 3 });
    expect(page.samples[1]?.value).toBe(Number.NEGATIVE_INFINITY);
    expect(page.samples[2]?.value).toBeNaN();
    expect(() => parsePromText('ok 1\nbad{a="x"} one\n')).toThrow(/line 2 .*'one' is not a value/);
    expect(() => parsePromText('ok 1\nbad{a="x} 1\n')).toThrow(/line 2 .*unterminated/);
    expect(() => parsePromText('9bad 1\n')).toThrow(/not a metric name/);
  });

  it("gives each histogram series its cumulative buckets, +Inf last and equal to _count", () => {
    const series = histograms(parsePromText(after), OPS);
    const start = series.find((h) => h.labels.operation_type === 'start_container');
    expect(start?.buckets.map((b) => b.le).slice(0, 3)).toEqual([0.005, 0.0125, 0.03125]);
    expect(start?.buckets.at(-1)).toEqual({ le: Number.POSITIVE_INFINITY, count: start?.count });
    expect(start?.sum).toBe(rawValue(after, `${OPS}_sum{operation_type="start_container"}`));
    expect(() => histograms(parsePromText(after), 'kubelet_running_pods')).toThrow(/gauge, not a histogram/);
    expect(() => histograms(parsePromText('h_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'), 'h')).toThrow(/not cumulative/);
  });
});

describe('quantiles from buckets', () => {
  it("interpolates inside the bucket the rank falls in, as histogram_quantile does", () => {
    const h = hist([1, 2, 4, Number.POSITIVE_INFINITY], [2, 6, 10, 10]);
    expect(bucketQuantile(h, 0.5)).toEqual({ q: 0.5, estimate: 1.75, lower: 1, upper: 2 });
    expect(bucketQuantile(h, 0.99)?.estimate).toBeCloseTo(3.95, 12);
    expect(bucketQuantile(h, 0.99)).toMatchObject({ lower: 2, upper: 4 });
    // the first bucket starts at 0
    expect(bucketQuantile(hist([1, Number.POSITIVE_INFINITY], [4, 4]), 0.5)).toEqual({ q: 0.5, estimate: 0.5, lower: 0, upper: 1 });
    // in the +Inf bucket: the highest finite bound, and an unbounded bucket
    expect(bucketQuantile(hist([1, Number.POSITIVE_INFINITY], [1, 2]), 0.99)).toEqual({ q: 0.99, estimate: 1, lower: 1, upper: Number.POSITIVE_INFINITY });
    expect(bucketQuantile(hist([1, Number.POSITIVE_INFINITY], [0, 0]), 0.5)).toBeNull();
  });

  it("takes the observations between two real scrapes: the difference of each bucket, _sum and _count", () => {
    const b = trackedSeries(before, 'crun');
    const a = trackedSeries(after, 'crun');
    const name = `${OPS}{operation_type="start_container"}`;
    const d = histogramDelta(b.get(name), a.get(name) as Histogram);
    const count = rawValue(after, `${OPS}_count{operation_type="start_container"}`) - rawValue(before, `${OPS}_count{operation_type="start_container"}`, 0);
    expect(count).toBe(6); // the six pods
    expect(d.count).toBe(count);
    expect(d.buckets.at(-1)?.count).toBe(count);
    expect(histogramMean(d)).toBeCloseTo((rawValue(after, `${OPS}_sum{operation_type="start_container"}`) - rawValue(before, `${OPS}_sum{operation_type="start_container"}`, 0)) / count, 12);
    for (const q of [0.5, 0.95, 0.99]) {
      const e = bucketQuantile(d, q);
      expect(e).not.toBeNull();
      expect(e?.estimate).toBeGreaterThan(e?.lower ?? Number.NaN);
      expect(e?.estimate).toBeLessThanOrEqual(e?.upper ?? Number.NaN);
      // (a series the kubelet had not observed yet is absent from the first scrape: no observation)
    // the rank's observation is in that bucket: fewer than q*n at or below its lower bound, at least q*n at or below its upper
      const at = (le: number) => d.buckets.find((x) => x.le === le)?.count ?? 0;
      expect(at(e?.lower ?? 0)).toBeLessThan(q * count);
      expect(at(e?.upper ?? 0)).toBeGreaterThanOrEqual(q * count);
    }
    // two windows add up
    expect(histogramSum(d, d).count).toBe(2 * count);
  });

  it('refuses a difference whose counts went down (a restarted kubelet) or whose buckets changed', () => {
    const a = hist([1, Number.POSITIVE_INFINITY], [3, 5], 2);
    expect(() => histogramDelta(a, hist([1, Number.POSITIVE_INFINITY], [1, 2], 1))).toThrow(/went down/);
    expect(() => histogramDelta(a, hist([2, Number.POSITIVE_INFINITY], [3, 6], 3))).toThrow(/buckets changed/);
    expect(histogramDelta(undefined, a)).toEqual(a);
  });
});

describe("the kubelet's histograms as facts", () => {
  const b = trackedSeries(before, 'crun');
  const a = trackedSeries(after, 'crun');
  const delta = (n: string) => histogramDelta(b.get(n), a.get(n) as Histogram);
  const sandboxOps = delta(`${OPS}{operation_type="run_podsandbox"}`);

  it('keeps the startup operations and the handler series of this RuntimeClass only', () => {
    expect([...a.keys()].sort()).toEqual([
      'kubelet_run_podsandbox_duration_seconds{runtime_handler="crun"}',
      `${OPS}{operation_type="create_container"}`,
      `${OPS}{operation_type="run_podsandbox"}`,
      `${OPS}{operation_type="start_container"}`,
    ]);
  });

  it('labels every quantile with the bucket it lies in and its source, and the mean as exact', () => {
    const facts = seriesFacts(`${OPS}{operation_type="start_container"}`, delta(`${OPS}{operation_type="start_container"}`), 'SOURCE');
    expect(facts.map((f) => f.name.replace(/^.*\} /, ''))).toEqual(['count', 'mean (s)', 'P50 (s)', 'P95 (s)', 'P99 (s)']);
    expect(facts[0]?.value).toBe(6);
    for (const f of facts.slice(2)) expect(f.detail).toMatch(/^resolution: the bucket \([\d.]+, [\d.]+\] s; .*SOURCE$/);
    expect(facts[1]?.detail).toMatch(/^exact: /);
  });

  it("says the handler-labelled RunPodSandbox histogram times nothing when it is a hundredth of the same pods' CRI call", () => {
    const name = 'kubelet_run_podsandbox_duration_seconds{runtime_handler="crun"}';
    const d = delta(name);
    expect(d.count).toBe(3);
    expect(histogramMean(d)).toBeLessThan(0.001);
    const facts = seriesFacts(name, d, 'SOURCE', sandboxOps);
    expect(facts.map((f) => f.name.replace(/^.*\} /, ''))).toEqual(['count', 'mean (s)']);
    expect(facts[1]?.detail).toMatch(/not a duration of RunPodSandbox.*instrumented_services\.go:184/);
    // the same with several nodes, where a series is named after its node too
    expect(seriesFacts(`node-a/${name}`, d, 'SOURCE', sandboxOps)[1]?.detail).toMatch(/^not a duration/);
  });
});
