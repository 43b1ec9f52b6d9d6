/**
 * The report model as HTML: every section, paragraph, list and table is rendered here, on
 * the server, so the page reads in full with JavaScript off (a CI artifact viewer, a mail
 * client) and every figure can be found with grep. Every string from a results document is
 * escaped; the page script only draws the charts into the boxes left for them.
 */
import type { Block, Cell, Figure, ReportModel, Section, TableModel } from './types.ts';

/** Text and attribute values: nothing in them can open or close markup. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function cellHtml(cell: Cell, column: string, numeric: boolean, header = false): string {
  const c = typeof cell === 'string' ? { text: cell } : cell;
  const classes = [numeric ? 'num' : '', c.tone ? `tone-${c.tone}` : '', c.code ? 'code' : ''].filter(Boolean).join(' ');
  const badge = c.badge ? `<span class="badge tone-${c.badge.tone}">${escapeHtml(c.badge.text)}</span>` : '';
  const sub = c.sub ? `<span class="sub">${escapeHtml(c.sub)}</span>` : '';
  const tag = header ? 'th scope="row"' : 'td';
  return `<${tag} data-label="${escapeHtml(column)}"${classes ? ` class="${classes}"` : ''}><span class="cell">${escapeHtml(c.text)}${badge}${sub}</span></${header ? 'th' : 'td'}>`;
}

export function tableHtml(t: TableModel): string {
  const head = t.columns.map((c, i) => `<th scope="col"${t.numeric[i] ? ' class="num"' : ''}>${escapeHtml(c)}</th>`).join('');
  const groups = new Map((t.groups ?? []).map((g) => [g.before, g.title]));
  const body = t.rows
    .map((row, i) => {
      const group = groups.get(i);
      const heading = group !== undefined ? `<tr class="group"><th colspan="${t.columns.length}" scope="colgroup">${escapeHtml(group)}</th></tr>\n` : '';
      return `${heading}<tr>${row.map((cell, j) => cellHtml(cell, t.columns[j] ?? '', t.numeric[j] ?? false, j === 0 && t.rowHeaders === true)).join('')}</tr>`;
    })
    .join('\n');
  return `<div class="table-wrap"><table${t.style ? ` class="${t.style}"` : ''}>
<caption>${escapeHtml(t.caption)}</caption>
<thead><tr>${head}</tr></thead>
<tbody>
${body}
</tbody>
</table></div>`;
}

function blockHtml(b: Block): string {
  return `<figure class="code"><figcaption>${escapeHtml(b.caption)}</figcaption><pre><code>${escapeHtml(b.text)}</code></pre></figure>`;
}

/** A figure: its chart's box (drawn by the page script from chart number `index`) beside its table. */
function figureHtml(f: Figure, index: number): string {
  const wide = f.table.columns.length > 7 || f.chart.type === 'change';
  return `<figure class="figure${wide ? ' wide' : ''}" id="${escapeHtml(f.id)}">
<figcaption>${escapeHtml(f.title)}</figcaption>
<div class="figure-row">
<div class="chart-box" data-chart="${index}"><canvas role="img" aria-label="${escapeHtml(`${f.title}: chart of the table beside it`)}"></canvas></div>
${tableHtml(f.table)}
</div>
</figure>`;
}

function paragraphHtml(p: string): string {
  return p.startsWith('Warning: ') ? `<p class="warning">${escapeHtml(p)}</p>` : `<p>${escapeHtml(p)}</p>`;
}

function sectionHtml(s: Section, next: () => number): string {
  return `<section id="${escapeHtml(s.id)}">
<h2>${escapeHtml(s.title)}</h2>
${[
  ...s.paragraphs.map(paragraphHtml),
  ...(s.blocks ?? []).map(blockHtml),
  ...(s.lead ?? []).map(tableHtml),
  ...(s.notes ?? []).map((n) => `<p class="note">${escapeHtml(n)}</p>`),
  ...s.figures.map((f) => figureHtml(f, next())),
  ...s.tables.map(tableHtml),
].join('\n')}
</section>`;
}

/** The body of the page, and the charts its boxes refer to by number. */
export function renderBody(model: ReportModel): { html: string; charts: Figure['chart'][] } {
  const charts = model.sections.flatMap((s) => s.figures.map((f) => f.chart));
  let n = 0;
  const nav = model.sections.map((s) => `<a href="#${escapeHtml(s.id)}">${escapeHtml(s.title)}</a>`).join('\n');
  const html = `<header>
<h1>${escapeHtml(model.title)}</h1>
<p class="subtitle">${escapeHtml(model.subtitle)}</p>
<nav>
${nav}
</nav>
</header>
${model.sections.map((s) => sectionHtml(s, () => n++)).join('\n')}`;
  return { html, charts };
}
