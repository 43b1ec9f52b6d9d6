/**
 * The failure-rate rows of a comparison (core/compare-failures.ts) in every view: cells, a
 * terminal table, Markdown and an HTML table. Kept apart from the measurement rows' views.
 */
import { type Comparison, formatP, VERDICT_ORDER, VERDICT_TEXT } from '../core/compare.ts';
import { describeConfiguration, describeFailureMethod, type FailureRateRow } from '../core/compare-failures.ts';
import { alignRows } from '../core/format.ts';
import { mdCell } from './escape.ts';
import type { Cell, TableModel, Tone } from './html/types.ts';

function points(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  return `${x >= 0 ? '+' : ''}${x.toFixed(1)} pts`;
}

function side(s: FailureRateRow['base']): string {
  return `${s.failures}/${s.attempts} (${Number(((s.failures / s.attempts) * 100).toFixed(1))}%)`;
}

export interface FailureRateCells {
  row: FailureRateRow;
  verdict: string;
  configuration: string;
  base: string;
  head: string;
  change: string;
  interval: string;
  p: string;
  pAdjusted: string;
  why: string;
}

export function failureRateCells(c: Comparison): FailureRateCells[] {
  return [...c.failureRates]
    .sort((a, b) => VERDICT_ORDER[a.verdict] - VERDICT_ORDER[b.verdict])
    .map((r) => ({
      row: r,
      verdict: VERDICT_TEXT[r.verdict],
      configuration: describeConfiguration(r),
      base: side(r.base),
      head: side(r.head),
      change: points(r.diffPoints),
      interval: `${points(r.diffCiPoints[0])} … ${points(r.diffCiPoints[1])}`,
      p: formatP(r.pValue),
      pAdjusted: formatP(r.pAdjusted),
      why: r.verdict === 'inconclusive' ? `${r.reason}; ${r.attemptsToDecide !== null ? `about ${r.attemptsToDecide} attempts a side would decide` : 'more attempts alone will not decide'}` : r.reason,
    }));
}

const HEADER = (c: Comparison) => ['verdict', 'failure rate of', 'base', 'head', 'change', `${Number(((1 - c.options.alpha) * 100).toFixed(1))}% interval`, 'p', `p ${c.options.correction}`, 'why'];
const row = (x: FailureRateCells) => [x.verdict, x.configuration, x.base, x.head, x.change, x.interval, x.p, x.pAdjusted, x.why];

/** The failure rates as terminal lines, after the measurement rows; none when neither document counted attempts. */
export function failureRatesToText(c: Comparison): string[] {
  const cells = failureRateCells(c);
  if (cells.length === 0) return [];
  const right = [false, false, true, true, true, false, true, true, false];
  return [describeFailureMethod(c.options), ...alignRows([HEADER(c), ...cells.map(row)], right), ''];
}

export function failureRatesToMarkdown(c: Comparison): string[] {
  const cells = failureRateCells(c);
  if (cells.length === 0) return [];
  const header = HEADER(c);
  return [
    '### Failure rates',
    '',
    mdCell(describeFailureMethod(c.options)),
    '',
    `| ${header.join(' | ')} |`,
    `| ${['---', '---', '---:', '---:', '---:', '---:', '---:', '---:', '---'].join(' | ')} |`,
    ...cells.map((x) => `| ${row(x).map(mdCell).join(' | ')} |`),
    '',
  ];
}

const TONE: Record<FailureRateRow['verdict'], Tone> = { regressed: 'bad', improved: 'good', inconclusive: 'warn', 'no-change': 'muted' };

export function failureRatesTable(c: Comparison): TableModel | null {
  const cells = failureRateCells(c);
  if (cells.length === 0) return null;
  return {
    caption: `failure rates: ${describeFailureMethod(c.options)}`,
    columns: HEADER(c),
    numeric: [false, false, true, true, true, true, true, true, false],
    rows: cells.map((x): Cell[] => [{ text: x.verdict, tone: TONE[x.row.verdict] }, ...row(x).slice(1)]),
  };
}
