/**
 * A comparison as Markdown for a pull request or a CI job summary: what differs between the
 * environments, the method in one paragraph, the verdict counts, then one short row per
 * measurement that needs a look (regressed, improved, changed, inconclusive), the rows with no
 * change collapsed beneath. A pure function of the comparison.
 */
import { describeMethod } from './compare-method.ts';
import { type Comparison, describeCounts, familySize, type Verdict } from '../core/compare.ts';
import { failureRatesToMarkdown } from './compare-failures.ts';
import { type ComparisonCells, comparisonCells, environmentRows, environmentSummary } from './compare-cells.ts';
import { mdCell } from './escape.ts';
import { collapsed, mdTable, plural } from './markdown-blocks.ts';
import { metricInfo } from './metrics.ts';

const VERDICT_MARK: Record<Verdict, string> = {
  regressed: '🔴 **regressed**',
  improved: '🟢 improved',
  changed: '🟡 changed',
  inconclusive: '⚪ inconclusive',
  'no-change': 'no change',
};

/** Base and head, and what differs between their environments, as Markdown. */
export function environmentToMarkdown(c: Comparison): string {
  const out = [
    `Base ${mdCell(c.base.runId)} (${mdCell(c.base.host)}, ${mdCell(c.base.startedAt)}) → head ${mdCell(c.head.runId)} (${mdCell(c.head.host)}, ${mdCell(c.head.startedAt)}).`,
    '',
    mdCell(environmentSummary(c)),
    '',
  ];
  const rows = environmentRows(c);
  if (rows.length > 0)
    out.push(
      ...mdTable(
        ['what', 'base', 'head', ''],
        rows.map((r) => r.map(mdCell)),
      ),
      '',
    );
  return `${out.join('\n')}\n`;
}

/** The verdict rows: runtime and metric name only what varies among them; the rest is said once above the table. */
function verdictTable(c: Comparison, cells: readonly ComparisonCells[], withNote: boolean): string[] {
  const all = comparisonCells(c);
  const places = new Set(all.map(({ row: r }) => `${r.layer} · ${r.arch}${r.emulated ? ', emulated' : ''}`));
  const workloads = (metric: string) => new Set(all.filter((x) => x.row.metric === metric).map((x) => x.row.workload)).size;
  const p = c.rows.length > 1 ? `p (${c.options.correction})` : 'p';
  const level = `${Number(((1 - c.options.alpha) * 100).toFixed(1))}%`;
  return mdTable(
    ['verdict', 'runtime', 'metric', 'base → head', `change [${level} interval]`, p, 'n', ...(withNote ? ['note'] : [])],
    cells.map(({ row: r, ...x }) => [
      VERDICT_MARK[r.verdict],
      mdCell(`${r.runtime} (${r.workloadKind})${places.size > 1 ? `, ${r.layer} · ${r.arch}${r.emulated ? ', emulated' : ''}` : ''}`),
      mdCell(`${metricInfo(r.metric).short}${workloads(r.metric) > 1 ? ` · ${r.workload}` : ''}`),
      `${x.base} → ${x.head}`,
      `${x.change} [${x.interval}]`,
      x.pAdjusted,
      x.n,
      ...(withNote ? [r.verdict === 'inconclusive' ? mdCell(x.why) : ''] : []),
    ]),
    ['l', 'l', 'l', 'r', 'r', 'r', 'r', 'l'],
  );
}

/** The comparison as Markdown: regressions first, no change collapsed. */
export function comparisonToMarkdown(c: Comparison): string {
  const out: string[] = ['## runbench compare', ''];
  out.push(environmentToMarkdown(c).trimEnd(), '', mdCell(describeMethod(c.options, c.rows, familySize(c))), '', `**${describeCounts(c)}.**`, '');
  const cells = comparisonCells(c);
  const places = [...new Set(cells.map(({ row: r }) => `${r.layer} layer · ${r.arch}${r.emulated ? ' (emulated)' : ''}`))];
  if (places.length === 1) out.push(`Every row: ${mdCell(places[0] ?? '')}.`, '');
  const attention = cells.filter((x) => x.row.verdict !== 'no-change');
  const quiet = cells.filter((x) => x.row.verdict === 'no-change');
  if (attention.length > 0)
    out.push(
      ...verdictTable(
        c,
        attention,
        attention.some((x) => x.row.verdict === 'inconclusive'),
      ),
      '',
    );
  if (quiet.length > 0) out.push(...collapsed(`${plural(quiet.length, 'row')} with no change`, [...verdictTable(c, quiet, false), '']));
  out.push(...failureRatesToMarkdown(c));
  const others = [
    ...c.onlyInBase.map((k) => [mdCell(k), 'only in base']),
    ...c.onlyInHead.map((k) => [mdCell(k), 'only in head']),
    ...c.notComparable.map((n) => [mdCell(n.key), mdCell(n.reason)]),
  ];
  if (others.length > 0) out.push('### Not compared', '', ...mdTable(['measurement', 'why'], others), '');
  return `${out.join('\n').trimEnd()}\n`;
}
