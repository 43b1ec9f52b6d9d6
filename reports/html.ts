/**
 * The HTML report: one self-contained file that works offline. chart.js and its box-plot
 * plugin are inlined from node_modules, the report model is embedded as escaped JSON, and a
 * Content-Security-Policy allows only those exact inline scripts (by hash).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResultsDocument } from '../core/schema.ts';
import { jsonForScript } from './escape.ts';
import { buildReportModel } from './html/model.ts';
import type { HtmlOptions, ReportModel } from './html/types.ts';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

function packageRoot(name: string): string {
  let dir = dirname(require.resolve(name));
  while (!existsSync(join(dir, 'package.json')) || JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name !== name) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the package root of ${name}`);
    dir = up;
  }
  return dir;
}

function inlineScript(path: string): string {
  const text = readFileSync(path, 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
  // Either sequence would end or confuse the <script> element the library is inlined into.
  if (/<\/script|<!--/i.test(text)) throw new Error(`${path} cannot be inlined into a <script> element`);
  return text;
}

let assets: { chart: string; boxplot: string; client: string } | null = null;

/** The browser code, read from disk once per process. */
function loadAssets() {
  assets ??= {
    chart: inlineScript(join(packageRoot('chart.js'), 'dist', 'chart.umd.min.js')),
    boxplot: inlineScript(join(packageRoot('@sgratzl/chartjs-chart-boxplot'), 'build', 'index.umd.min.js')),
    client: inlineScript(join(here, 'html', 'client.js')),
  };
  return assets;
}

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

const STYLE = `
:root { --fg: #1d1f23; --muted: #666; --line: #d9dce1; --bg-alt: #f6f7f9; --accent: #1f77b4; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg); background: #fff; }
#report { max-width: 1400px; margin: 0 auto; padding: 16px 24px 48px; }
header h1 { margin: 0 0 4px; font-size: 24px; }
.subtitle { margin: 0 0 8px; color: var(--muted); }
nav { display: flex; flex-wrap: wrap; gap: 4px 14px; padding: 8px 0; border-bottom: 1px solid var(--line); }
nav a { color: var(--accent); text-decoration: none; }
section { margin-top: 28px; }
h2 { font-size: 19px; border-bottom: 2px solid var(--accent); padding-bottom: 4px; }
section > p { max-width: 110ch; }
figure { margin: 18px 0; padding: 12px; border: 1px solid var(--line); border-radius: 6px; }
figcaption { font-weight: 600; margin-bottom: 8px; }
.figure-row { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
.chart-box { position: relative; flex: 1 1 420px; min-width: 320px; height: 300px; }
.figure-row .table-wrap { flex: 1 1 560px; }
.figure.wide .figure-row { flex-direction: column; align-items: stretch; }
.figure.wide .chart-box, .figure.wide .table-wrap { flex: none; width: 100%; }
.table-wrap { overflow-x: auto; margin: 10px 0; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
caption { text-align: left; color: var(--muted); font-size: 12px; padding-bottom: 4px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; white-space: pre-wrap; overflow-wrap: break-word; }
th { background: var(--bg-alt); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.tone-good { color: #1a7f1a; font-weight: 600; }
.tone-bad { color: #c62828; font-weight: 600; }
.tone-warn { color: #b85c00; }
.tone-muted { color: #888; }
@media print { nav { display: none; } figure { break-inside: avoid; } }
`;

/** The page for a report model. Pure apart from reading the bundled scripts. */
export function renderHtmlModel(model: ReportModel): string {
  const a = loadAssets();
  const data = jsonForScript(model);
  const csp = [
    "default-src 'none'",
    `script-src ${[a.chart, a.boxplot, a.client].map(sha256).join(' ')}`,
    "style-src 'unsafe-inline'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const title = model.title.replace(/[<>&"]/g, '');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="runbench">
<link rel="icon" href="data:,">
<title>${title}</title>
<style>${STYLE}</style>
</head>
<body>
<main id="report"></main>
<script type="application/json" id="rb-data">${data}</script>
<script>${a.chart}</script>
<script>${a.boxplot}</script>
<script>${a.client}</script>
</body>
</html>
`;
}

export function toHtml(docs: readonly ResultsDocument[], options: HtmlOptions = {}): string {
  return renderHtmlModel(buildReportModel(docs, options));
}
