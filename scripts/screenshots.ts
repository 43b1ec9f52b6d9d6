/**
 * The README's screenshots of the HTML report, taken in Debian's Chromium from a results
 * document: `npx tsx scripts/screenshots.ts RESULTS.json [OUT_DIR]` (default docs/) writes
 * report-desktop.png, the first screen at 1400×900, and report-phone.png, the top of the page
 * at 390×844 down to the first configurations of the summary (every row a card, nothing
 * scrolling sideways).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { packageRoot } from '../core/paths.ts';
import { toHtml } from '../reports/html.ts';
import { readResults } from '../reports/json.ts';

const CHROMIUM = '/usr/bin/chromium';
/** How much of the phone page the screenshot keeps: about two screens. */
const PHONE_HEIGHT = 1700;

export async function takeScreenshots(results: string, outDir: string): Promise<string[]> {
  const { chromium } = await import('playwright-core');
  const dir = mkdtempSync(join(tmpdir(), 'runbench-shots-'));
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = join(dir, 'report.html');
    writeFileSync(page, toHtml([readResults(results)]));
    const open = async (width: number, height: number) => {
      const context = await browser.newContext({ viewport: { width, height }, offline: true });
      const p = await context.newPage();
      await p.goto(pathToFileURL(page).href);
      await p.waitForFunction(() => document.body.hasAttribute('data-charts'), null, { timeout: 60_000 });
      return { p, context };
    };
    const desktop = join(outDir, 'report-desktop.png');
    const d = await open(1400, 900);
    await d.p.screenshot({ path: desktop });
    await d.context.close();
    const phone = join(outDir, 'report-phone.png');
    const m = await open(390, 844);
    // the summary's start: the sentences and the first configurations of the matrix, as cards
    const box = await m.p.locator('#summary').boundingBox();
    if (!box) throw new Error('the report has no summary');
    await m.p.screenshot({ path: phone, fullPage: true, clip: { x: 0, y: 0, width: 390, height: Math.min(box.y + box.height, PHONE_HEIGHT) } });
    await m.context.close();
    return [desktop, phone];
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [results, out] = process.argv.slice(2);
  if (!results) {
    process.stderr.write('usage: npx tsx scripts/screenshots.ts RESULTS.json [OUT_DIR]\n');
    process.exit(2);
  }
  for (const f of await takeScreenshots(resolve(results), resolve(out ?? join(packageRoot, 'docs')))) process.stderr.write(`wrote ${f}\n`);
}
