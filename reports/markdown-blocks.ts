/**
 * The blocks GitHub-flavoured Markdown reports are made of: tables whose cells are escaped
 * one by one, code blocks that no content can close, and collapsed sections.
 */
import { mdCell } from './escape.ts';

export type Align = 'l' | 'r';

/** A table: the header, the alignment row and one line per row. Cells must already be escaped (mdCell). */
export function mdTable(header: readonly string[], rows: readonly (readonly string[])[], align?: readonly Align[]): string[] {
  const sep = header.map((_, i) => ((align?.[i] ?? 'l') === 'r' ? '---:' : '---'));
  return [`| ${header.join(' | ')} |`, `| ${sep.join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

/** A fenced code block: the fence is longer than any run of backticks in the text, so nothing in it ends the block early. */
export function codeBlock(text: string, lang = ''): string[] {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}${lang}`, ...text.split(/\r?\n|\r/), fence];
}

/** A collapsed section: GitHub renders <details>; the blank lines let the Markdown inside render as Markdown. */
export function collapsed(summary: string, body: readonly string[]): string[] {
  return ['<details>', `<summary>${mdCell(summary)}</summary>`, '', ...body, '</details>', ''];
}

/** "1 row", "3 rows". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
