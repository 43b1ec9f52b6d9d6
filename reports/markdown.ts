/**
 * Markdown fit to paste into a pull request: the summary first (who is best at what, only
 * where the samples say so; the runtime × metric matrix with its tie groups; what failed,
 * errored or was skipped and why), then the hosts with their load, the runtimes' versions and
 * the command line, then every metric's figures (median, p95, its interval, rank, ratio to the
 * best, n), the ways to run Wasm, facts and conformance. A pure function of the documents.
 */
import { formatInterval, formatValue, layerName } from '../core/format.ts';
import { rankLabel, ratioText } from '../core/ranking.ts';
import type { Measurement, ResultsDocument } from '../core/schema.ts';
import { compareConfigurations, configurationOf } from './configurations.ts';
import { engineMarkdown } from './engines-text.ts';
import { mdCell } from './escape.ts';
import { EMULATED_NOTE, groupMeasurements, noValue, samplesText } from './groups.ts';
import { wasmWaysSection } from './html/sections/wasm-ways.ts';
import { collapsed, mdTable, plural } from './markdown-blocks.ts';
import { environmentMarkdown, headlinesMarkdown, matrixMarkdown, problemsMarkdown, reproduceMarkdown, thresholdsMarkdown } from './markdown-summary.ts';
import { byProcessLines, DENSITY_COLUMNS, DENSITY_NOTE, DENSITY_NUMERIC, densityCells, densityRows, stopLines } from './density.ts';
import { metricInfo } from './metrics.ts';
import { reliabilityMarkdown } from './reliability.ts';
import { summaryMatrix } from './summary-matrix.ts';
import { podTimelineSection } from './html/sections/pod-timeline.ts';

export { comparisonToMarkdown, environmentToMarkdown } from './markdown-compare.ts';

/** Every runtime each run looked for: version, how it is driven, path, and why it was not usable. */
function runtimesMarkdown(docs: readonly ResultsDocument[]): string[] {
  const manyHosts = new Set(docs.map((d) => d.host.hostname)).size > 1;
  const rows = docs.flatMap((d) =>
    d.runtimes.map((r) => [
      ...(manyHosts ? [mdCell(d.host.hostname)] : []),
      mdCell(r.name),
      mdCell(r.version ?? '—'),
      mdCell([r.kind, ...r.globalArgs].join(' ')),
      mdCell(r.path ?? '—'),
      r.status === 'ok' ? 'ok' : `**${r.status}**${r.reason ? `: ${mdCell(r.reason)}` : ''}`,
    ]),
  );
  if (rows.length === 0) return [];
  return [...mdTable([...(manyHosts ? ['host'] : []), 'runtime', 'version', 'driven as', 'path', 'status'], rows), ''];
}

/** One table per metric, layer, workload and arch, rows in the report's one order. */
function figuresMarkdown(docs: readonly ResultsDocument[]): string[] {
  const docOf = new Map<Measurement, ResultsDocument>(docs.flatMap((d) => d.measurements.map((m) => [m, d] as const)));
  const config = (m: Measurement) => configurationOf(docOf.get(m) as ResultsDocument, m.labels);
  const out: string[] = [];
  let emulatedSeen = false;
  for (const g of groupMeasurements(docs)) {
    if (g.emulated && !emulatedSeen) {
      emulatedSeen = true;
      out.push('### Emulated', '', EMULATED_NOTE, '');
    }
    const info = metricInfo(g.metric);
    out.push(`#### ${mdCell(`${info.title} (${g.workload}; ${g.layer} · ${g.arch}${g.emulated ? ', emulated' : ''})`)}`, '');
    const entries = [...g.entries].sort((a, b) => compareConfigurations(config(a.measurement), config(b.measurement)));
    out.push(
      ...mdTable(
        ['runtime', 'median', 'p95', '95% CI of median', 'rank', 'ratio to best (95% CI)', 'n'],
        entries.map((e) => {
          const s = e.measurement.stats;
          const label = mdCell(`${config(e.measurement).label}${g.hosts.length > 1 ? ` @${e.measurement.labels.host}` : ''}`);
          const n = samplesText(e.measurement);
          if (!s) return [label, noValue(e.measurement), '—', '—', '—', '—', n];
          return [
            label,
            formatValue(s.median, g.unit),
            formatValue(s.p95, g.unit),
            formatInterval(s.ci95Median[0], s.ci95Median[1], g.unit, s.ci95MedianCoverage),
            rankLabel(e.ranked),
            ratioText(e.ranked),
            n,
          ];
        }),
        ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
      ),
      '',
    );
  }
  return out;
}

function sectionMarkdown(ways: ReturnType<typeof wasmWaysSection>): string[] {
  if (!ways) return [];
  const out = [`## ${mdCell(ways.title)}`, '', ...ways.paragraphs.map(mdCell), ''];
  for (const t of ways.tables) {
    out.push(
      `#### ${mdCell(t.caption)}`,
      '',
      ...mdTable(
        t.columns.map(mdCell),
        t.rows.map((r) => r.map((c) => mdCell(typeof c === 'string' ? c : c.text))),
        t.numeric.map((n) => (n ? 'r' : 'l')),
      ),
      '',
    );
  }
  return out;
}

function wasmWaysMarkdown(docs: readonly ResultsDocument[]): string[] {
  const ways = sectionMarkdown(wasmWaysSection(docs));
  return ways.length === 0 ? [] : [...ways, ...engineMarkdown(docs)];
}

function factsMarkdown(docs: readonly ResultsDocument[]): string[] {
  const facts = docs.flatMap((d) => d.facts);
  if (facts.length === 0) return [];
  return [
    '## Facts',
    '',
    ...mdTable(
      ['host', 'runtime', 'fact', 'value', 'detail'],
      facts.map((f) => [
        mdCell(f.labels.host),
        mdCell(`${f.labels.runtime} (${f.labels.workloadKind})`),
        mdCell(f.name),
        mdCell(String(f.value)),
        mdCell(f.detail),
      ]),
    ),
    '',
  ];
}

const STATUS_MARK: Record<string, string> = { passed: 'PASS', failed: '**FAIL**', errored: '**ERR**', skipped: 'SKIP' };

/** The check × runtime matrix (a column per runtime, layer and arch), collapsed; then every failure, error and skip with its reason. */
function conformanceMarkdown(docs: readonly ResultsDocument[]): string[] {
  const results = docs.flatMap((d) => d.conformance);
  if (results.length === 0) return [];
  const multiHost = new Set(results.map((r) => r.labels.host)).size > 1;
  const colOf = (r: (typeof results)[number]) =>
    `${r.labels.runtime} · ${layerName(r.labels)} · ${r.labels.arch}${r.labels.emulated ? ' (emulated)' : ''}${multiHost ? ` @${r.labels.host}` : ''}`;
  const cols = [...new Set(results.map(colOf))];
  const checks = new Map<string, { level: string; cells: Map<string, string> }>();
  for (const r of results) {
    const c = checks.get(r.checkId) ?? { level: r.level, cells: new Map<string, string>() };
    c.cells.set(colOf(r), STATUS_MARK[r.outcome.status] ?? r.outcome.status);
    checks.set(r.checkId, c);
  }
  const mustFailed = results.filter((r) => r.level === 'MUST' && r.outcome.status === 'failed').length;
  const count = (s: string) => results.filter((r) => r.outcome.status === s).length;
  const out: string[] = ['## Conformance', ''];
  out.push(
    `${count('passed')} passed, ${count('failed')} failed (${mustFailed} MUST), ${count('skipped')} skipped, ${count('errored')} errored.`,
    '',
    ...collapsed(`Every check (${plural(checks.size, 'check')} × ${plural(cols.length, 'column')})`, [
      ...mdTable(
        ['check', 'level', ...cols.map(mdCell)],
        [...checks].map(([id, c]) => [mdCell(id), c.level, ...cols.map((col) => c.cells.get(col) ?? '—')]),
      ),
      '',
    ]),
  );
  const notPassed = results.filter((r) => r.outcome.status !== 'passed');
  if (notPassed.length > 0) {
    out.push(
      '### Failures, errors and skips',
      '',
      ...mdTable(
        ['runtime', 'check', 'outcome', 'reason'],
        notPassed.map((r) => [mdCell(colOf(r)), mdCell(r.checkId), r.outcome.status, mdCell(r.outcome.reason ?? '')]),
      ),
      '',
    );
  }
  return out;
}

/** Density: containers per GiB and what stopped each fill. */
function densityMarkdown(docs: readonly ResultsDocument[]): string[] {
  const density = densityRows(docs);
  if (density.length === 0) return [];
  const out = [
    '## Density',
    '',
    mdCell(DENSITY_NOTE),
    '',
    ...mdTable(
      [...DENSITY_COLUMNS],
      density.map((r) => densityCells(r).map(mdCell)),
      DENSITY_NUMERIC.map((n) => (n ? 'r' : 'l')),
    ),
    '',
    ...stopLines(density).map((l) => `- ${mdCell(l)}`),
    '',
  ];
  const parts = byProcessLines(density);
  if (parts.length > 0) out.push('Footprint per container, by process:', '', ...parts.map((l) => `- ${mdCell(l)}`), '');
  return out;
}

export function toMarkdown(docs: readonly ResultsDocument[]): string {
  const matrix = summaryMatrix(docs);
  const out: string[] = ['# runbench results', ''];
  out.push('## Summary', '', ...headlinesMarkdown(matrix), ...matrixMarkdown(matrix));
  const problems = problemsMarkdown(matrix);
  out.push('## Failed, errored or skipped', '', ...(problems.length > 0 ? problems : ['Nothing failed, errored or was skipped.', '']));
  const thresholds = thresholdsMarkdown(docs);
  if (thresholds.length > 0) out.push('## Thresholds', '', ...thresholds);
  out.push('## Environment', '', ...environmentMarkdown(docs), ...runtimesMarkdown(docs), ...reproduceMarkdown(docs));
  const figures = figuresMarkdown(docs);
  if (figures.length > 0) out.push('## Figures', '', ...figures);
  out.push(...densityMarkdown(docs), ...reliabilityMarkdown(docs));
  out.push(...sectionMarkdown(podTimelineSection(docs)), ...wasmWaysMarkdown(docs), ...factsMarkdown(docs), ...conformanceMarkdown(docs));
  return `${out.join('\n').trimEnd()}\n`;
}
