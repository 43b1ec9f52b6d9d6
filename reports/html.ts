/**
 * The HTML report: one self-contained file that works offline. Every section and table is
 * rendered into the page itself (html/render.ts), so it reads without JavaScript; chart.js and
 * its box-plot plugin are inlined from node_modules and draw the charts from the chart models
 * embedded as escaped JSON; a Content-Security-Policy allows only those exact inline scripts
 * (by hash).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResultsDocument } from '../core/schema.ts';
import { jsonForScript } from './escape.ts';
import { buildReportModel } from './html/model.ts';
import { renderBody } from './html/render.ts';
import { STYLE } from './html/style.ts';
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

/** The page for a report model. Pure apart from reading the bundled scripts. */
export function renderHtmlModel(model: ReportModel): string {
  const a = loadAssets();
  const { html, charts } = renderBody(model);
  const data = jsonForScript({ charts });
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
<main id="report">
${html}
</main>
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
