/**
 * The Wasm engine tables (reports/html/sections/engines.ts) as Markdown and as aligned terminal
 * text: engine × way × layer with each configuration's medians, WAMR and Spin as untested rows,
 * and the WASI checks with a column per engine. Pure functions of the documents.
 */
import type { ResultsDocument } from '../core/schema.ts';
import { mdCell } from './escape.ts';
import { engineSection } from './html/sections/engines.ts';
import type { Cell, TableModel } from './html/types.ts';

const text = (c: Cell) => (typeof c === 'string' ? c : c.text);

/** The engine section in Markdown: heading, explanation, each table. */
export function engineMarkdown(docs: readonly ResultsDocument[]): string[] {
  const s = engineSection(docs);
  if (!s) return [];
  const out = [`## ${s.title}`, '', ...s.paragraphs.flatMap((p) => [mdCell(p), ''])];
  for (const t of s.tables) {
    out.push(`### ${mdCell(t.caption)}`, '');
    out.push(`| ${t.columns.map(mdCell).join(' | ')} |`, `| ${t.numeric.map((n) => (n ? '---:' : '---')).join(' | ')} |`);
    for (const r of t.rows) out.push(`| ${r.map((c) => mdCell(text(c))).join(' | ')} |`);
    out.push('');
  }
  return out;
}

/**
 * The engine table for the terminal: the identifying columns and the figures, aligned; the
 * untested engines and the note column as lines below it (too long for a row).
 */
export function engineText(doc: ResultsDocument): string[] {
  const s = engineSection([doc]);
  const t = s?.tables[0];
  if (!t) return [];
  const note = t.columns.indexOf('note');
  const tested = t.rows.filter((r) => text(r[4] ?? '—') !== '—');
  const untested = t.rows.filter((r) => text(r[4] ?? '—') === '—');
  const keep = t.columns.map((_, i) => i).filter((i) => i !== note && i !== 1 && tested.some((r) => text(r[i] ?? '—') !== '—'));
  const lines = ['Wasm engines (medians of the Wasm workloads; engine × mode × way × layer)'];
  lines.push(...aligned(t, keep, tested).map((l) => `  ${l}`));
  // a runtime's note once, however many layers it has rows at
  const notes = new Set(tested.filter((r) => text(r[note] ?? '')).map((r) => `  ${text(r[4] ?? '')}: ${text(r[note] ?? '')}`));
  lines.push(...notes);
  for (const r of untested) lines.push(`  ${text(r[0] ?? '')}: ${text(r[note] ?? '')}`);
  lines.push('');
  return lines;
}

function aligned(t: TableModel, cols: number[], rows: Cell[][]): string[] {
  const head = cols.map((i) => t.columns[i] ?? '');
  const body = rows.map((r) => cols.map((i) => text(r[i] ?? '')));
  const width = cols.map((_, j) => Math.max([...(head[j] ?? '')].length, ...body.map((b) => [...(b[j] ?? '')].length)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, j) => {
        const w = width[j] ?? 0;
        const padding = ' '.repeat(Math.max(0, w - [...c].length));
        return t.numeric[cols[j] ?? 0] ? padding + c : c + padding;
      })
      .join('  ')
      .trimEnd();
  return [fmt(head), ...body.map(fmt)];
}
