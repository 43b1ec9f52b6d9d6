/**
 * Reliability in the reports: each runtime configuration's failure rate with its exact 95%
 * interval, and every series that had failures with its most frequent error. The terminal,
 * Markdown and CSV views of it; the HTML section (html/sections/reliability.ts) uses the same rows.
 * Pure functions of the documents; a document from before attempts were counted shows none.
 */
import { stringify } from 'csv-stringify/sync';
import { pad } from '../core/format.ts';
import { formatRate } from '../core/reliability.ts';
import type { ConfigurationReliability, ResultsDocument, SeriesReliability } from '../core/schema.ts';
import { mdCell } from './escape.ts';

export interface ReliabilityRows {
  /** What the figures count and the rule a series is held to. */
  note: string;
  configurations: { host: string; c: ConfigurationReliability; label: string }[];
  /** Series with at least one failure, errored ones first. */
  series: { host: string; s: SeriesReliability; label: string }[];
}

function kindLabel(l: { runtime: string; workloadKind: string; arch: string; emulated: boolean; host: string }, hosts: number): string {
  return `${l.runtime} (${l.workloadKind}${l.emulated ? `, ${l.arch} emulated` : ''})${hosts > 1 ? ` @${l.host}` : ''}`;
}

export function reliabilityRows(docs: readonly ResultsDocument[]): ReliabilityRows | null {
  const counted = docs.filter((d) => d.reliability);
  if (counted.length === 0) return null;
  const hosts = new Set(counted.map((d) => d.host.hostname)).size;
  // in the order the runtimes were asked for, whatever order the interleaved turns took
  const order = (d: ResultsDocument, runtime: string) => d.runtimes.findIndex((r) => r.name === runtime);
  const configurations = counted.flatMap((d) =>
    (d.reliability?.configurations ?? [])
      .map((c) => ({ host: d.host.hostname, c, label: kindLabel(c.labels, hosts) }))
      .sort((a, b) => a.c.labels.layer.localeCompare(b.c.labels.layer) || order(d, a.c.labels.runtime) - order(d, b.c.labels.runtime)),
  );
  const series = counted
    .flatMap((d) =>
      (d.reliability?.series ?? [])
        .map((s) => ({ host: d.host.hostname, s, label: kindLabel(s.labels, hosts) }))
        .sort((a, b) => a.s.labels.layer.localeCompare(b.s.labels.layer) || order(d, a.s.labels.runtime) - order(d, b.s.labels.runtime)),
    )
    .filter((x) => x.s.failures > 0)
    .sort((a, b) => Number(b.s.outcome.status === 'errored') - Number(a.s.outcome.status === 'errored'));
  const rule = counted[0]?.reliability?.rule ?? '';
  const note = `Failed or hung attempts of every operation a series asked of the runtime (warmups, samples, checks; one a churn container), with the exact (Clopper-Pearson) 95% interval of the rate. A failed attempt's sample is left out and the series goes on. ${rule}`;
  return { note, configurations, series };
}

function counts(x: { attempts: number; failures: number; hangs: number }): string {
  return `${x.failures} of ${x.attempts} failed${x.hangs > 0 ? `, ${x.hangs} hung` : ''}`;
}

/** The most frequent error of a series, with how often it came. */
export function topError(s: SeriesReliability): string {
  const e = s.errors[0];
  return e ? `${e.error}${e.count > 1 ? ` (×${e.count})` : ''}` : '';
}

/** The terminal section: one line per runtime configuration, then the series that failed. */
export function reliabilityLines(doc: ResultsDocument): string[] {
  const r = reliabilityRows([doc]);
  if (!r || r.configurations.length === 0) return [];
  const lines = ['reliability (failed or hung attempts, 95% interval of the rate)'];
  const countText = r.configurations.map(({ c }) => counts(c));
  const width = Math.max(...countText.map((t) => [...t].length));
  r.configurations.forEach(({ c, label }, i) => {
    lines.push(`  ${pad(c.labels.layer, 11)} ${pad(label, 32)} ${pad(countText[i] ?? '', width)}  ${formatRate(c)}`);
  });
  for (const { s, label } of r.series) {
    const status = s.outcome.status === 'errored' ? 'errored, ' : '';
    lines.push(`    ${s.labels.layer} ${label} ${s.suite} ${s.series} (${s.labels.workload}): ${status}${counts(s)}: ${topError(s)}`);
  }
  lines.push('');
  return lines;
}

export function reliabilityMarkdown(docs: readonly ResultsDocument[]): string[] {
  const r = reliabilityRows(docs);
  if (!r || r.configurations.length === 0) return [];
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const out = ['## Reliability', '', mdCell(r.note), ''];
  out.push(
    row(['runtime', 'layer', 'attempts', 'failed', 'hung', 'failure rate (95% CI)']),
    row(['---', '---', '---:', '---:', '---:', '---:']),
    ...r.configurations.map(({ c, label }) => row([mdCell(label), c.labels.layer, String(c.attempts), String(c.failures), String(c.hangs), formatRate(c)])),
    '',
  );
  if (r.series.length > 0) {
    out.push(
      '### Series with failures',
      '',
      row(['runtime', 'layer', 'suite', 'series', 'attempts', 'failed', 'hung', 'failure rate (95% CI)', 'outcome', 'most frequent error']),
      row(['---', '---', '---', '---', '---:', '---:', '---:', '---:', '---', '---']),
      ...r.series.map(({ s, label }) =>
        row([
          mdCell(label),
          s.labels.layer,
          mdCell(s.suite),
          mdCell(`${s.series} (${s.labels.workload})`),
          String(s.attempts),
          String(s.failures),
          String(s.hangs),
          formatRate(s),
          mdCell(s.outcome.status === 'errored' ? `errored: ${s.outcome.reason}` : s.outcome.status),
          mdCell(topError(s)),
        ]),
      ),
      '',
    );
  }
  return out;
}

export const RELIABILITY_CSV_COLUMNS = [
  'runId',
  'host',
  'arch',
  'emulated',
  'layer',
  'runtime',
  'runtimeVersion',
  'suite',
  'series',
  'workload',
  'workloadKind',
  'planned',
  'attempts',
  'succeeded',
  'failures',
  'hangs',
  'failureRate',
  'failureRateCi95Low',
  'failureRateCi95High',
  'outcome',
  'mostFrequentError',
] as const;

/** One row per series and document (formula-like cells escaped, as results.csv does). */
export function toReliabilityCsv(docs: readonly ResultsDocument[]): string {
  const rows = docs.flatMap((d) => {
    const versions = new Map(d.runtimes.map((r) => [r.name, r.version ?? '']));
    return (d.reliability?.series ?? []).map((s) => [
      d.runId,
      s.labels.host,
      s.labels.arch,
      s.labels.emulated,
      s.labels.layer,
      s.labels.runtime,
      versions.get(s.labels.runtime) ?? '',
      s.suite,
      s.series,
      s.labels.workload,
      s.labels.workloadKind,
      s.planned ?? '',
      s.attempts,
      s.succeeded,
      s.failures,
      s.hangs,
      s.failureRate ?? '',
      s.failureRateCi95?.[0] ?? '',
      s.failureRateCi95?.[1] ?? '',
      s.outcome.status,
      s.errors[0]?.error ?? '',
    ]);
  });
  return stringify(rows, { header: true, columns: [...RELIABILITY_CSV_COLUMNS], cast: { boolean: (b) => String(b) }, escape_formulas: true });
}
