/**
 * The Prometheus text exposition format (version 0.0.4), as the kubelet's /metrics serves it:
 * `# HELP`, `# TYPE` and sample lines `name{label="value",...} value [timestamp]`. Each line
 * is split here and then checked by a schema (names, label names, a value that is a number,
 * +Inf, -Inf or NaN), so a page that is not this format is refused with the line that is not.
 *
 * Histograms are read from their `_bucket{le=...}`, `_sum` and `_count` samples into one
 * series per label set (without `le`): cumulative bucket counts in increasing order of `le`,
 * the last one +Inf and equal to `_count`.
 */
import { z } from 'zod';

const MetricName = z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'not a metric name');
const LabelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'not a label name');

/** Any float, +Inf, -Inf and NaN included (a gauge may be +Inf: rest_client_exec_plugin_ttl_seconds). */
const PromValue = z.custom<number>((v) => typeof v === 'number', 'not a number');

export const PromSample = z.object({
  name: MetricName,
  labels: z.record(LabelName, z.string()),
  value: PromValue,
});
export type PromSample = z.infer<typeof PromSample>;

export const PromType = z.enum(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export const PromPage = z.object({
  samples: z.array(PromSample),
  /** Family name -> its declared type. */
  types: z.record(MetricName, PromType),
});
export type PromPage = z.infer<typeof PromPage>;

/** A float of the format: Go's strconv forms, plus +Inf, -Inf and NaN. */
function parseValue(s: string): number | null {
  if (s === '+Inf' || s === 'Inf') return Number.POSITIVE_INFINITY;
  if (s === '-Inf') return Number.NEGATIVE_INFINITY;
  if (s === 'NaN') return Number.NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) return null;
  return Number(s);
}

/** `{a="x",b="y\"z"}` starting at `pos`: the labels and the position after `}`. */
function parseLabels(line: string, pos: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = pos + 1;
  for (;;) {
    while (line[i] === ' ' || line[i] === ',') i++;
    if (line[i] === '}') return { labels, end: i + 1 };
    const eq = line.indexOf('=', i);
    if (eq < 0 || line[eq + 1] !== '"') throw new Error('a label without ="value"');
    const name = line.slice(i, eq).trim();
    let value = '';
    let j = eq + 2;
    for (; j < line.length && line[j] !== '"'; j++) {
      if (line[j] === '\\') {
        j++;
        const c = line[j];
        value += c === 'n' ? '\n' : (c ?? '');
      } else value += line[j];
    }
    if (j >= line.length) throw new Error('an unterminated label value');
    labels[name] = value;
    i = j + 1;
  }
}

/** One page of the text format, checked by PromPage; throws with the first line it cannot read. */
export function parsePromText(text: string): PromPage {
  const samples: unknown[] = [];
  const types: Record<string, string> = {};
  text.split('\n').forEach((raw, n) => {
    const line = raw.trim();
    if (line === '') return;
    try {
      if (line.startsWith('#')) {
        const m = /^#\s*TYPE\s+(\S+)\s+(\S+)\s*$/.exec(line);
        if (m?.[1] && m[2]) types[m[1]] = m[2];
        return;
      }
      const nameEnd = line.search(/[{\s]/);
      if (nameEnd <= 0) throw new Error('no value');
      const name = line.slice(0, nameEnd);
      let rest = nameEnd;
      let labels: Record<string, string> = {};
      if (line[nameEnd] === '{') ({ labels, end: rest } = parseLabels(line, nameEnd));
      const fields = line.slice(rest).trim().split(/\s+/);
      if (fields.length < 1 || fields.length > 2 || fields[0] === '') throw new Error('expected a value and an optional timestamp');
      const value = parseValue(fields[0] ?? '');
      if (value === null) throw new Error(`'${fields[0]}' is not a value`);
      samples.push({ name, labels, value });
    } catch (e) {
      throw new Error(`metrics line ${n + 1} is not the Prometheus text format (${e instanceof Error ? e.message : String(e)}): ${line.slice(0, 120)}`);
    }
  });
  const page = PromPage.safeParse({ samples, types });
  if (!page.success) {
    const issue = page.error.issues[0];
    const at = issue?.path[0] === 'samples' && typeof issue.path[1] === 'number' ? samples[issue.path[1]] : undefined;
    throw new Error(`metrics page refused: ${issue?.message ?? 'invalid'}${at ? ` (${JSON.stringify(at).slice(0, 120)})` : ''}`);
  }
  return page.data;
}

/** One histogram series: cumulative counts by upper bound (increasing, the last +Inf), sum and count. */
export interface Histogram {
  labels: Record<string, string>;
  buckets: { le: number; count: number }[];
  sum: number;
  count: number;
}

const key = (labels: Record<string, string>) =>
  JSON.stringify(
    Object.entries(labels)
      .filter(([k]) => k !== 'le')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );

/** Every series of histogram `family` on the page; throws when one is not a well-formed histogram. */
export function histograms(page: PromPage, family: string): Histogram[] {
  const type = page.types[family];
  if (type !== undefined && type !== 'histogram') throw new Error(`${family} is a ${type}, not a histogram`);
  const series = new Map<string, Histogram>();
  const of = (labels: Record<string, string>): Histogram => {
    const k = key(labels);
    let h = series.get(k);
    if (!h) {
      h = { labels: Object.fromEntries(Object.entries(labels).filter(([l]) => l !== 'le')), buckets: [], sum: Number.NaN, count: Number.NaN };
      series.set(k, h);
    }
    return h;
  };
  for (const s of page.samples) {
    if (s.name === `${family}_bucket`) {
      const le = parseValue(s.labels.le ?? '');
      if (le === null || Number.isNaN(le)) throw new Error(`${family}_bucket without a numeric le: ${JSON.stringify(s.labels)}`);
      of(s.labels).buckets.push({ le, count: s.value });
    } else if (s.name === `${family}_sum`) of(s.labels).sum = s.value;
    else if (s.name === `${family}_count`) of(s.labels).count = s.value;
  }
  for (const h of series.values()) {
    const what = `${family}${JSON.stringify(h.labels)}`;
    h.buckets.sort((a, b) => a.le - b.le);
    const last = h.buckets[h.buckets.length - 1];
    if (!last || last.le !== Number.POSITIVE_INFINITY) throw new Error(`${what} has no +Inf bucket`);
    if (Number.isNaN(h.count) || Number.isNaN(h.sum)) throw new Error(`${what} has no _count or _sum`);
    if (last.count !== h.count) throw new Error(`${what}: the +Inf bucket (${last.count}) is not _count (${h.count})`);
    h.buckets.forEach((b, i) => {
      const prev = h.buckets[i - 1];
      if (prev && (b.le === prev.le || b.count < prev.count)) throw new Error(`${what}: buckets are not cumulative at le=${b.le}`);
    });
  }
  return [...series.values()];
}
