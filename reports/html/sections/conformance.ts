/** Conformance: checks per outcome for each runtime column, and the matrix of every check with its reason. */
import { layerName } from '../../../core/format.ts';
import type { Cell, Figure, Section, SectionContext, TableModel } from '../types.ts';

export function buildConformance({ docs }: SectionContext): Section | null {
  if (docs.length === 0) return null;
  const results = docs.flatMap((d) => d.conformance);
  if (results.length === 0) {
    return {
      id: 'conformance',
      title: 'Conformance',
      paragraphs: ['No conformance results in these documents: the conformance checks were not run.'],
      figures: [],
      tables: [],
    };
  }
  const multiHost = new Set(results.map((r) => r.labels.host)).size > 1;
  const colOf = (r: (typeof results)[number]) =>
    `${r.labels.runtime} (${layerName(r.labels)}, ${r.labels.workloadKind}${r.labels.emulated ? ', emulated' : ''})${multiHost ? ` @${r.labels.host}` : ''}`;
  const cols = [...new Set(results.map(colOf))];
  const checks = new Map<string, { area: string; title: string; level: string; specRef: string; cells: Map<string, Cell> }>();
  const tone = { passed: 'good', failed: 'bad', errored: 'bad', skipped: 'muted' } as const;
  for (const r of results) {
    const c = checks.get(r.checkId) ?? { area: r.area, title: r.title, level: r.level, specRef: r.specRef, cells: new Map() };
    c.cells.set(colOf(r), { text: `${r.outcome.status}${r.outcome.reason ? `: ${r.outcome.reason}` : ''}`, tone: tone[r.outcome.status] });
    checks.set(r.checkId, c);
  }
  const statuses = ['passed', 'failed', 'errored', 'skipped'] as const;
  const counts = statuses.map((s) => cols.map((col) => results.filter((r) => colOf(r) === col && r.outcome.status === s).length));
  const summary: Figure = {
    id: 'conformance-summary',
    title: 'Checks per outcome',
    chart: {
      type: 'bar',
      axis: 'checks',
      scale: 'zero',
      stacked: true,
      labels: cols,
      datasets: statuses.map((s, i) => ({ label: s, data: counts[i] ?? [], tone: tone[s] })),
    },
    table: {
      caption: 'checks per outcome',
      columns: ['runtime', ...statuses],
      numeric: [false, true, true, true, true],
      rows: cols.map((col, j) => [col, ...statuses.map((_, i) => String(counts[i]?.[j] ?? 0))]),
    },
  };
  const matrix: TableModel = {
    caption: 'conformance matrix',
    columns: ['check', 'level', 'spec', ...cols],
    numeric: [false, false, false, ...cols.map(() => false)],
    rows: [...checks].map(([id, c]) => [
      `${id}: ${c.title}`,
      c.level,
      c.specRef,
      ...cols.map((col) => c.cells.get(col) ?? { text: 'not run', tone: 'muted' as const }),
    ]),
  };
  return {
    id: 'conformance',
    title: 'Conformance',
    paragraphs: ['Each check names the OCI runtime-spec rule it tests and its RFC 2119 level.'],
    figures: [summary],
    tables: [matrix],
  };
}
