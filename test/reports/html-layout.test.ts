/**
 * The reports of real runs (docs/sample/: 8 runtime configurations at the oci layer, and 16 at
 * the oci and containerd layers) as a reader meets them: the first screen at 1400×900 answers
 * which configuration starts fastest and which is lightest, with the tie groups; the page reads
 * in full with JavaScript off; on a phone (390×844) nothing scrolls sideways; and the
 * Content-Security-Policy stays strict.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHtml } from '../../reports/html.ts';
import { buildReportModel } from '../../reports/html/model.ts';
import type { Cell, TableModel } from '../../reports/html/types.ts';
import { readResults } from '../../reports/json.ts';
import { basename } from 'node:path';
import { SAMPLES } from '../../scripts/sample.ts';
import { CHROMIUM, DESKTOP, haveChromium, openBrowser, openPage, PHONE } from '../helpers/browser.ts';
import { needs } from '../helpers/require.ts';

const cellText = (c: Cell) => (typeof c === 'string' ? c : c.text);

/** Boxes of what a reader must see, relative to the viewport. */
async function boxes(page: Page) {
  return page.evaluate(() => {
    const rect = (e: Element | null) => {
      if (!e) return null;
      const r = e.getBoundingClientRect();
      return { top: r.top, bottom: r.bottom, left: r.left, right: r.right };
    };
    const [glance, matrix] = [...document.querySelectorAll('#summary table')];
    const find = (text: string) =>
      [...(glance?.querySelectorAll('tbody tr') ?? [])].find((tr) => tr.querySelector('th')?.textContent?.startsWith(text)) ?? null;
    const rows = [...(matrix?.querySelectorAll('tbody tr:not(.group)') ?? [])];
    return {
      startup: rect(find('Fastest startup')),
      memory: rect(find('Lightest in memory')),
      startupText: [...(find('Fastest startup')?.querySelectorAll('td') ?? [])].map((td) => td.textContent ?? ''),
      memoryText: [...(find('Lightest in memory')?.querySelectorAll('td') ?? [])].map((td) => td.textContent ?? ''),
      matrix: rect(matrix ?? null),
      badges: [...(matrix?.querySelectorAll('.badge') ?? [])].map((b) => ({ text: b.textContent, ...rect(b) })),
      rows: rows.length,
      rowsOnFirstScreen: rows.filter((r) => r.getBoundingClientRect().bottom <= window.innerHeight).length,
      innerWidth: window.innerWidth,
      innerHeight: window.innerHeight,
      scrollWidth: document.documentElement.scrollWidth,
      overflowing: [...document.querySelectorAll('table, td, th, pre, figure, p, li, canvas')]
        .filter((e) => (e as HTMLElement).offsetParent !== null && e.getBoundingClientRect().right > window.innerWidth + 0.5)
        .map((e) => `${e.tagName.toLowerCase()}: ${(e.textContent ?? '').slice(0, 60)}`),
      visibleCharts: [...document.querySelectorAll('.chart-box')].filter((e) => (e as HTMLElement).offsetParent !== null).length,
      text: document.body.innerText,
    };
  });
}

for (const sample of SAMPLES) {
  const doc = readResults(sample.results);
  const html = toHtml([doc]);
  const model = buildReportModel([doc]);
  const allTables = (): TableModel[] => model.sections.flatMap((s) => [...(s.lead ?? []), ...s.figures.map((f) => f.table), ...s.tables]);

  describe(basename(sample.results), () => {
    it('is a real run of at least 8 runtime configurations', () => {
      expect(doc.measurements.length).toBeGreaterThan(50);
      expect(model.sections.find((s) => s.id === 'summary')?.lead?.[1]?.rows.length).toBeGreaterThanOrEqual(8);
    });
  });

  needs('browser', haveChromium ? null : `${CHROMIUM} is not installed: apt-get install chromium`).describe(`${basename(sample.report)} in Chromium`, () => {
    let b: Awaited<ReturnType<typeof openBrowser>>;

    beforeAll(async () => {
      b = await openBrowser();
    }, 120_000);

    afterAll(async () => {
      await b?.close();
    });

    it('at 1400×900 the first screen shows the matrix, the fastest for startup and the lightest for memory, with tie groups', async () => {
      const { page, context, errors } = await openPage(b, 'desktop', html, { viewport: DESKTOP });
      const x = await boxes(page);
      await context.close();
      expect(errors).toEqual([]);
      for (const box of [x.startup, x.memory]) {
        expect(box).not.toBeNull();
        expect(box?.bottom).toBeLessThanOrEqual(DESKTOP.height);
      }
      // one cell per layer, each the winner with its lead or the tie group
      const layers = new Set(doc.measurements.map((m) => m.labels.layer)).size;
      for (const cells of [x.startupText, x.memoryText]) {
        expect(cells).toHaveLength(layers);
        for (const c of cells) expect(c).toMatch(/^tie (between|of \d+: )|, ahead of the next by \d/);
      }
      // the terminal's tie group too: tested round by round on 3 blocks, the first five cannot be told apart
      if (basename(sample.results) === 'results-oci.json')
        expect(x.startupText[0]).toBe('tie of 5: crun (native), crun-wasmedge (native), runc (native), crun-wasmedge (Wasm, OCI handler), youki (Wasm, OCI handler)');
      // the matrix starts on the first screen with at least 8 configurations, tie-group marks among them
      expect(x.rows).toBeGreaterThanOrEqual(8);
      expect(x.matrix?.top).toBeLessThan(DESKTOP.height);
      expect(x.rowsOnFirstScreen).toBeGreaterThanOrEqual(8);
      expect(x.badges.filter((badge) => badge.text === 'tied best' && (badge.bottom ?? Infinity) <= DESKTOP.height).length).toBeGreaterThan(0);
      expect(x.scrollWidth).toBeLessThanOrEqual(x.innerWidth);
    }, 60_000);

    it('with JavaScript off every table and every figure is in the page, and no empty chart box shows', async () => {
      const { page, context, errors } = await openPage(b, 'no-js', html, { viewport: DESKTOP, javaScript: false });
      const x = await boxes(page);
      await context.close();
      expect(errors).toEqual([]);
      expect(x.visibleCharts).toBe(0);
      const text = x.text.replace(/\s+/g, ' ');
      let cells = 0;
      for (const t of allTables()) {
        expect(text).toContain(t.caption.replace(/\s+/g, ' '));
        for (const row of t.rows)
          for (const c of row) {
            expect(text).toContain(cellText(c).replace(/\s+/g, ' ').trim());
            cells++;
          }
      }
      expect(cells).toBeGreaterThan(500);
      for (const s of model.sections) expect(text).toContain(s.title);
    }, 60_000);

    for (const javaScript of [true, false]) {
      it(`on a phone (390×844, JavaScript ${javaScript ? 'on' : 'off'}) the summary and every table read without sideways scrolling`, async () => {
        const { page, context, errors } = await openPage(b, `phone-${javaScript}`, html, { viewport: PHONE, javaScript });
        const x = await boxes(page);
        await context.close();
        expect(errors).toEqual([]);
        expect(x.scrollWidth).toBeLessThanOrEqual(PHONE.width);
        expect(x.overflowing).toEqual([]);
        expect(x.startup?.right).toBeLessThanOrEqual(PHONE.width);
        expect(x.matrix?.right).toBeLessThanOrEqual(PHONE.width);
      }, 60_000);
    }

    it('the Content-Security-Policy stays strict, and nothing on the page breaks it', async () => {
      const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
      const directives = Object.fromEntries(
        csp.split(';').map((d) => {
          const [name, ...values] = d.trim().split(/\s+/);
          return [name, values];
        }),
      );
      expect(directives['default-src']).toEqual(["'none'"]);
      expect(directives['script-src']).toHaveLength(3);
      for (const s of directives['script-src'] ?? []) expect(s).toMatch(/^'sha256-[A-Za-z0-9+/=]+'$/);
      expect(directives['style-src']).toEqual(["'unsafe-inline'"]);
      expect(directives['img-src']).toEqual(['data:']);
      expect(directives['base-uri']).toEqual(["'none'"]);
      expect(directives['form-action']).toEqual(["'none'"]);
      expect(csp).not.toContain('unsafe-eval');
      const { page, context, errors } = await openPage(b, 'csp', html, {
        beforeLoad: (p) =>
          p.addInitScript(() => {
            const seen: string[] = [];
            (window as unknown as { violations: string[] }).violations = seen;
            document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective}: ${e.blockedURI}`));
          }),
      });
      const violations = await page.evaluate(() => (window as unknown as { violations: string[] }).violations);
      const charts = await page.evaluate(() => document.body.getAttribute('data-charts'));
      await context.close();
      expect(errors).toEqual([]);
      expect(violations).toEqual([]);
      const figures = model.sections.reduce((n, s) => n + s.figures.length, 0);
      expect(charts).toBe(`${figures}/${figures}`);
    }, 60_000);
  });
}
