/** The cells every view of a comparison shows, in the order it lists the rows: what needs attention first. */
import { type Comparison, type ComparisonRow, formatP, VERDICT_ORDER, VERDICT_TEXT } from '../core/compare.ts';
import { formatCoverage, formatValue } from '../core/format.ts';

export function signedPercent(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  return `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;
}

export interface ComparisonCells {
  row: ComparisonRow;
  verdict: string;
  metric: string;
  runtime: string;
  base: string;
  head: string;
  change: string;
  /** The interval of the change, with its coverage when it falls short of 1 - alpha. */
  interval: string;
  p: string;
  pAdjusted: string;
  n: string;
  /** The reason, and for an undecided row how many samples would decide it. */
  why: string;
}

export function sortedRows(c: Comparison): ComparisonRow[] {
  return [...c.rows].sort((a, b) => VERDICT_ORDER[a.verdict] - VERDICT_ORDER[b.verdict]);
}

export function comparisonCells(c: Comparison): ComparisonCells[] {
  const level = 1 - c.options.alpha;
  return sortedRows(c).map((r) => ({
    row: r,
    verdict: VERDICT_TEXT[r.verdict],
    metric: `${r.layer}/${r.suite}/${r.metric}`,
    runtime: `${r.runtime} ${r.workload} (${r.workloadKind}, ${r.arch}${r.emulated ? ', emulated' : ''})`,
    base: formatValue(r.baseMedian, r.unit),
    head: formatValue(r.headMedian, r.unit),
    change: signedPercent(r.changePercent),
    interval: `${signedPercent(r.changeCiPercent[0])} … ${signedPercent(r.changeCiPercent[1])}${r.ciCoverage < level ? ` (${formatCoverage(r.ciCoverage)})` : ''}`,
    p: formatP(r.pValue),
    pAdjusted: formatP(r.pAdjusted),
    n: `${r.baseN}/${r.headN}`,
    why:
      r.verdict === 'inconclusive'
        ? `${r.reason}; ${r.samplesToDecide !== null ? `about ${r.samplesToDecide} a side would decide` : 'more samples alone will not decide'}`
        : r.reason,
  }));
}

/** One line on the environments of base and head: the same, or how many facts differ and how many can move the figures. */
export function environmentSummary(c: Comparison): string {
  const n = c.environment.length;
  const moving = c.environment.filter((d) => d.affectsFigures).length;
  const summary =
    n === 0
      ? 'Environment: the same host, kernel, CPU, cgroups, runtimes and runbench version in base and head.'
      : `Environment: ${n} difference${n === 1 ? '' : 's'} between base and head, ${moving} of which can move the figures.`;
  const noisy = (['base', 'head'] as const)
    .filter((side) => c[side].noisy)
    .map((side) => ` The ${side} ran on a noisy host (${c[side].noisy}): its figures carry that noise.`);
  return summary + noisy.join('');
}

/** The environment differences as rows: what, base, head, and whether it can move the figures. */
export function environmentRows(c: Comparison): string[][] {
  return c.environment.map((d) => [d.what, d.base, d.head, d.affectsFigures ? 'can move the figures' : 'for the record']);
}
