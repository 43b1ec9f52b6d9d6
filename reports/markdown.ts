/**
 * Markdown: per metric, every runtime's median with its 95% CI, its rank and its ratio to the best with an interval;
 * the conformance matrix; then what was not measured and why. Fit for a CI job summary. A pure function of the documents.
 */
import { type Comparison, describeCounts, describeMethod, type Verdict } from '../core/compare.ts';
import { comparisonCells, environmentRows, environmentSummary } from './compare-cells.ts';
import { formatInterval, formatValue } from '../core/format.ts';
import { rankingNote, rankLabel, ratioText } from '../core/ranking.ts';
import type { ResultsDocument } from '../core/schema.ts';
import { mdCell } from './escape.ts';
import { noiseWarning } from './noise.ts';
import { EMULATED_NOTE, groupMeasurements, noValue, notMeasured, samplesText } from './groups.ts';
import { wasmWaysSection } from './html/sections/wasm-ways.ts';
import { podTimelineSection } from './html/sections/pod-timeline.ts';

function table(header: string[], rows: string[][], align?: ('l' | 'r')[]): string[] {
  const sep = header.map((_, i) => ((align?.[i] ?? 'l') === 'r' ? '---:' : '---'));
  return [`| ${header.join(' | ')} |`, `| ${sep.join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

export function toMarkdown(docs: readonly ResultsDocument[]): string {
  const out: string[] = ['# runbench results', ''];
  out.push(
    ...table(
      ['host', 'arch', 'kernel', 'run', 'started'],
      docs.map((d) => [mdCell(d.host.hostname), mdCell(d.host.arch), mdCell(d.host.kernel), mdCell(d.runId), mdCell(d.startedAt)]),
    ),
    '',
  );
  for (const d of docs) {
    const noisy = noiseWarning(d);
    if (noisy) out.push(`> **Warning:** ${mdCell(noisy)}`, '');
  }
  const groups = groupMeasurements(docs);
  if (groups.length === 0) out.push('No measurements in these documents.', '');
  let emulatedSeen = false;
  for (const g of groups) {
    if (g.emulated && !emulatedSeen) {
      emulatedSeen = true;
      out.push('## Emulated', '', EMULATED_NOTE, '');
    }
    out.push(`### ${mdCell(g.title)}`, '');
    out.push(
      ...table(
        ['runtime', 'median', '95% CI of median', 'rank', 'ratio to best (95% CI)', 'n'],
        g.entries.map((e) => {
          const s = e.measurement.stats;
          const n = samplesText(e.measurement);
          if (!s) return [mdCell(e.label), noValue(e.measurement), '—', '—', '—', n];
          return [
            mdCell(e.label),
            formatValue(s.median, g.unit),
            formatInterval(s.ci95Median[0], s.ci95Median[1], g.unit, s.ci95MedianCoverage),
            rankLabel(e.ranked),
            ratioText(e.ranked),
            n,
          ];
        }),
        ['l', 'r', 'r', 'r', 'r', 'r'],
      ),
      '',
    );
  }
  if (groups.length > 0) out.push(rankingNote(), '');
  for (const section of [podTimelineSection(docs), wasmWaysSection(docs)]) {
    if (!section) continue;
    out.push(`## ${section.title}`, '', ...section.paragraphs.flatMap((p) => [p, '']));
    for (const t of section.tables) {
      const rows = t.rows.map((r) => r.map((c) => mdCell(typeof c === 'string' ? c : c.text)));
      out.push(
        `### ${mdCell(t.caption)}`,
        '',
        ...table(
          t.columns.map(mdCell),
          rows,
          t.numeric.map((n) => (n ? 'r' : 'l')),
        ),
        '',
      );
    }
  }
  const facts = docs.flatMap((d) => d.facts);
  if (facts.length > 0) {
    out.push('## Facts', '');
    out.push(
      ...table(
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
    );
  }
  out.push(...conformanceMarkdown(docs));
  const missing = notMeasured(docs);
  if (missing.length > 0) {
    out.push('## Not measured', '');
    out.push(
      ...table(
        ['host', 'runtime', 'layer', 'suite', 'outcome', 'reason'],
        missing.map((r) => [mdCell(r.host), mdCell(r.runtime), mdCell(r.layer), mdCell(r.suite), r.outcome.status, mdCell(r.outcome.reason ?? '')]),
      ),
      '',
    );
  }
  return `${out.join('\n')}\n`;
}

const STATUS_MARK: Record<string, string> = { passed: 'PASS', failed: '**FAIL**', errored: '**ERR**', skipped: 'SKIP' };

/** The check × runtime matrix (a column per runtime, layer and arch), then every failure, error and skip with its reason. */
function conformanceMarkdown(docs: readonly ResultsDocument[]): string[] {
  const results = docs.flatMap((d) => d.conformance);
  if (results.length === 0) return [];
  const multiHost = new Set(results.map((r) => r.labels.host)).size > 1;
  const colOf = (r: (typeof results)[number]) =>
    `${r.labels.runtime} · ${r.labels.layer} · ${r.labels.arch}${r.labels.emulated ? ' (emulated)' : ''}${multiHost ? ` @${r.labels.host}` : ''}`;
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
    ...table(
      ['check', 'level', ...cols.map(mdCell)],
      [...checks].map(([id, c]) => [mdCell(id), c.level, ...cols.map((col) => c.cells.get(col) ?? '—')]),
    ),
    '',
  );
  const notPassed = results.filter((r) => r.outcome.status !== 'passed');
  if (notPassed.length > 0) {
    out.push(
      '### Failures, errors and skips',
      '',
      ...table(
        ['runtime', 'check', 'outcome', 'reason'],
        notPassed.map((r) => [mdCell(colOf(r)), mdCell(r.checkId), r.outcome.status, mdCell(r.outcome.reason ?? '')]),
      ),
      '',
    );
  }
  return out;
}

const VERDICT_MARK: Record<Verdict, string> = {
  regressed: '🔴 regressed',
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
    environmentSummary(c),
    '',
  ];
  const rows = environmentRows(c);
  if (rows.length > 0)
    out.push(
      ...table(
        ['what', 'base', 'head', ''],
        rows.map((r) => r.map(mdCell)),
      ),
      '',
    );
  return `${out.join('\n')}\n`;
}

/** The comparison as a Markdown table: regressions first. */
export function comparisonToMarkdown(c: Comparison): string {
  const out: string[] = ['## runbench compare', ''];
  out.push(environmentToMarkdown(c), describeMethod(c.options, c.rows.length), '', `**${describeCounts(c)}.**`, '');
  const cells = comparisonCells(c);
  if (cells.length > 0) {
    const level = `${Number(((1 - c.options.alpha) * 100).toFixed(1))}% interval`;
    out.push(
      ...table(
        ['verdict', 'layer', 'suite', 'metric', 'runtime', 'workload', 'arch', 'base', 'head', 'change', level, 'p', `p ${c.options.correction}`, 'n', 'why'],
        cells.map(({ row: r, ...x }) => [
          VERDICT_MARK[r.verdict],
          mdCell(r.layer),
          mdCell(r.suite),
          mdCell(r.metric),
          mdCell(r.runtime),
          mdCell(`${r.workload} (${r.workloadKind})`),
          mdCell(r.arch + (r.emulated ? ', emulated' : '')),
          x.base,
          x.head,
          x.change,
          x.interval,
          x.p,
          x.pAdjusted,
          x.n,
          mdCell(x.why),
        ]),
        ['l', 'l', 'l', 'l', 'l', 'l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
      ),
      '',
    );
  }
  const others = [
    ...c.onlyInBase.map((k) => [mdCell(k), 'only in base']),
    ...c.onlyInHead.map((k) => [mdCell(k), 'only in head']),
    ...c.notComparable.map((n) => [mdCell(n.key), mdCell(n.reason)]),
  ];
  if (others.length > 0) out.push('### Not compared', '', ...table(['measurement', 'why'], others), '');
  return `${out.join('\n')}\n`;
}
