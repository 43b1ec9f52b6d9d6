/** The comparison as a terminal table, regressions first. A pure function of the comparison. */
import { describeMethod } from './compare-method.ts';
import { type Comparison, describeCounts, familySize } from '../core/compare.ts';
import { alignRows, pad } from '../core/format.ts';
import { comparisonCells, environmentRows, environmentSummary } from './compare-cells.ts';
import { failureRatesToText } from './compare-failures.ts';

/** Base and head, and what differs between their environments: what the comparison shows first. */
export function environmentToText(c: Comparison): string {
  const lines = [
    `base ${c.base.runId} (${c.base.host}, ${c.base.startedAt}) -> head ${c.head.runId} (${c.head.host}, ${c.head.startedAt})`,
    environmentSummary(c),
  ];
  const rows = environmentRows(c);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  for (const r of rows) lines.push(`  ${pad(r[0] ?? '', widths[0] ?? 0)}  ${pad(r[1] ?? '', widths[1] ?? 0)} -> ${pad(r[2] ?? '', widths[2] ?? 0)}  (${r[3]})`);
  return `${lines.join('\n')}\n`;
}

export function comparisonToText(c: Comparison): string {
  const lines: string[] = [];
  lines.push(environmentToText(c));
  lines.push(describeMethod(c.options, c.rows, familySize(c)));
  lines.push('');
  const cells = comparisonCells(c).map((x) => [x.verdict, x.metric, x.runtime, x.base, x.head, x.change, x.interval, x.p, x.pAdjusted, x.n, x.why]);
  const level = `${Number(((1 - c.options.alpha) * 100).toFixed(1))}% interval`;
  const header = ['verdict', 'metric', 'runtime', 'base', 'head', 'change', level, 'p', `p ${c.options.correction}`, 'n', 'why'];
  const right = [false, false, false, true, true, true, false, true, true, true, false];
  if (cells.length > 0) lines.push(...alignRows([header, ...cells], right));
  else lines.push('nothing to compare: no measurement is present in both documents');
  lines.push('', ...failureRatesToText(c));
  for (const k of c.onlyInBase) lines.push(`only in base: ${k}`);
  for (const k of c.onlyInHead) lines.push(`only in head: ${k}`);
  for (const n of c.notComparable) lines.push(`not compared: ${n.key}: ${n.reason}`);
  lines.push(describeCounts(c));
  return `${lines.join('\n')}\n`;
}
