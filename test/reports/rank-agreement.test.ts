/**
 * One document, three renderings: the terminal table, the Markdown report and the HTML report
 * must say the same rank (or tie) and the same interval for the same pair of runtimes, in their
 * tables and in their summaries alike. The document is a real run of two runtimes sampled in
 * interleaved blocks, where the round-by-round test and a Mann-Whitney test on the pooled
 * samples disagree: at the oci layer the paired test cannot set youki-wasmer apart from youki
 * (a tie), which a test on the samples would (it ranked them 1 and 2, 1.16× [1.04 … 1.25]).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../core/paths.ts';
import { toHtml } from '../../reports/html.ts';
import { readResults } from '../../reports/json.ts';
import { toMarkdown } from '../../reports/markdown.ts';
import { toTable } from '../../reports/table.ts';

const doc = readResults(join(packageRoot, 'docs', 'engines', 'results-youki-wasmer.json'));
const terminal = toTable(doc);
const md = toMarkdown([doc]);
const html = toHtml([doc]);

/** A runtime's rank and ratio in the terminal's group: "=1", "1.16× [0.97 … 1.40]". */
function terminalRow(title: string, runtime: string): { rank: string; ratio: string } {
  const lines = terminal.split('\n');
  const at = lines.findIndex((l) => l === title);
  if (at < 0) throw new Error(`no group ${title}`);
  const end = lines.findIndex((l, i) => i > at && l.trim() === '');
  const line = lines.slice(at + 1, end < 0 ? undefined : end).find((l) => l.trimStart().startsWith(`${runtime} (`));
  const match = line?.match(/\]\s+(=?\d+)\s+(.+?)\s+n=/);
  if (!match) throw new Error(`no row for ${runtime} in ${title}`);
  return { rank: match[1] as string, ratio: match[2] as string };
}

/** The rows of each HTML table, by caption, each row as the text of its cells; badges and sub-lines kept apart. */
function htmlTables(page: string): { caption: string; rows: { text: string; badge: string; sub: string }[][] }[] {
  const text = (s: string) => s.replace(/<[^>]+>/g, '').replace(/&#39;/g, "'").replace(/&amp;/g, '&').trim();
  return [...page.matchAll(/<table[^>]*>([\s\S]*?)<\/table>/g)].map(([, body]) => ({
    caption: text(body?.match(/<caption>([\s\S]*?)<\/caption>/)?.[1] ?? ''),
    rows: [...(body ?? '').matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map(([, row]) =>
      [...(row ?? '').matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map(([, cell]) => {
        const c = cell ?? '';
        const badge = text(c.match(/<span class="badge[^"]*">([\s\S]*?)<\/span>/)?.[1] ?? '');
        const sub = text(c.match(/<span class="sub">([\s\S]*?)<\/span>/)?.[1] ?? '');
        const main = text(c.replace(/<span class="(badge|sub)[^"]*">[\s\S]*?<\/span>/g, ''));
        return { text: main, badge, sub };
      }),
    ),
  }));
}

/** The HTML figure of one group: its table, found by the figure's id. */
function htmlFigureRow(id: string, label: string) {
  const at = html.indexOf(`id="${id}"`);
  if (at < 0) throw new Error(`no figure ${id}`);
  const table = htmlTables(html.slice(at, html.indexOf('</figure>', at)))[0];
  const row = table?.rows.find((r) => r[0]?.text === label);
  if (!row) throw new Error(`no row ${label} in ${id}`);
  const header = (table?.rows[0] ?? []).map((c) => c.text);
  const col = (name: string) => row[header.indexOf(name)]?.text;
  return { rank: col('rank'), ratio: col('ratio to best (95% CI)') };
}

/** The Markdown detail table row of a configuration under a group's heading. */
function mdDetailRow(heading: string, label: string): string[] {
  const at = md.indexOf(heading);
  if (at < 0) throw new Error(`no heading ${heading}`);
  const row = md
    .slice(at)
    .split('\n')
    .find((l) => l.startsWith(`| ${label} |`));
  if (!row) throw new Error(`no row ${label} under ${heading}`);
  return row.split(' | ').map((c) => c.replace(/^\| |\s\|$/g, '').trim());
}

const WASMER = 'youki-wasmer (Wasm, OCI handler)';
const YOUKI = 'youki (Wasm, OCI handler)';

describe('terminal, Markdown and HTML agree on a pair', () => {
  const summaryTables = htmlTables(html);
  const glance = summaryTables.find((t) => t.caption.startsWith('At a glance'));
  const matrix = summaryTables.find((t) => t.caption.startsWith('Median of each figure'));
  const glanceCell = (block: number) => glance?.rows.find((r) => r[0]?.text.startsWith('Fastest startup'))?.[block]?.text;
  // the matrix rows of a layer follow its heading row
  const matrixCell = (layer: string, label: string) => {
    const rows = matrix?.rows ?? [];
    const from = rows.findIndex((r) => r[0]?.text === `${layer} layer · amd64`);
    if (from < 0) throw new Error(`no ${layer} rows in the matrix`);
    return rows.slice(from + 1).find((r) => r[0]?.text === label)?.[1];
  };

  it('at the oci layer, a tie everywhere, with the round-by-round interval', () => {
    const t = terminalRow('oci · startup · run (hello, amd64)', 'youki-wasmer');
    expect(t).toEqual({ rank: '=1', ratio: '1.16× [0.97 … 1.40]' });
    // Markdown: the group's table, the matrix and the headline
    const row = mdDetailRow('#### Startup: one-shot run (hello; oci · amd64)', WASMER);
    expect(row.slice(-3, -1)).toEqual([t.rank, t.ratio]);
    expect(md).toContain(`| ${WASMER} | 76.26 ms =1 |`);
    expect(md).toContain(`- **Fastest startup** (oci layer · amd64): tie between ${YOUKI} 65.79 ms and ${WASMER} 76.26 ms`);
    expect(md).not.toContain('1.04 … 1.25');
    // HTML: the figure's table, the matrix and the at-a-glance line
    expect(htmlFigureRow('startup-native-hw-oci-startup-run-hello-amd64', WASMER)).toEqual(t);
    expect(matrixCell('oci', WASMER)).toMatchObject({ text: '76.26 ms', badge: 'tied best' });
    expect(matrixCell('oci', YOUKI)).toMatchObject({ text: '65.79 ms', badge: 'tied best' });
    expect(glanceCell(1)).toBe(`tie between ${YOUKI} 65.79 ms and ${WASMER} 76.26 ms`);
    expect(html).not.toContain('1.04 … 1.25');
  });

  it('at the containerd layer, ranked apart everywhere, by the same interval', () => {
    const t = terminalRow('containerd · startup · run (hello, amd64)', 'youki-wasmer');
    expect(t).toEqual({ rank: '2', ratio: '1.16× [1.05 … 1.28]' });
    expect(terminalRow('containerd · startup · run (hello, amd64)', 'youki').rank).toBe('1');
    const row = mdDetailRow('#### Startup: one-shot run (hello; containerd · amd64)', WASMER);
    expect(row.slice(-3, -1)).toEqual([t.rank, t.ratio]);
    expect(md).toContain(`| ${WASMER} | 264.21 ms 2 |`);
    expect(md).toContain(`- **Fastest startup** (containerd layer · amd64): ${YOUKI} 227.95 ms, ahead of the next by ${t.ratio.replace('[', '\\[').replace(']', '\\]')}`);
    expect(htmlFigureRow('startup-native-hw-containerd-startup-run-hello-amd64', WASMER)).toEqual(t);
    expect(matrixCell('containerd', WASMER)).toMatchObject({ text: '264.21 ms', sub: '1.16× (2)' });
    expect(matrixCell('containerd', YOUKI)).toMatchObject({ text: '227.95 ms', badge: 'best' });
    expect(glanceCell(2)).toBe(`${YOUKI} 227.95 ms, ahead of the next by ${t.ratio}`);
  });
});
