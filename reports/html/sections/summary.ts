/**
 * Summary, the first thing on the page: who is best at what in each layer (or who is tied),
 * then the configuration × metric matrix (reports/summary-matrix.ts), then, in the next
 * section, what failed, errored or was skipped and why.
 */
import { rankLabel } from '../../../core/ranking.ts';
import { noiseWarning } from '../../noise.ts';
import { bestText, PROBLEM_ORDER, type ProblemStatus, type SummaryCell, type SummaryMatrix } from '../../summary-matrix.ts';
import type { Cell, Section, SectionContext, TableModel, Tone } from '../types.ts';

function matrixCell(c: SummaryCell): Cell {
  switch (c.status) {
    case 'measured': {
      const rank = rankLabel({ rank: c.rank, tied: c.tied, ratio: c.ratio, ratioCi: c.ratioCi, pNext: null });
      if (c.winner) return { text: c.text, badge: { text: 'best', tone: 'good' } };
      if (c.best) return { text: c.text, badge: { text: 'tied best', tone: 'muted' } };
      return { text: c.text, sub: `${c.ratio !== null ? `${c.ratio.toFixed(2)}× · ` : ''}rank ${rank}` };
    }
    case 'no value':
      return { text: 'no value', tone: 'bad', sub: c.reason };
    case 'errored':
    case 'failed':
      return { text: c.status, tone: 'bad', sub: 'why: see below' };
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
    columns: ['configuration', ...s.columns.map((c) => `${c.short} ${c.lowerIsBetter ? '↓' : '↑'} n=${c.n[0] === c.n[1] ? c.n[0] : `${c.n[0]}–${c.n[1]}`}`)],
    numeric: [false, ...s.columns.map(() => true)],
    rows: s.rows.map((r, i) => [r.label, ...(s.cells[i] ?? []).map(matrixCell)]),
    groups,
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
  const headlines = summary.best
    .filter((b) => b.headline)
    .map((b) => {
      const col = summary.columns.find((c) => c.key === b.column);
      return {
        lead: `${col?.best ?? b.column} (${b.blockTitle}, ${col?.short ?? ''}):`,
        text: bestText(summary, b),
        tone: b.significant ? ('good' as const) : undefined,
      };
    });
  const blocks = new Set(summary.rows.map((r) => r.block)).size;
  // Three samples against three never reach p < 0.05 in a Mann-Whitney test: a tie there is thin data, not a tie.
  const thin = summary.columns.filter((c) => c.n[0] > 0 && c.n[0] < 4).map((c) => `${c.short} (n=${c.n[0]})`);
  return {
    id: 'summary',
    title: 'Summary',
    paragraphs: warnings,
    blocks: [{ type: 'list', caption: 'At a glance', items: headlines }],
    lead: [matrixTable(summary)],
    figures: [],
    tables: [],
    notes: [
      ...(thin.length > 0
        ? [
            `Too few samples to set anyone apart: ${thin.join(', ')}. With 3 samples a configuration no Mann-Whitney test reaches p < 0.05, so the configurations there are all tied: read that tie as too little data, not as evidence that they are equal.`,
          ]
        : []),
      `“best” marks a configuration that the samples set apart from every other of its layer${blocks > 1 ? ' (each layer is ranked on its own)' : ''}: ranked by median, each against the next with a Mann-Whitney U test, Holm-adjusted, p < 0.05. “tied best” marks the configurations that cannot be told apart from the best; no one of them is the best. Elsewhere, × is the ratio to the best median and the rank is the tie group (“=” when shared). Every figure's distribution, interval and n is in the sections below.`,
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
    paragraphs: [p.length === 0 ? 'Every suite ran in full for every runtime configuration.' : `${counts.map(([s, n]) => `${n} ${s}`).join(', ')}.`],
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
