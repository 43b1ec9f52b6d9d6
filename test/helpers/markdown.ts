/**
 * What makes Markdown render as GitHub renders tables: each table set off by blank lines, its
 * second line the alignment row, and every row with as many cells as the header (a pipe inside
 * a cell is escaped). Code fences are skipped: a table-like line in one is text.
 */
export interface MdTable {
  header: string[];
  rows: string[][];
}

/** The cells of one table line: split at unescaped pipes, the outer empty ends dropped. */
export function cellsOf(line: string): string[] {
  return line
    .split(/(?<!\\)\|/)
    .slice(1, -1)
    .map((c) => c.trim());
}

/** Every table of the text, checked; throws at the first line that would not render as one. */
export function checkTables(md: string): MdTable[] {
  const lines = md.split('\n');
  const tables: MdTable[] = [];
  let fence: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const f = /^(`{3,})/.exec(line)?.[1];
    if (f && (fence === null || (line.trim() === fence && f.length >= fence.length))) {
      fence = fence === null ? f : null;
      continue;
    }
    if (fence !== null || !line.startsWith('|')) continue;
    if (i > 0 && lines[i - 1] !== '') throw new Error(`line ${i + 1}: a table must follow a blank line: ${lines[i - 1]}`);
    const header = cellsOf(line);
    const sep = cellsOf(lines[i + 1] ?? '');
    if (sep.length !== header.length || !sep.every((c) => /^:?-{3,}:?$/.test(c))) throw new Error(`line ${i + 2}: not the alignment row of ${line}`);
    const rows: string[][] = [];
    let j = i + 2;
    for (; j < lines.length && (lines[j] as string).startsWith('|'); j++) {
      const cells = cellsOf(lines[j] as string);
      if (cells.length !== header.length) throw new Error(`line ${j + 1}: ${cells.length} cells under a header of ${header.length}: ${lines[j]}`);
      rows.push(cells);
    }
    if (j < lines.length && lines[j] !== '') throw new Error(`line ${j + 1}: a table must be followed by a blank line: ${lines[j]}`);
    tables.push({ header, rows });
    i = j;
  }
  if (fence !== null) throw new Error('a code fence is never closed');
  return tables;
}
