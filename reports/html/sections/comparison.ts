/** Comparison with the baseline: the change of every median shared by the first document and the baseline. */
import { type Comparison, compareDocuments, formatP } from '../../../core/compare.ts';
import { formatValue } from '../../../core/format.ts';
import { round } from '../figures.ts';
import type { Cell, Figure, Section, SectionContext } from '../types.ts';

function signedPercent(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  return `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;
}

export function comparisonSection(c: Comparison): Section {
  const order = { regressed: 0, improved: 1, changed: 2, unchanged: 3 } as const;
  const rows = [...c.rows].sort((a, b) => order[a.verdict] - order[b.verdict]);
  const label = (r: (typeof rows)[number]) => `${r.metric} ${r.runtime} ${r.workload} (${r.workloadKind}, ${r.arch})`;
  const verdictTone = { regressed: 'bad', improved: 'good', changed: 'warn', unchanged: 'muted' } as const;
  const figures: Figure[] =
    rows.length === 0
      ? []
      : [
          {
            id: 'comparison-change',
            title: 'Change of the median, head against base',
            chart: {
              type: 'bar',
              axis: '% change of the median',
              stacked: false,
              labels: rows.map(label),
              datasets: [
                {
                  label: 'change %',
                  data: rows.map((r) => (Number.isFinite(r.changePercent) ? round(r.changePercent) : 0)),
                  tones: rows.map((r) => verdictTone[r.verdict]),
                },
              ],
            },
            table: {
              caption: 'comparison',
              columns: ['verdict', 'layer/suite/metric', 'runtime', 'base', 'head', 'change', '95% CI', 'p'],
              numeric: [false, false, false, true, true, true, true, true],
              rows: rows.map((r) => [
                { text: r.verdict, tone: verdictTone[r.verdict] },
                `${r.layer}/${r.suite}/${r.metric}`,
                `${r.runtime} ${r.workload} (${r.workloadKind}, ${r.arch}${r.emulated ? ', emulated' : ''})`,
                formatValue(r.baseMedian, r.unit),
                formatValue(r.headMedian, r.unit),
                signedPercent(r.changePercent),
                `${signedPercent(r.changeCi95Percent[0])} … ${signedPercent(r.changeCi95Percent[1])}`,
                formatP(r.pValue),
              ]),
            },
          },
        ];
  const others: Cell[][] = [
    ...c.onlyInBase.map((k) => [k, 'only in base']),
    ...c.onlyInHead.map((k) => [k, 'only in head']),
    ...c.notComparable.map((n) => [n.key, n.reason]),
  ];
  return {
    id: 'comparison',
    title: 'Comparison with the baseline',
    paragraphs: [
      `Base ${c.base.runId} (${c.base.host}, ${c.base.startedAt}) against head ${c.head.runId} (${c.head.host}, ${c.head.startedAt}).`,
      `${c.regressions} regressed, ${c.improvements} improved, ${c.rows.length - c.regressions - c.improvements} unchanged of ${c.rows.length} compared. A change is a regression only when the Mann-Whitney U test gives p < ${c.options.alpha} and the median is worse by more than the ${c.options.thresholdPercent}% noise threshold.`,
      ...(rows.length === 0 ? ['No measurement is present in both documents.'] : []),
    ],
    figures,
    tables: others.length > 0 ? [{ caption: 'not compared', columns: ['measurement', 'why'], numeric: [false, false], rows: others }] : [],
  };
}

export function buildComparison({ docs, baseline, thresholdPercent, alpha }: SectionContext): Section | null {
  const head = docs[0];
  return baseline && head ? comparisonSection(compareDocuments(baseline, head, { thresholdPercent, alpha })) : null;
}
