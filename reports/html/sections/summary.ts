/**
 * Summary, the first thing on the page: who is best at what in each layer (or who is tied),
 * then the configuration × metric matrix (reports/summary-matrix.ts), then, in the next
 * section, what failed, errored or was skipped and why.
 */
import { rankingNote, rankLabel } from '../../../core/ranking.ts';
import { noiseWarning } from '../../noise.ts';
import { bestText, PROBLEM_ORDER, type ProblemStatus, type SummaryCell, type SummaryMatrix } from '../../summary-matrix.ts';
import type { Cell, Section, SectionContext, TableModel, Tone } from '../types.ts';

function matrixCell(c: SummaryCell): Cell {
  switch (c.status) {
    case 'measured': {
      const rank = rankLabel({ rank: c.rank, tied: c.tied, ratio: c.ratio, ratioCi: c.ratioCi, pNext: null, method: null });
      if (c.winner) return { text: c.text, badge: { text: 'best', tone: 'good' } };
      if (c.best) return { text: c.text, badge: { text: 'tied best', tone: 'muted' } };
      return { text: c.text, sub: `${c.ratio !== null ? `${c.ratio.toFixed(2)}× ` : ''}(${rank})` };
    }
    case 'no value':
      return { text: 'no value', tone: 'bad', sub: c.reason };
    case 'errored':
    case 'failed':
      return { text: c.status, tone: 'bad', sub: 'see below' };
    default:
      return { text: '—', tone: 'muted' };
  }
}

export function matrixTable(s: SummaryMatrix): TableModel {
  const groups: { before: number; title: string }[] = [];
  s.rows.forEach((r, i) => {
    if (i === 0 || s.rows[i - 1]?.block !== r.block) groups.push({ before: i, title: r.blockTitle });
  });
  return {
    caption: 'Median of each figure per runtime configuration (↓ lower is better, ↑ higher is better)',
    columns: ['configuration', ...s.columns.map((c) => `${c.short} ${c.lowerIsBetter ? '↓' : '↑'}\nn=${c.n[0] === c.n[1] ? c.n[0] : `${c.n[0]}–${c.n[1]}`}`)],
    numeric: [false, ...s.columns.map(() => true)],
    rows: s.rows.map((r, i) => [r.label, ...(s.cells[i] ?? []).map(matrixCell)]),
    groups,
    rowHeaders: true,
    style: 'matrix',
  };
}

const PROBLEM_TONE: Record<ProblemStatus, Tone> = {
  errored: 'bad',
  failed: 'bad',
  'failed samples': 'bad',
  unavailable: 'warn',
  skipped: 'muted',
  'part skipped': 'muted',
};

/**
 * At a glance: a row per suite (the first headline column of each), a column per layer and
 * arch, each cell the winner with its figure and lead, or the tie group.
 */
export function glanceTable(s: SummaryMatrix): TableModel {
  const blocks = [...new Map(s.rows.map((r) => [r.block, r.blockTitle])).entries()];
  const heads = s.best.filter((b) => b.headline);
  const suites = [...new Set(heads.map((b) => s.columns.find((c) => c.key === b.column)?.suite ?? ''))];
  return {
    caption: 'At a glance: the best of each layer, or the configurations tied for it',
    rowHeaders: true,
    columns: ['', ...blocks.map(([, title]) => title)],
    numeric: [false, ...blocks.map(() => false)],
    rows: suites.map((suite) => {
      const first = heads.map((b) => s.columns.find((c) => c.key === b.column)).find((c) => c?.suite === suite);
      return [
        { text: `${first?.best ?? suite} (${first?.short ?? ''})`, tone: undefined },
        ...blocks.map(([block]): Cell => {
          const b = heads.find((h) => h.block === block && s.columns.find((c) => c.key === h.column)?.suite === suite);
          if (!b) return { text: '—', tone: 'muted' };
          const col = s.columns.find((c) => c.key === b.column);
          const text = `${col && col.key !== first?.key ? `${col.short}: ` : ''}${bestText(s, b)}`;
          return b.significant ? { text, tone: 'good' } : { text };
        }),
      ];
    }),
  };
}

export function buildSummary({ docs, summary }: SectionContext): Section | null {
  if (docs.length === 0) return null;
  const warnings = docs.flatMap((d) => {
    const w = noiseWarning(d);
    return w ? [`Warning: ${w}.`] : [];
  });
  if (summary.rows.length === 0) {
    return {
      id: 'summary',
      title: 'Summary',
      paragraphs: [...warnings, 'No runtime configuration gave a figure in these documents.'],
      figures: [],
      tables: [],
    };
  }
  const glance = glanceTable(summary);
  const blocks = new Set(summary.rows.map((r) => r.block)).size;
  // Three samples against three never reach p < 0.05 in a Mann-Whitney test: a tie there is thin data, not a tie.
  // Columns ranked round by round are not bound by it (a paired test on three rounds can).
  const bySamples = (j: number) => summary.cells.some((row) => row[j]?.status === 'measured' && row[j]?.method === 'samples');
  const thin = summary.columns.filter((c, j) => c.n[0] > 0 && c.n[0] < 4 && bySamples(j)).map((c) => `${c.short} (n=${c.n[0]})`);
  return {
    id: 'summary',
    title: 'Summary',
    paragraphs: warnings,
    lead: [glance, matrixTable(summary)],
    figures: [],
    tables: [],
    notes: [
      ...(thin.length > 0
        ? [
            `Too few samples to set anyone apart: ${thin.join(', ')}. With 3 samples a configuration no Mann-Whitney test reaches p < 0.05, so the configurations there are all tied: read that tie as too little data, not as evidence that they are equal.`,
          ]
        : []),
      `A tie: the samples cannot tell those configurations apart. “best” marks a configuration that the samples set apart from every other of its layer${blocks > 1 ? ' (each layer is ranked on its own)' : ''}, by the same test as the tables below. “tied best” marks the configurations that cannot be told apart from the best; no one of them is the best. Elsewhere, × is the ratio to the best median, and (2) the rank: the second tie group, “=2” when others share it. Every figure's distribution, interval and n is in the sections below. ${rankingNote()}`,
    ],
  };
}

export function buildProblems({ docs, summary }: SectionContext): Section | null {
  if (docs.length === 0) return null;
  const p = summary.problems;
  const counts = PROBLEM_ORDER.map((s) => [s, p.filter((x) => x.status === s).length] as const).filter(([, n]) => n > 0);
  const multiHost = new Set(docs.map((d) => d.host.hostname)).size > 1;
  return {
    id: 'problems',
    title: 'Failed, errored, skipped',
    paragraphs: [
      p.length > 0
        ? `${counts.map(([s, n]) => `${n} ${s}`).join(', ')}.`
        : docs.some((d) => d.suiteRuns.length > 0)
          ? 'Every suite ran in full for every runtime configuration.'
          : 'No benchmark suite ran in these documents.',
    ],
    figures: [],
    tables:
      p.length === 0
        ? []
        : [
            {
              caption: 'What did not give a figure, and why (errors first)',
              columns: ['outcome', ...(multiHost ? ['host'] : []), 'layer', 'runtimes', 'suites', 'reason'],
              numeric: [false, ...(multiHost ? [false] : []), false, false, false, false],
              rows: p.map((x) => [
                { text: x.status, tone: PROBLEM_TONE[x.status] },
                ...(multiHost ? [x.host] : []),
                x.layer ? `${x.layer}${x.arch ? ` · ${x.arch}` : ''}` : '—',
                x.runtimes.join(', '),
                x.suites.join(', ') || '—',
                x.reason,
              ]),
            },
          ],
  };
}
