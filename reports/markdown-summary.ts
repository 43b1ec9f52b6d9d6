/**
 * The Markdown a reader sees first, in a pull request or a CI job summary: who is best at
 * what (only where the samples say so), the runtime × metric matrix with its tie groups, what
 * failed, errored or was skipped and why, the hosts and their load, and how to run it again.
 * Built on the summary matrix (summary-matrix.ts), as the HTML report's summary is, so both say
 * the same. `toMarkdownSummary` is the concise form `$GITHUB_STEP_SUMMARY` gets.
 */
import { formatValue } from '../core/format.ts';
import { commandLine } from '../core/provenance.ts';
import { rankingNote } from '../core/ranking.ts';
import type { ResultsDocument } from '../core/schema.ts';
import { mdCell } from './escape.ts';
import { EMULATED_NOTE } from './groups.ts';
import { codeBlock, mdTable } from './markdown-blocks.ts';
import { noiseWarning } from './noise.ts';
import { bestText, type SummaryCell, type SummaryMatrix, summaryMatrix } from './summary-matrix.ts';

/** How many configurations of a block have a figure in a column: with one, there is no best to speak of. */
function measuredIn(matrix: SummaryMatrix, block: string, j: number): number {
  return matrix.rows.filter((r, i) => r.block === block && matrix.cells[i]?.[j]?.status === 'measured').length;
}

/** One line per best of a headline column: the winner with its lead, or the tie. */
export function headlinesMarkdown(matrix: SummaryMatrix): string[] {
  const blocks = new Set(matrix.rows.map((r) => r.block));
  const out = matrix.best
    .filter(
      (b) =>
        b.headline &&
        measuredIn(
          matrix,
          b.block,
          matrix.columns.findIndex((c) => c.key === b.column),
        ) > 1,
    )
    .map((b) => {
      const col = matrix.columns.find((c) => c.key === b.column);
      const where = blocks.size > 1 ? ` (${b.blockTitle})` : '';
      return `- **${mdCell(col?.best ?? b.column)}**${mdCell(where)}: ${mdCell(bestText(matrix, b))}`;
    });
  return out.length > 0 ? [...out, ''] : [];
}

function cellText(c: SummaryCell, alone: boolean): string {
  switch (c.status) {
    case 'measured': {
      const median = c.winner && !alone ? `**${mdCell(c.text)}**` : mdCell(c.text);
      return `${median} ${c.tied ? '=' : ''}${c.rank}`;
    }
    case 'no value':
      return 'no value';
    case 'errored':
    case 'failed':
      return `*${c.status}*`;
    default:
      return '—';
  }
}

/** The matrix, one table per layer and arch (ranks compare only within one), rows in the report's one order. */
export function matrixMarkdown(matrix: SummaryMatrix): string[] {
  if (matrix.rows.length === 0) return ['No measurements in these documents.', ''];
  const blocks = [...new Set(matrix.rows.map((r) => r.block))];
  const out: string[] = [];
  for (const block of blocks) {
    const rows = matrix.rows.flatMap((r, i) => (r.block === block ? [{ r, cells: matrix.cells[i] ?? [] }] : []));
    const cols = matrix.columns.flatMap((c, j) => (rows.some((x) => x.cells[j]?.status !== 'not measured') ? [{ c, j }] : []));
    const first = rows[0]?.r;
    if (blocks.length > 1 && first) out.push(`#### ${mdCell(first.blockTitle)}`, '');
    if (first?.emulated) out.push(EMULATED_NOTE, '');
    const workloads = (metric: string) => new Set(cols.filter((x) => x.c.metric === metric).map((x) => x.c.workload)).size;
    const nText = (j: number) => {
      const ns = rows.flatMap((x) => {
        const c = x.cells[j];
        return c?.status === 'measured' ? [c.n] : [];
      });
      const lo = Math.min(...ns);
      const hi = Math.max(...ns);
      return ns.length === 0 ? '' : lo === hi ? ` · n=${lo}` : ` · n=${lo}–${hi}`;
    };
    const header = ['runtime', ...cols.map(({ c, j }) => mdCell(`${workloads(c.metric) > 1 ? `${c.short} · ${c.workload}` : c.short}${nText(j)}`))];
    const manyHosts = new Set(rows.map((x) => x.r.host)).size > 1;
    out.push(
      ...mdTable(
        header,
        rows.map(({ r, cells }) => [
          mdCell(`${r.label}${manyHosts ? ` @${r.host}` : ''}`),
          ...cols.map(({ j }) => cellText(cells[j] ?? { status: 'not measured' }, measuredIn(matrix, block, j) < 2)),
        ]),
        ['l', ...cols.map(() => 'r' as const)],
      ),
      '',
    );
  }
  out.push(
    `Each cell: the median of n samples and its tie group among the runtimes of the same layer and arch; **bold** marks a column's winner, only where its best group has one member and others were measured. ${rankingNote()}`,
    '',
  );
  return out;
}

/** What failed, errored or was skipped, one line per reason, most serious first. */
export function problemsMarkdown(matrix: SummaryMatrix): string[] {
  if (matrix.problems.length === 0) return [];
  const manyHosts = new Set(matrix.problems.map((p) => p.host)).size > 1;
  return [
    ...mdTable(
      ['outcome', 'runtime', 'where', 'suite', 'reason'],
      matrix.problems.map((p) => [
        p.status === 'errored' || p.status === 'failed' ? `**${p.status}**` : p.status,
        mdCell(p.runtimes.join(', ')),
        mdCell([p.layer && p.arch ? `${p.layer} · ${p.arch}` : '—', manyHosts ? `@${p.host}` : ''].filter(Boolean).join(' ')),
        mdCell(p.suites.join(', ') || '—'),
        mdCell(p.reason),
      ]),
    ),
    '',
  ];
}

/** The host's load while the run sampled, from its noise report. */
function loadText(d: ResultsDocument): string {
  const s = d.noise?.summary;
  if (!s) return 'not recorded';
  const parts = [
    s.maxLoadAvg1 === null ? null : `load average up to ${s.maxLoadAvg1.toFixed(2)} on ${d.host.cores} cores`,
    s.maxStealPct === null ? null : `steal up to ${s.maxStealPct.toFixed(1)}%`,
  ].filter((x): x is string => x !== null);
  return `${parts.join(', ') || 'not recorded'}${s.noisy ? ' (noisy)' : ''}`;
}

function cgroupText(d: ResultsDocument): string {
  const c = d.host.cgroup2Controllers;
  return d.host.cgroupLayout === 'v1' || d.host.cgroupLayout === 'none'
    ? d.host.cgroupLayout
    : `${d.host.cgroupLayout} (cgroup2: ${c.length > 0 ? c.join(' ') : 'no controllers'})`;
}

/** The hosts: OS, kernel, CPU, cgroup layout and load during the run; then each noisy run's warning. */
export function environmentMarkdown(docs: readonly ResultsDocument[]): string[] {
  if (docs.length === 0) return [];
  const out = mdTable(
    ['host', 'OS', 'kernel', 'CPU', 'cgroups', 'load during the run'],
    docs.map((d) => [
      mdCell(d.host.hostname),
      mdCell(d.host.os),
      mdCell(`${d.host.kernel} (${d.host.arch})`),
      mdCell(`${d.host.cpuModel}, ${d.host.cores} cores, ${formatValue(d.host.memoryBytes, 'bytes')}`),
      mdCell(cgroupText(d)),
      mdCell(loadText(d)),
    ]),
  );
  out.push('');
  for (const d of docs) {
    const noisy = noiseWarning(d);
    if (noisy) out.push(`> **Warning:** ${mdCell(noisy)}`, '');
  }
  return out;
}

/** Each runtime's version as one line, for the concise summary: "runc 1.1.5, crun 1.8.1, youki (missing)". */
function versionsLine(docs: readonly ResultsDocument[]): string {
  const seen = new Map<string, string>();
  for (const d of docs) {
    for (const r of d.runtimes) seen.set(r.name, r.status === 'ok' ? `${r.name} ${r.version ?? '(version unknown)'}` : `${r.name} (${r.status})`);
  }
  return `Runtimes: ${mdCell([...seen.values()].join(', ') || 'none')}.`;
}

/** Each run: when, which runbench, and the command line that made it, to paste into a shell. */
export function reproduceMarkdown(docs: readonly ResultsDocument[]): string[] {
  const out: string[] = [];
  for (const d of docs) {
    const tool = `runbench ${d.tool.version}${d.tool.commit ? ` (commit ${d.tool.commit.slice(0, 12)}${d.tool.commit.endsWith('-dirty') ? '-dirty' : ''})` : ''}`;
    out.push(
      `Run ${mdCell(d.runId)} on ${mdCell(d.host.hostname)}, ${mdCell(d.startedAt)} → ${mdCell(d.finishedAt)}, ${mdCell(tool)}, config ${mdCell(d.config.digest.slice(0, 19))}${d.invocation ? ` (in ${mdCell(d.invocation.cwd)}):` : '; the command line was not recorded.'}`,
      '',
    );
    if (d.invocation) out.push(...codeBlock(commandLine(d.invocation), 'sh'), '');
  }
  return out;
}

/** Thresholds of the run: counts, and each breach or unchecked one with its reason. */
export function thresholdsMarkdown(docs: readonly ResultsDocument[]): string[] {
  const checks = docs.flatMap((d) => d.thresholds ?? []);
  if (checks.length === 0) return [];
  const count = (s: string) => checks.filter((c) => c.outcome.status === s).length;
  const out = [`Thresholds: ${count('passed')} passed, **${count('failed')} breached**, ${count('skipped')} not checked.`, ''];
  const notPassed = checks.filter((c) => c.outcome.status !== 'passed');
  if (notPassed.length > 0)
    out.push(
      ...mdTable(
        ['threshold', 'runtime', 'outcome', 'reason'],
        notPassed.map((c) => [
          mdCell(c.threshold),
          mdCell(c.labels ? `${c.labels.runtime} (${c.labels.workloadKind})` : '—'),
          c.outcome.status === 'failed' ? '**breached**' : 'not checked',
          mdCell(c.outcome.reason ?? ''),
        ]),
      ),
      '',
    );
  return out;
}

/** The concise summary for a CI job: headlines, matrix, problems, thresholds, hosts, versions, the command. */
export function toMarkdownSummary(docs: readonly ResultsDocument[]): string {
  const matrix = summaryMatrix(docs);
  const hosts = [...new Set(docs.map((d) => d.host.hostname))];
  const out = [`### runbench: ${mdCell(hosts.join(', ') || 'no results')}${docs[0] ? `, ${mdCell(docs[0].startedAt.slice(0, 10))}` : ''}`, ''];
  out.push(...headlinesMarkdown(matrix), ...matrixMarkdown(matrix));
  const problems = problemsMarkdown(matrix);
  if (problems.length > 0) out.push('**Failed, errored or skipped**', '', ...problems);
  out.push(...thresholdsMarkdown(docs), ...environmentMarkdown(docs), versionsLine(docs), '', ...reproduceMarkdown(docs));
  return `${out.join('\n').trimEnd()}\n`;
}
