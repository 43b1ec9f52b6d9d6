/**
 * critest's verdicts from results documents of `runbench conformance --layer cri`, as Markdown
 * for the README: per area, passed / failed / skipped (errored) per runtime handler and CRI;
 * then every spec that did not pass somewhere, with the reason per column.
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
const rows: ConformanceResult[] = files.flatMap((f) => ResultsDocument.parse(JSON.parse(readFileSync(f, 'utf8'))).conformance.filter((r) => r.labels.layer === 'cri'));
const col = (r: ConformanceResult) => `${r.labels.runtime} · ${layerName(r.labels).replace(/^cri /, '')}`;
const cols = [...new Set(rows.map(col))];
const areas = [...new Set(rows.map((r) => r.area))];
const cell = (list: ConformanceResult[]) => {
  const n = (s: string) => list.filter((r) => r.outcome.status === s).length;
  if (list.length === 0) return '—';
  return `${n('passed')} / ${n('failed')} / ${n('skipped')}${n('errored') ? ` (${n('errored')} err)` : ''}`;
};
const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const out: string[] = [];
out.push(`| area (specs) | ${cols.join(' | ')} |`, `|---|${cols.map(() => '---').join('|')}|`);
for (const a of areas) {
  const specs = new Set(rows.filter((r) => r.area === a).map((r) => r.checkId)).size;
  out.push(`| ${esc(a)} (${specs}) | ${cols.map((c) => cell(rows.filter((r) => r.area === a && col(r) === c))).join(' | ')} |`);
}
out.push(`| **all** | ${cols.map((c) => `**${cell(rows.filter((r) => col(r) === c))}**`).join(' | ')} |`, '');
out.push('Each cell: passed / failed / skipped.', '');
const notPassed = [...new Set(rows.filter((r) => r.outcome.status === 'failed' || r.outcome.status === 'errored').map((r) => r.checkId))];
out.push('| spec | level | where it did not pass, and why |', '|---|---|---|');
for (const id of notPassed) {
  const these = rows.filter((r) => r.checkId === id && (r.outcome.status === 'failed' || r.outcome.status === 'errored'));
  const byReason = new Map<string, string[]>();
  for (const r of these) {
    const reason = (r.outcome.reason ?? '').replace(/[0-9a-f]{64}/g, '<id>').replace(/"[^"]*[0-9a-f]{8}-[0-9a-f]{4}-[^"]*"/g, '"<name>"').slice(0, 220);
    byReason.set(reason, [...(byReason.get(reason) ?? []), col(r)]);
  }
  const where = [...byReason].map(([reason, cs]) => `${cs.join(', ')}: ${esc(reason)}`).join('<br>');
  out.push(`| ${esc(these[0]?.title ?? id)} | ${these[0]?.level ?? ''} | ${where} |`);
}
process.stdout.write(`${out.join('\n')}\n`);
