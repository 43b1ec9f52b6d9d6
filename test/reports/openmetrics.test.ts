import { describe, expect, it } from 'vitest';
import { UserError } from '../../core/errors.ts';
import type { ResultsDocument } from '../../core/schema.ts';
import { familyName, labelValue, snake, toOpenMetrics } from '../../reports/openmetrics.ts';
import { checkOpenMetrics, type ParsedFamily, parseWithPrometheusClient, prometheusPython } from '../helpers/openmetrics.ts';
import { needs } from '../helpers/require.ts';
import { loadFixture } from './fixtures.ts';
import { hostileDoc } from './hostile.ts';

const doc = loadFixture('single-host.json');

function family(fs: readonly ParsedFamily[], name: string): ParsedFamily {
  const f = fs.find((x) => x.name === name);
  if (!f) throw new Error(`no family ${name} among ${fs.map((x) => x.name).join(', ')}`);
  return f;
}

/** A document whose strings break every escape: quotes, backslashes, line breaks, pipes, braces. */
function hostile(): ResultsDocument {
  const d = hostileDoc();
  const m = d.measurements[0];
  if (!m) throw new Error('fixture has no measurement');
  m.labels.runtime = 'run"c\\ \n|pipe|{x="1"} \r\n end';
  m.labels.workload = 'hel\\"lo';
  for (const r of d.suiteRuns) r.suite = `${r.suite}\n# EOF`;
  return d;
}

describe('OpenMetrics exporter', () => {
  it('a summary per metric in base units, with median, p95, p99, count and sum per label set', () => {
    const fs = checkOpenMetrics(toOpenMetrics([doc]));
    const f = family(fs, 'runbench_startup_lifecycle_seconds');
    expect(f).toMatchObject({ type: 'summary', unit: 'seconds' });
    const crun = { runtime: 'crun', layer: 'oci', arch: 'amd64', workload: 'hello', kind: 'native', emulated: 'false', host: 'ci-x86' };
    const at = (name: string, extra: Record<string, string> = {}) =>
      f.samples.find((s) => s.name === name && JSON.stringify(s.labels) === JSON.stringify({ ...crun, ...extra }))?.value;
    expect(at('runbench_startup_lifecycle_seconds', { quantile: '0.5' })).toBeCloseTo(0.0212, 12);
    expect(at('runbench_startup_lifecycle_seconds_count')).toBe(6);
    const m = doc.measurements.find((x) => x.metric === 'lifecycle' && x.labels.runtime === 'crun' && x.labels.workloadKind === 'native');
    expect(at('runbench_startup_lifecycle_seconds_sum')).toBeCloseTo((m?.samples.reduce((a, b) => a + b, 0) ?? 0) / 1e9, 12);
    expect(f.samples.filter((s) => s.labels.quantile !== undefined).map((s) => s.labels.quantile)).toEqual(Array(3).fill(['0.5', '0.95', '0.99']).flat());
    expect(family(fs, 'runbench_memory_runtime_peak_rss_bytes')).toMatchObject({ type: 'summary', unit: 'bytes' });
    // rates: a per_second name, no UNIT (not a base unit)
    expect(family(fs, 'runbench_throughput_churn_containers_per_second')).toMatchObject({ type: 'summary', unit: '' });
    expect(family(fs, 'runbench_throughput_cpu_int_ops_per_second').samples.length).toBe(2 * 5);
  });

  it("each suite run's status, the runtimes' versions, conformance counts and when the run finished", () => {
    const fs = checkOpenMetrics(toOpenMetrics([doc]));
    const status = family(fs, 'runbench_suite_run_status').samples.filter((s) => s.labels.runtime === 'youki' && s.labels.suite === 'throughput');
    expect(Object.fromEntries(status.map((s) => [s.labels.status, s.value]))).toEqual({ passed: 0, failed: 0, skipped: 0, errored: 1 });
    expect(family(fs, 'runbench_runtime_info').samples.map((s) => [s.labels.runtime, s.labels.version, s.labels.status])).toEqual([
      ['crun', '1.8.1', 'ok'],
      ['runc', '1.1.5', 'ok'],
      ['youki', '', 'missing'],
    ]);
    const conf = family(fs, 'runbench_conformance_checks').samples;
    expect(conf.reduce((a, s) => a + s.value, 0)).toBe(doc.conformance.length);
    expect(family(fs, 'runbench_run_finished_timestamp_seconds')).toMatchObject({ unit: 'seconds', samples: [{ value: Date.parse(doc.finishedAt) / 1000 }] });
    expect(family(fs, 'runbench_failed_samples').samples).toHaveLength(doc.measurements.length);
  });

  it('metric ids become names with the unit suffix last', () => {
    expect(snake('runtimePeakRssBytes')).toBe('runtime_peak_rss_bytes');
    expect(snake('cpuSha256MibPerSec')).toBe('cpu_sha256_mib_per_sec');
    expect(snake('HTTPServer')).toBe('http_server');
    expect(familyName('startup', 'run', 'ns')).toBe('runbench_startup_run_seconds');
    expect(familyName('memory', 'runtimePeakRssBytes', 'bytes')).toBe('runbench_memory_runtime_peak_rss_bytes');
    expect(familyName('throughput', 'cpuIntOpsRatioToHost', 'ratio')).toBe('runbench_throughput_cpu_int_ops_to_host_ratio');
    expect(familyName('throughput', 'cpuIntOpsPerSec', 'ops/s')).toBe('runbench_throughput_cpu_int_ops_per_second');
    expect(familyName('density', 'densityPods', 'count')).toBe('runbench_density_density_pods');
    // a name that would read as another type's sample
    expect(familyName('density', 'podCount', 'count')).toBe('runbench_density_pod_count_value');
    expect(familyName('a b', 'ü"x', 'ns')).toBe('runbench_a_b_x_seconds');
  });

  it('two metrics that would share a name, or take a fixed one, get distinct names', () => {
    const d: ResultsDocument = structuredClone(doc);
    const [a, b, c] = d.measurements;
    if (!a || !b || !c) throw new Error('fixture too small');
    a.metric = 'fooBar';
    b.metric = 'foo_bar';
    Object.assign(c, { suite: 'failed', metric: 'samples', unit: 'count' });
    const fs = checkOpenMetrics(toOpenMetrics([d]));
    const names = fs.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.filter((n) => /^runbench_startup_foo_bar_[0-9a-f]{8}_seconds$/.test(n))).toHaveLength(2);
    expect(names.some((n) => /^runbench_failed_samples_[0-9a-f]{8}$/.test(n))).toBe(true);
    expect(family(fs, 'runbench_failed_samples').type).toBe('gauge');
  });

  it('hostile label values are escaped and read back unchanged (a carriage return as a line feed)', () => {
    const text = toOpenMetrics([hostile()]);
    const fs = checkOpenMetrics(text);
    const runtimes = fs.flatMap((f) => f.samples.map((s) => s.labels.runtime));
    expect(runtimes).toContain('run"c\\ \n|pipe|{x="1"} \n end');
    expect(runtimes).toContain('runc<img src=x onerror="window.pwned=1">');
    expect(fs.flatMap((f) => f.samples.map((s) => s.labels.workload))).toContain('hel\\"lo');
    expect(text.split('\n').filter((l) => l === '# EOF')).toHaveLength(1);
    expect(labelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
  });

  it('no value: no quantiles, count and sum 0; a NaN quantile is written as NaN; negative figures and NaN sums are left out', () => {
    const d: ResultsDocument = structuredClone(doc);
    const [none, nan, negative] = d.measurements.filter((m) => m.metric === 'lifecycle');
    if (!none || !nan || !negative) throw new Error('fixture has no lifecycle');
    Object.assign(none, { samples: [], failedSamples: 6, stats: null });
    if (nan.stats) nan.stats.p99 = Number.NaN;
    nan.samples = [...nan.samples.slice(1), Number.NaN];
    negative.samples = negative.samples.map((x) => -x);
    if (negative.stats) Object.assign(negative.stats, { median: -1, p95: -1, p99: 2 });
    const f = family(checkOpenMetrics(toOpenMetrics([d])), 'runbench_startup_lifecycle_seconds');
    const of = (runtime: string, kind: string) => f.samples.filter((s) => s.labels.runtime === runtime && s.labels.kind === kind);
    const [r1, r2, r3] = [none, nan, negative].map((m) => of(m.labels.runtime, m.labels.workloadKind));
    expect(r1?.map((s) => [s.name, s.value])).toEqual([
      ['runbench_startup_lifecycle_seconds_sum', 0],
      ['runbench_startup_lifecycle_seconds_count', 0],
    ]);
    expect(r2?.find((s) => s.labels.quantile === '0.99')?.value).toBeNaN();
    expect(r2?.some((s) => s.name.endsWith('_sum'))).toBe(false);
    expect(r3?.map((s) => s.labels.quantile ?? s.name)).toEqual(['0.99', 'runbench_startup_lifecycle_seconds_count']);
    expect(toOpenMetrics([d])).toContain(' NaN\n');
  });

  it('an empty document: only the run; no document: only # EOF', () => {
    const empty: ResultsDocument = { ...structuredClone(doc), measurements: [], suiteRuns: [], conformance: [], runtimes: [] };
    expect(checkOpenMetrics(toOpenMetrics([empty])).map((f) => f.name)).toEqual(['runbench_run_finished_timestamp_seconds']);
    expect(toOpenMetrics([])).toBe('# EOF\n');
  });

  it('one series twice is refused; two hosts are told apart by the host label', () => {
    expect(() => toOpenMetrics([doc, structuredClone(doc)])).toThrow(UserError);
    const fs = checkOpenMetrics(toOpenMetrics([doc, loadFixture('arm64-emulated.json')]));
    expect(new Set(family(fs, 'runbench_startup_lifecycle_seconds').samples.map((s) => s.labels.host))).toEqual(new Set(['ci-x86', 'build-02']));
  });

  it('the hand check rejects what breaks the grammar', () => {
    const ok = '# HELP x_seconds help\n# TYPE x_seconds gauge\n# UNIT x_seconds seconds\nx_seconds{a="1"} 1\n# EOF\n';
    expect(checkOpenMetrics(ok)).toHaveLength(1);
    const bad = [
      ok.replace('# EOF\n', ''),
      ok.replace('# EOF\n', '# EOF\n\n'),
      ok.replace('UNIT x_seconds seconds', 'UNIT x_seconds bytes'),
      ok.replace('{a="1"}', '{a="1\\t"}'),
      ok.replace('{a="1"}', '{a="1",a="2"}'),
      ok.replace('x_seconds{a="1"} 1', 'x_seconds{a="1"} 1\nx_seconds{a="1"} 2'),
      ok.replace('x_seconds{a="1"} 1', 'y{a="1"} 1'),
      ok.replace(' 1\n', ' one\n'),
      ok.replace('help', 'say "help"'),
      ok.replace('gauge', 'stateset'),
    ];
    for (const text of bad) expect(() => checkOpenMetrics(text), text).toThrow();
  });
});

const prom = prometheusPython();
needs('prometheus-client', prom.why).describe("OpenMetrics exporter through prometheus_client's parsers", () => {
  const python = prom.python ?? 'python3';

  it('the fixture, two hosts and the hostile document parse as OpenMetrics and as the Prometheus text the Pushgateway reads', () => {
    for (const docs of [[doc], [doc, loadFixture('arm64-emulated.json')], [hostile()], []]) {
      const text = toOpenMetrics(docs);
      const mine = checkOpenMetrics(text);
      const theirs = parseWithPrometheusClient(python, text);
      const count = (fs: ParsedFamily[]) => fs.reduce((a, f) => a + f.samples.length, 0);
      expect(count(theirs.openmetrics)).toBe(count(mine));
      expect(count(theirs.prometheus)).toBe(count(mine));
      expect(theirs.openmetrics.map((f) => [f.name, f.type, f.unit])).toEqual(mine.map((f) => [f.name, f.type, f.unit]));
    }
  });

  it('label values and figures read back as written', () => {
    const theirs = parseWithPrometheusClient(python, toOpenMetrics([hostile()])).openmetrics;
    const runtimes = theirs.flatMap((f) => f.samples.map((s) => s.labels.runtime));
    expect(runtimes).toContain('run"c\\ \n|pipe|{x="1"} \n end');
    const f = family(parseWithPrometheusClient(python, toOpenMetrics([doc])).openmetrics, 'runbench_startup_lifecycle_seconds');
    const median = f.samples.find((s) => s.labels.runtime === 'crun' && s.labels.kind === 'native' && s.labels.quantile === '0.5');
    expect(median?.value).toBeCloseTo(0.0212, 12);
  });

  it('the parser refuses what the hand check refuses (the check is no weaker)', () => {
    const ok = '# HELP x_seconds help\n# TYPE x_seconds summary\n# UNIT x_seconds seconds\nx_seconds{quantile="0.5"} 1\nx_seconds_count 1\n# EOF\n';
    expect(() => parseWithPrometheusClient(python, ok)).not.toThrow();
    for (const text of [
      ok.replace('# EOF\n', ''),
      ok.replace('UNIT x_seconds seconds', 'UNIT x_seconds bytes'),
      ok.replace('x_seconds_count 1', 'x_seconds_count -1'),
    ]) {
      expect(() => checkOpenMetrics(text)).toThrow();
      expect(() => parseWithPrometheusClient(python, text)).toThrow(/prometheus_client refused/);
    }
  });
});
