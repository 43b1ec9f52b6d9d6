/** Debian's Chromium through playwright-core, offline: what the browser tests of the HTML reports open pages with. */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);

export const DESKTOP = { width: 1400, height: 900 } as const;
export const PHONE = { width: 390, height: 844 } as const;

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Opened {
  page: Page;
  context: BrowserContext;
  /** Console errors and warnings, page errors, CSP violations and any request that left file:// and data:. */
  errors: string[];
}

/** A browser and a directory for the pages it opens; close() removes both. */
export async function openBrowser(): Promise<{ browser: Browser; dir: string; close: () => Promise<void> }> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  const dir = mkdtempSync(join(tmpdir(), 'runbench-html-'));
  return {
    browser,
    dir,
    close: async () => {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes `html` to a file and opens it at `viewport`, with or without JavaScript; waits for the charts when it runs. */
export async function openPage(
  b: { browser: Browser; dir: string },
  name: string,
  html: string,
  opts: { viewport?: { width: number; height: number }; javaScript?: boolean; beforeLoad?: (page: Page) => Promise<unknown> } = {},
): Promise<Opened> {
  const file = join(b.dir, `${name}.html`);
  writeFileSync(file, html);
  const javaScript = opts.javaScript ?? true;
  const context = await b.browser.newContext({ viewport: opts.viewport ?? DESKTOP, javaScriptEnabled: javaScript, offline: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => {
    if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) errors.push(`request: ${r.url()}`);
  });
  await opts.beforeLoad?.(page);
  await page.goto(pathToFileURL(file).href);
  if (javaScript) await page.waitForFunction(() => document.body.hasAttribute('data-charts'), null, { timeout: 30_000 });
  return { page, context, errors };
}
