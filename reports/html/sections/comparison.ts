/**
 * Comparison with the baseline: base and head environments side by side, then the change of
 * every median both documents hold, with its interval and the band of ± the threshold inside
 * which a change counts as none, in the report's one order (metric, then configuration).
 */
import { describeMethod } from '../../compare-method.ts';
import { type Comparison, type ComparisonRow, compareDocuments, describeCounts, familySize, type Verdict } from '../../../core/compare.ts';
import type { Layer, ResultsDocument } from '../../../core/schema.ts';
import { comparisonCells, environmentSummary } from '../../compare-cells.ts';
import { failureRatesTable } from '../../compare-failures.ts';
import { compareConfigurations, configurationOf, LAYER_ORDER } from '../../configurations.ts';
import { metricInfo, metricOrder } from '../../metrics.ts';
import { SUITE_ORDER } from '../../summary-matrix.ts';
import { round } from '../figures.ts';
import { TONE_COLORS } from '../palette.ts';
import { environmentSideBySide } from '../side-by-side.ts';
import type { Cell, Figure, Section, SectionContext, TableModel, Tone } from '../types.ts';

const VERDICT_TONE: Record<Verdict, Tone> = { regressed: 'bad', improved: 'good', changed: 'warn', inconclusive: 'warn', 'no-change': 'muted' };

const pos = (xs: readonly string[], x: string): number => (xs.includes(x) ? xs.indexOf(x) : xs.length);

export function comparisonSection(c: Comparison, base: ResultsDocument, head: ResultsDocument): Section {
  const configOf = (r: ComparisonRow) =>
    configurationOf(head, {
      host: head.host.hostname,
      layer: r.layer as Layer,
      arch: r.arch,
      emulated: r.emulated,
      runtime: r.runtime,
      workloadKind: r.workloadKind === 'wasm' ? 'wasm' : 'native',
    });
  const cells = comparisonCells(c).sort(
    (a, b) =>
      pos(LAYER_ORDER, a.row.layer) - pos(LAYER_ORDER, b.row.layer) ||
      pos(SUITE_ORDER, a.row.suite) - pos(SUITE_ORDER, b.row.suite) ||
      metricOrder(a.row.metric) - metricOrder(b.row.metric) ||
      a.row.metric.localeCompare(b.row.metric) ||
      a.row.workload.localeCompare(b.row.workload) ||
      compareConfigurations(configOf(a.row), configOf(b.row)),
  );
  const label = (r: ComparisonRow) => `${metricInfo(r.metric).short} · ${configOf(r).label}${r.layer !== 'oci' ? ` · ${r.layer}` : ''}`;
  const level = `${Number(((1 - c.options.alpha) * 100).toFixed(1))}% interval`;
  const t = c.options.thresholdPercent;
  const figures: Figure[] =
    cells.length === 0
      ? []
      : [
          {
            id: 'comparison-change',
            title: 'Change of the median, head against base',
            chart: {
              type: 'change',
              axis: '% change of the median (head against base)',
              labels: cells.map((x) => label(x.row)),
              change: cells.map(({ row: r }) => (Number.isFinite(r.changePercent) ? round(r.changePercent) : 0)),
              interval: cells.map(({ row: r }) => [round(r.changeCiPercent[0]), round(r.changeCiPercent[1])]),
              tones: cells.map(({ row: r }) => VERDICT_TONE[r.verdict]),
              thresholdPercent: t,
              legend: [
                { label: 'regressed', color: TONE_COLORS.bad },
                { label: 'improved', color: TONE_COLORS.good },
                { label: 'inconclusive or changed', color: TONE_COLORS.warn },
                { label: 'no change', color: TONE_COLORS.muted },
                { label: `±${t}%: no change`, color: '#dde8f3' },
              ],
            },
            table: {
              caption: `Every measurement in both documents: the point is the change of the median, the whisker its ${level}`,
              columns: ['verdict', 'measurement', 'configuration', 'base', 'head', 'change', level, 'p', `p ${c.options.correction}`, 'n', 'why'],
              numeric: [false, false, false, true, true, true, true, true, true, true, false],
              rows: cells.map((x): Cell[] => [
                { text: x.verdict, tone: VERDICT_TONE[x.row.verdict] },
                `${metricInfo(x.row.metric).title} · ${x.row.workload}, ${x.row.layer}`,
                `${configOf(x.row).label}${x.row.emulated ? `, ${x.row.arch} emulated` : ''}`,
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
  const tables: TableModel[] = others.length > 0 ? [{ caption: 'Not compared', columns: ['measurement', 'why'], numeric: [false, false], rows: others }] : [];
  return {
    id: 'comparison',
    title: 'Comparison with the baseline',
    paragraphs: [
      `Base ${c.base.runId} (${c.base.host}, ${c.base.startedAt}) against head ${c.head.runId} (${c.head.host}, ${c.head.startedAt}): ${c.baseRuns + 1} results documents. ${environmentSummary(c)}`,
      `${describeCounts(c)}. ${describeMethod(c.options, c.rows, familySize(c))}`,
      ...(cells.length === 0 ? ['No measurement is present in both documents.'] : []),
    ],
    lead: [environmentSideBySide(c, base, head)],
    figures,
    tables: [...[failureRatesTable(c)].filter((t) => t !== null), ...tables],
  };
}

export function buildComparison({ docs, baseline, thresholdPercent, alpha }: SectionContext): Section | null {
  const head = docs[0];
  return baseline && head ? comparisonSection(compareDocuments(baseline, head, { thresholdPercent, alpha }), baseline, head) : null;
}
