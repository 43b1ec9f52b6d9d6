/** Comparison with the baseline: the change of every median shared by the first document and the baseline. */
import { type Comparison, type ComparisonRow, compareDocuments, describeCounts, describeMethod, familySize, type Verdict } from '../../../core/compare.ts';
import { comparisonCells, environmentRows, environmentSummary } from '../../compare-cells.ts';
import { failureRatesTable } from '../../compare-failures.ts';
import { round } from '../figures.ts';
import type { Cell, Figure, Section, SectionContext, Tone } from '../types.ts';

const VERDICT_TONE: Record<Verdict, Tone> = { regressed: 'bad', improved: 'good', changed: 'warn', inconclusive: 'warn', 'no-change': 'muted' };

export function comparisonSection(c: Comparison): Section {
  const cells = comparisonCells(c);
  const label = (r: ComparisonRow) => `${r.metric} ${r.runtime} ${r.workload} (${r.workloadKind}, ${r.arch})`;
  const level = `${Number(((1 - c.options.alpha) * 100).toFixed(1))}% interval`;
  const figures: Figure[] =
    cells.length === 0
      ? []
      : [
          {
            id: 'comparison-change',
            title: 'Change of the median, head against base',
            chart: {
              type: 'bar',
              axis: '% change of the median',
              stacked: false,
              labels: cells.map((x) => label(x.row)),
              datasets: [
                {
                  label: 'change %',
                  data: cells.map(({ row: r }) => (Number.isFinite(r.changePercent) ? round(r.changePercent) : 0)),
                  tones: cells.map(({ row: r }) => VERDICT_TONE[r.verdict]),
                },
              ],
            },
            table: {
              caption: 'comparison',
              columns: ['verdict', 'layer/suite/metric', 'runtime', 'base', 'head', 'change', level, 'p', `p ${c.options.correction}`, 'n', 'why'],
              numeric: [false, false, false, true, true, true, true, true, true, true, false],
              rows: cells.map((x): Cell[] => [
                { text: x.verdict, tone: VERDICT_TONE[x.row.verdict] },
                x.metric,
                x.runtime,
                x.base,
                x.head,
                x.change,
                x.interval,
                x.p,
                x.pAdjusted,
                x.n,
                x.why,
              ]),
            },
          },
        ];
  const others: Cell[][] = [
    ...c.onlyInBase.map((k) => [k, 'only in base']),
    ...c.onlyInHead.map((k) => [k, 'only in head']),
    ...c.notComparable.map((n) => [n.key, n.reason]),
  ];
  // what differs comes first: the page draws tables after the figures
  const differences = environmentRows(c)
    .map(([what, b, h, note]) => `${what} ${b} → ${h} (${note})`)
    .join('; ');
  return {
    id: 'comparison',
    title: 'Comparison with the baseline',
    paragraphs: [
      `Base ${c.base.runId} (${c.base.host}, ${c.base.startedAt}) against head ${c.head.runId} (${c.head.host}, ${c.head.startedAt}). ${environmentSummary(c)}${differences ? ` ${differences}.` : ''}`,
      `${describeCounts(c)}. ${describeMethod(c.options, c.rows, familySize(c))}`,
      ...(cells.length === 0 ? ['No measurement is present in both documents.'] : []),
    ],
    figures,
    tables: [
      ...[failureRatesTable(c)].filter((t) => t !== null),
      ...(others.length > 0 ? [{ caption: 'not compared', columns: ['measurement', 'why'], numeric: [false, false], rows: others }] : []),
    ],
  };
}

export function buildComparison({ docs, baseline, thresholdPercent, alpha }: SectionContext): Section | null {
  const head = docs[0];
  return baseline && head ? comparisonSection(compareDocuments(baseline, head, { thresholdPercent, alpha })) : null;
}
