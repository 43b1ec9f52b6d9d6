/**
 * OpenMetrics text for a Prometheus Pushgateway: each metric a summary family in base units
 * (runbench_startup_run_seconds, runbench_memory_runtime_peak_rss_bytes, ..._per_second) with
 * the median, p95 and p99 as quantiles and the samples' count and sum, labelled runtime,
 * layer, arch, workload, kind, emulated and host; then the failed samples, each suite run's
 * status, the runtimes' versions, the conformance counts and when the run finished.
 *
 * Only gauges and summaries, no timestamps: the Pushgateway reads the older Prometheus text
 * format alone, to which `# UNIT` and `# EOF` are comments, so the same file is valid in both.
 * For the same reason no HELP text carries a double quote. A pure function of the documents.
 */
import { UserError } from '../core/errors.ts';
import type { ResultsDocument, Unit } from '../core/schema.ts';
import { textSeed } from '../core/stats.ts';
import { uniqueSeries } from './series.ts';

type Labels = readonly (readonly [name: string, value: string])[];

interface Sample {
  suffix: string;
  labels: Labels;
  value: number;
}

interface Family {
  name: string;
  type: 'gauge' | 'summary';
  unit: string | null;
  help: string;
  /** Samples grouped by label set, in the order written; a label set appears once. */
  groups: Map<string, Sample[]>;
}

/** The family name's suffix for a unit, its OpenMetrics UNIT (base units only), the factor from the document's unit, and the words for it a metric id may already carry. */
const UNITS: Record<Unit, { suffix: string; unit: string | null; factor: number; words: string[] }> = {
  ns: { suffix: 'seconds', unit: 'seconds', factor: 1e-9, words: ['ns', 'seconds', 'secs'] },
  bytes: { suffix: 'bytes', unit: 'bytes', factor: 1, words: ['bytes'] },
  ratio: { suffix: 'ratio', unit: 'ratio', factor: 1, words: ['ratio'] },
  'ops/s': { suffix: 'per_second', unit: null, factor: 1, words: ['per_sec', 'per_second', 'per_s'] },
  'containers/s': { suffix: 'per_second', unit: null, factor: 1, words: ['per_sec', 'per_second', 'per_s'] },
  'containers/GiB': { suffix: 'per_gibibyte', unit: null, factor: 1, words: ['per_gib', 'per_gibibyte'] },
  count: { suffix: '', unit: null, factor: 1, words: [] },
  bool: { suffix: '', unit: null, factor: 1, words: [] },
};

/** Sample-name suffixes of other types: a family name ending in one would read as another family's sample. */
const RESERVED = /_(total|count|sum|bucket|created|info|gcount|gsum)$/;

/** An id such as runtimePeakRssBytes as metric-name words: runtime_peak_rss_bytes. */
export function snake(id: string): string {
  return id
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** runbench_<suite>_<metric words without the unit's>_<unit suffix>. */
export function familyName(suite: string, metric: string, unit: Unit): string {
  const u = UNITS[unit];
  let words = `_${snake(metric)}_`;
  for (const w of u.words) {
    if (words.includes(`_${w}_`)) {
      words = words.replace(`_${w}_`, '_');
      break;
    }
  }
  const parts = ['runbench', snake(suite), words.replace(/^_+|_+$/g, ''), u.suffix].filter(Boolean);
  const name = parts.join('_');
  return RESERVED.test(name) ? `${name}_value` : name;
}

/** A label value: backslash, double quote and line breaks escaped, as both text formats read them. */
export function labelValue(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\r\n|\r|\n/g, '\\n');
}

/** HELP text: backslash and line breaks escaped; a double quote becomes a single one (the older format has no escape for it there). */
function helpText(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/\r\n|\r|\n/g, '\\n')
    .replace(/"/g, "'");
}

export function valueText(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  return String(Number(x.toPrecision(15)));
}

class Exposition {
  private readonly families = new Map<string, Family>();

  family(name: string, type: Family['type'], unit: string | null, help: string): Family {
    let f = this.families.get(name);
    if (!f) {
      f = { name, type, unit, help, groups: new Map() };
      this.families.set(name, f);
    }
    return f;
  }

  /** Adds one label set's samples; a label set already in the family is runbench's input's fault (two documents of one host). */
  add(f: Family, labels: Labels, samples: { suffix: string; extra?: Labels; value: number }[]): void {
    const key = labels.map(([k, v]) => `${k}\u0000${v}`).join('\u0001');
    if (f.groups.has(key)) {
      throw new UserError(
        `OpenMetrics takes one value per series, but ${f.name}{${labels.map(([k, v]) => `${k}="${v}"`).join(',')}} occurs twice: export one document per host`,
      );
    }
    f.groups.set(
      key,
      samples.map((s) => ({ suffix: s.suffix, labels: [...labels, ...(s.extra ?? [])], value: s.value })),
    );
  }

  text(): string {
    const out: string[] = [];
    for (const f of [...this.families.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (f.groups.size === 0) continue;
      out.push(`# HELP ${f.name} ${helpText(f.help)}`, `# TYPE ${f.name} ${f.type}`);
      if (f.unit) out.push(`# UNIT ${f.name} ${f.unit}`);
      const keys = [...f.groups.keys()].sort();
      for (const k of keys) {
        for (const s of f.groups.get(k) ?? []) {
          const labels = s.labels.map(([n, v]) => `${n}="${labelValue(v)}"`).join(',');
          out.push(`${f.name}${s.suffix}${labels ? `{${labels}}` : ''} ${valueText(s.value)}`);
        }
      }
    }
    out.push('# EOF');
    return `${out.join('\n')}\n`;
  }
}

const QUANTILES = [
  ['0.5', 'median'],
  ['0.95', 'p95'],
  ['0.99', 'p99'],
] as const;

const STATUSES = ['passed', 'failed', 'skipped', 'errored'] as const;

/** The families runFamilies() writes: a metric whose name would be one of them is renamed like a collision. */
const FIXED = [
  'runbench_failed_samples',
  'runbench_run_finished_timestamp_seconds',
  'runbench_runtime_info',
  'runbench_suite_run_status',
  'runbench_conformance_checks',
];

/**
 * Each metric's family name. Two metrics whose ids give the same name (or a fixed family's)
 * both get a hash of their id before the unit suffix, whichever comes first in the documents.
 */
function familyNames(ids: readonly (readonly [suite: string, metric: string, unit: Unit])[]): Map<string, string> {
  const key = (suite: string, metric: string, unit: Unit) => `${suite}\u0000${metric}\u0000${unit}`;
  const owners = new Map<string, Set<string>>(FIXED.map((n) => [n, new Set(['(fixed)'])]));
  for (const [suite, metric, unit] of ids) {
    const name = familyName(suite, metric, unit);
    owners.set(name, (owners.get(name) ?? new Set()).add(key(suite, metric, unit)));
  }
  const out = new Map<string, string>();
  for (const [suite, metric, unit] of ids) {
    const id = key(suite, metric, unit);
    let name = familyName(suite, metric, unit);
    if ((owners.get(name)?.size ?? 0) > 1) {
      const u = UNITS[unit].suffix;
      const tag = textSeed(id).toString(16).padStart(8, '0');
      name = u ? `${name.slice(0, -u.length - 1)}_${tag}_${u}` : `${name}_${tag}`;
    }
    out.set(id, name);
  }
  return out;
}

function measurementFamilies(x: Exposition, docs: readonly ResultsDocument[]): void {
  const series = uniqueSeries(docs, 'OpenMetrics');
  const names = familyNames(series.map(({ measurement: m }) => [m.suite, m.metric, m.unit] as const));
  for (const { measurement: m } of series) {
    const l = m.labels;
    const labels: Labels = [
      ['runtime', l.runtime],
      ['layer', l.layer],
      ['arch', l.arch],
      ['workload', l.workload],
      ['kind', l.workloadKind],
      ['emulated', String(l.emulated)],
      ['host', l.host],
    ];
    const u = UNITS[m.unit];
    const name = names.get(`${m.suite}\u0000${m.metric}\u0000${m.unit}`) ?? familyName(m.suite, m.metric, m.unit);
    const given = u.factor !== 1 ? ` (measured in ${m.unit}, given in ${u.unit ?? u.suffix})` : ` (${m.unit})`;
    const f = x.family(name, 'summary', u.unit, `runbench ${m.suite} ${m.metric}${given}: median, p95 and p99 of one run's samples, and their count and sum`);
    const samples: { suffix: string; extra?: Labels; value: number }[] = [];
    const s = m.stats;
    if (s) {
      for (const [q, key] of QUANTILES) {
        const v = s[key] * u.factor;
        // quantiles of a summary are never negative; a NaN says the value is unknown
        if (!(v < 0)) samples.push({ suffix: '', extra: [['quantile', q]], value: v });
      }
    }
    const sum = m.samples.reduce((a, b) => a + b, 0) * u.factor;
    if (Number.isFinite(sum) && sum >= 0) samples.push({ suffix: '_sum', value: sum });
    samples.push({ suffix: '_count', value: m.samples.length });
    x.add(f, labels, samples);
    const failed = x.family('runbench_failed_samples', 'gauge', null, 'samples of a measurement that produced no value (kept out of its statistics)');
    x.add(failed, [['suite', m.suite], ['metric', m.metric], ...labels], [{ suffix: '', value: m.failedSamples }]);
  }
}

function runFamilies(x: Exposition, docs: readonly ResultsDocument[]): void {
  for (const d of docs) {
    const host = d.host.hostname;
    const finished = Date.parse(d.finishedAt);
    if (Number.isFinite(finished)) {
      x.add(
        x.family('runbench_run_finished_timestamp_seconds', 'gauge', 'seconds', 'when the run finished, in seconds since the epoch'),
        [['host', host]],
        [{ suffix: '', value: finished / 1000 }],
      );
    }
    const info = x.family('runbench_runtime_info', 'gauge', null, 'a runtime the run looked for, with its version and status (ok, missing, broken); always 1');
    for (const r of d.runtimes) {
      x.add(
        info,
        [
          ['runtime', r.name],
          ['version', r.version ?? ''],
          ['status', r.status],
          ['host', host],
        ],
        [{ suffix: '', value: 1 }],
      );
    }
    const runs = x.family('runbench_suite_run_status', 'gauge', null, 'how each suite run ended: 1 for its status, 0 for the others');
    for (const r of d.suiteRuns) {
      const labels: Labels = [
        ['suite', r.suite],
        ['runtime', r.runtime],
        ['layer', r.layer],
        ['arch', r.arch ?? d.host.arch],
        ['host', host],
      ];
      x.add(
        runs,
        labels,
        STATUSES.map((st) => ({ suffix: '', extra: [['status', st]] as Labels, value: r.outcome.status === st ? 1 : 0 })),
      );
    }
    const counts = new Map<string, { labels: Labels; n: number }>();
    for (const c of d.conformance) {
      const labels: Labels = [
        ['runtime', c.labels.runtime],
        ['layer', c.labels.layer],
        ['arch', c.labels.arch],
        ['kind', c.labels.workloadKind],
        ['host', c.labels.host],
        ['level', c.level],
        ['status', c.outcome.status],
      ];
      const k = labels.map(([, v]) => v).join('\u0000');
      const e = counts.get(k) ?? { labels, n: 0 };
      e.n++;
      counts.set(k, e);
    }
    const conf = x.family('runbench_conformance_checks', 'gauge', null, 'conformance checks by runtime, level and outcome');
    for (const { labels, n } of counts.values()) x.add(conf, labels, [{ suffix: '', value: n }]);
  }
}

export function toOpenMetrics(docs: readonly ResultsDocument[]): string {
  const x = new Exposition();
  measurementFamilies(x, docs);
  runFamilies(x, docs);
  return x.text();
}
