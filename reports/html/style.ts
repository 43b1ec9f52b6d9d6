/**
 * The page's style sheet. Charts take space only when the page script runs (it marks the
 * page `.js`); without it, every figure is still in its table. On a phone every table turns
 * into one card per row, each cell under its column's name, so nothing scrolls sideways.
 */
import { STYLE_COLORS } from './palette.ts';

export const STYLE = `
:root { --fg: #1d1f23; --muted: #5f6368; --line: #d9dce1; --bg-alt: #f6f7f9; --accent: #0b5cad; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg); background: #fff; }
#report { max-width: 1400px; margin: 0 auto; padding: 12px 24px 48px; }
header h1 { margin: 0 0 2px; font-size: 22px; }
.subtitle { margin: 0 0 4px; color: var(--muted); }
nav { display: flex; flex-wrap: wrap; gap: 2px 14px; padding: 4px 0 6px; border-bottom: 1px solid var(--line); font-size: 13px; }
nav a { color: var(--accent); text-decoration: none; }
section { margin-top: 22px; }
section#summary { margin-top: 8px; }
h2 { font-size: 19px; border-bottom: 2px solid var(--accent); padding-bottom: 3px; margin: 0 0 8px; }
h3 { font-size: 14px; margin: 10px 0 4px; }
section > p, p.note { max-width: 120ch; margin: 6px 0; }
p.note { color: var(--muted); font-size: 12.5px; }
p.warning { color: #8a4b00; background: #fff4e5; border-left: 3px solid #e69f00; padding: 4px 8px; }
figure { margin: 14px 0; padding: 10px 12px; border: 1px solid var(--line); border-radius: 6px; min-width: 0; }
figcaption { font-weight: 600; margin-bottom: 6px; }
pre { margin: 0; padding: 8px; background: var(--bg-alt); border-radius: 4px; white-space: pre-wrap; overflow-wrap: anywhere; font: 12.5px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; }
code, .code { font: 12.5px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; overflow-wrap: anywhere; }
.figure-row { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
.chart-box { display: none; position: relative; flex: 1 1 440px; min-width: 300px; height: 300px; }
.js .chart-box { display: block; }
.figure-row .table-wrap { flex: 1 1 560px; min-width: 0; }
figure.wide .figure-row { flex-direction: column; align-items: stretch; }
figure.wide .chart-box, figure.wide .table-wrap { flex: none; width: 100%; }
.table-wrap { overflow-x: auto; margin: 8px 0; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
caption { text-align: left; color: var(--muted); font-size: 12px; padding-bottom: 3px; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 6px; text-align: left; vertical-align: top; white-space: pre-wrap; overflow-wrap: anywhere; }
th { background: var(--bg-alt); font-weight: 600; }
tr.group th { background: #e8eef6; font-size: 12.5px; }
tbody th[scope="row"] { background: none; }
table.matrix tbody th[scope="row"] { white-space: nowrap; }
table.matrix thead th { white-space: pre-line; vertical-align: bottom; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.sub { color: var(--muted); font-size: 11.5px; margin-left: 6px; }
.badge { display: inline-block; margin-left: 6px; padding: 0 5px; border-radius: 8px; font-size: 11px; font-weight: 600; border: 1px solid currentColor; }
.tone-good { color: #1a7f37; font-weight: 600; }
.tone-bad { color: #c62828; font-weight: 600; }
.tone-warn { color: #8a4b00; }
.tone-muted { color: #6b6b6b; }
.badge.tone-muted { font-weight: 600; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: baseline; }
${Object.entries(STYLE_COLORS)
  .map(([k, c]) => `.kind-${k} { background: ${c}; }`)
  .join('\n')}
@media (max-width: 700px) {
  #report { padding: 8px 10px 32px; }
  header h1 { font-size: 19px; }
  .table-wrap { overflow-x: visible; }
  .chart-box { min-width: 0; flex-basis: 100%; }
  table, caption, tbody, tr, td, tbody th { display: block; width: 100%; }
  thead { display: none; }
  tr { border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; padding: 3px 8px; }
  tr.group { border: none; padding: 0; margin: 10px 0 2px; }
  td { border: none; display: flex; justify-content: space-between; align-items: baseline; gap: 10px; padding: 1px 0; text-align: right; white-space: normal; }
  td.num { white-space: normal; }
  td::before { content: attr(data-label); flex: 0 0 38%; text-align: left; color: var(--muted); font-weight: 400; font-size: 12px; }
  td:not(.num) { display: block; text-align: left; }
  td:not(.num)::before { display: block; }
  td:first-child, tbody th[scope="row"], table.matrix tbody th[scope="row"] { display: block; text-align: left; font-weight: 600; border: none; padding: 1px 0; white-space: normal; }
  td:first-child::before { content: none; }
  td > span.cell { display: block; min-width: 0; }
}
@media print { nav { display: none; } figure { break-inside: avoid; } .chart-box { display: none; } }
`;
