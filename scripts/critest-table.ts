/**
 * critest's verdicts from results documents of `runbench conformance --layer cri`, as Markdown
 * for the README: per area, passed / failed / skipped (errored) per runtime handler and CRI;
 * then every spec that did not pass somewhere, with the reason per column. A column (runtime
 * and CRI) found in several documents is taken from the last one: a rerun of one handler
 * replaces its earlier run.
 *
 *   npx tsx scripts/critest-table.ts RESULTS.json [RESULTS.json ...]
 */
import { readFileSync } from 'node:fs';
import { layerName } from '../core/format.ts';
import { ResultsDocument, type ConformanceResult } from '../core/schema.ts';

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: npx tsx scripts/critest-table.ts RESULTS.json [RESULTS.json ...]\n');
  process.exit(2);
}
const col = (r: ConformanceResult) => `${r.labels.runtime} · ${layerName(r.labels).replace(/^cri /, '')}`;
const byColumn = new Map<string, ConformanceResult[]>();
for (const f of files) {
  const rs = ResultsDocument.parse(JSON.parse(readFileSync(f, 'utf8'))).conformance.filter((r) => r.labels.layer === 'cri');
  for (const c of new Set(rs.map(col))) byColumn.set(c, rs.filter((r) => col(r) === c));
}
const rows: ConformanceResult[] = [...byColumn.values()].flat();
const areas = [...new Set(rows.map((r) => r.area))];
const cell = (list: ConformanceResult[]) => {
  const n = (st: string) => list.filter((r) => r.outcome.status === st).length;
  if (list.length === 0) return '—';
  return `${n('passed')} / ${n('failed')} / ${n('skipped')}${n('errored') ? ` (${n('errored')} err)` : ''}`;
};
const esc = (x: string) => x.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const out: string[] = [];
// one table per CRI, a column per runtime handler
for (const cri of [...new Set(rows.map((r) => r.labels.cri ?? ''))]) {
  const these = rows.filter((r) => (r.labels.cri ?? '') === cri);
  const cs = [...new Set(these.map((r) => r.labels.runtime))];
  out.push(`| ${esc(cri || 'cri')}: area (specs) | ${cs.join(' | ')} |`, `|---|${cs.map(() => '---').join('|')}|`);
  for (const a of areas) {
    const specs = new Set(rows.filter((r) => r.area === a).map((r) => r.checkId)).size;
    out.push(`| ${esc(a)} (${specs}) | ${cs.map((c) => cell(these.filter((r) => r.area === a && r.labels.runtime === c))).join(' | ')} |`);
  }
  out.push(`| **all** | ${cs.map((c) => `**${cell(these.filter((r) => r.labels.runtime === c))}**`).join(' | ')} |`, '');
}
out.push('Each cell: passed / failed / skipped.', '');
// every failure, grouped by what it says: where, and which specs
const normal = (r: ConformanceResult) =>
  (r.outcome.reason ?? '')
    .replace(/[0-9a-f]{64}/g, '<id>')
    .replace(/"[^"]*[0-9a-f]{8}-[0-9a-f]{4}-[^"]*"/g, '"<name>"')
    .slice(0, 200);
const bad = rows.filter((r) => r.outcome.status === 'failed' || r.outcome.status === 'errored');
const groups = new Map<string, ConformanceResult[]>();
for (const r of bad) {
  const k = `${normal(r)}\u0000${[...new Set(bad.filter((x) => x.checkId === r.checkId && normal(x) === normal(r)).map(col))].join(', ')}`;
  groups.set(k, [...(groups.get(k) ?? []), r]);
}
out.push('| what it says | where | specs |', '|---|---|---|');
for (const [k, rs] of groups) {
  const [reason = '', where = ''] = k.split('\u0000');
  const specs = [...new Set(rs.map((r) => r.title))];
  const named = specs.length <= 3 ? specs.map((t) => `${t} (${rs.find((r) => r.title === t)?.level})`).join('; ') : `${specs.length} specs`;
  out.push(`| ${esc(reason)} | ${esc(where)} | ${esc(named)} |`);
}
process.stdout.write(`${out.join('\n')}\n`);
