/** The comparison as a terminal table, regressions first. A pure function of the comparison. */
import { type Comparison, formatP } from '../core/compare.ts';
import { formatValue, pad } from '../core/format.ts';

function signed(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  return `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;
}

export function comparisonToText(c: Comparison): string {
  const lines: string[] = [];
  lines.push(`base ${c.base.runId} (${c.base.host}, ${c.base.startedAt}) -> head ${c.head.runId} (${c.head.host}, ${c.head.startedAt})`);
  lines.push(`regressed = Mann-Whitney p < ${c.options.alpha} and median worse by more than ${c.options.thresholdPercent}%`);
  lines.push('');
  const order = { regressed: 0, improved: 1, changed: 2, unchanged: 3 } as const;
  const rows = [...c.rows].sort((a, b) => order[a.verdict] - order[b.verdict]);
  const cells = rows.map((r) => [
    r.verdict,
    `${r.layer}/${r.suite}/${r.metric}`,
    `${r.runtime} ${r.workload} (${r.workloadKind}, ${r.arch}${r.emulated ? ', emulated' : ''})`,
    formatValue(r.baseMedian, r.unit),
    formatValue(r.headMedian, r.unit),
    signed(r.changePercent),
    `[${signed(r.changeCi95Percent[0])} … ${signed(r.changeCi95Percent[1])}]`,
    formatP(r.pValue),
  ]);
  const header = ['verdict', 'metric', 'runtime', 'base', 'head', 'change', '95% CI', 'p'];
  const right = [false, false, false, true, true, true, false, true];
  const widths = header.map((h, i) => Math.max([...h].length, ...cells.map((row) => [...(row[i] ?? '')].length)));
  const fmt = (row: string[]) =>
    row
      .map((s, i) => pad(s, widths[i] ?? 0, right[i]))
      .join('  ')
      .trimEnd();
  if (rows.length > 0) lines.push(fmt(header), ...cells.map(fmt));
  else lines.push('nothing to compare: no measurement is present in both documents');
  lines.push('');
  for (const k of c.onlyInBase) lines.push(`only in base: ${k}`);
  for (const k of c.onlyInHead) lines.push(`only in head: ${k}`);
  for (const n of c.notComparable) lines.push(`not compared: ${n.key}: ${n.reason}`);
  lines.push(
    `${c.regressions} regressed, ${c.improvements} improved, ${c.rows.length - c.regressions - c.improvements} unchanged of ${c.rows.length} compared`,
  );
  return `${lines.join('\n')}\n`;
}
