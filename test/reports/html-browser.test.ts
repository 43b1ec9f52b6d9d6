/**
 * The HTML reports in a real browser: loaded from file:// with no network, every chart drawn,
 * every table present, and hostile strings shown as text, never run.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { computeStats } from '../../core/stats.ts';
import type { ResultsDocument } from '../../core/schema.ts';
import { toHtml } from '../../reports/html.ts';
import { buildReportModel } from '../../reports/html/model.ts';
import type { HtmlOptions } from '../../reports/html/types.ts';
import { CHROMIUM, haveChromium, openBrowser, openPage } from '../helpers/browser.ts';
import { densityDoc } from './density-docs.ts';
import { needs } from '../helpers/require.ts';
import { loadFixture, nightlies } from './fixtures.ts';
import { HOSTILE, IMG, SCRIPT, hostileDoc } from './hostile.ts';

interface PageReport {
  errors: string[];
  canvases: { drawn: string | null; painted: number; width: number }[];
  tables: number;
  figuresWithoutTable: number;
  text: string;
  pwned: unknown;
  images: number;
}

async function inspect(page: Page) {
  return page.evaluate(() => {
    const canvases = [...document.querySelectorAll('canvas')].map((c) => {
      const ctx = c.getContext('2d');
      let painted = 0;
      if (ctx && c.width > 0 && c.height > 0) {
        const px = ctx.getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < px.length; i += 4) if ((px[i] ?? 0) > 0) painted++;
      }
      return { drawn: c.getAttribute('data-drawn'), painted, width: c.width };
    });
    return {
      canvases,
      tables: document.querySelectorAll('table').length,
      figuresWithoutTable: [...document.querySelectorAll('figure.figure')].filter((f) => !f.querySelector('table') || !f.querySelector('canvas')).length,
      text: document.body.innerText,
      pwned: (window as unknown as { pwned?: unknown }).pwned,
      images: document.images.length,
    };
  });
}

needs('browser', haveChromium ? null : `${CHROMIUM} is not installed: apt-get install chromium`).describe('HTML reports in Chromium', () => {
  let b: Awaited<ReturnType<typeof openBrowser>>;

  beforeAll(async () => {
    b = await openBrowser();
  }, 120_000);

  afterAll(async () => {
    await b?.close();
  });

  async function load(name: string, docs: ResultsDocument[], options: HtmlOptions = {}): Promise<PageReport> {
    const { page, context, errors } = await openPage(b, name, toHtml(docs, options));
    const report = await inspect(page);
    await context.close();
    return { errors, ...report };
  }

  function expectComplete(r: PageReport, docs: ResultsDocument[], options: HtmlOptions = {}) {
    const model = buildReportModel(docs, options);
    const figures = model.sections.reduce((n, s) => n + s.figures.length, 0);
    const tables = model.sections.reduce((n, s) => n + s.tables.length + (s.lead?.length ?? 0), 0);
    expect(r.errors).toEqual([]);
    expect(r.canvases.length).toBe(figures);
    for (const c of r.canvases) {
      expect(c.drawn).toBe('true');
      expect(c.width).toBeGreaterThan(0);
      // A blank canvas has no painted pixel; axes alone paint a few hundred.
      expect(c.painted).toBeGreaterThan(500);
    }
    expect(r.tables).toBe(figures + tables);
    expect(r.figuresWithoutTable).toBe(0);
    for (const s of model.sections) expect(r.text).toContain(s.title);
  }

  it('single document', async () => {
    const docs = [loadFixture('single-host.json')];
    const r = await load('single', docs);
    expectComplete(r, docs);
    expect(r.text).toContain('linux.sysctl: applies linux.sysctl');
  }, 60_000);

  it('two hosts merged, one of them emulated arm64', async () => {
    const docs = [loadFixture('single-host.json'), loadFixture('arm64-emulated.json')];
    const r = await load('merged', docs);
    expectComplete(r, docs);
    expect(r.text).toContain('never compared with figures from real hardware');
    expect(r.text).toContain('build-02');
  }, 60_000);

  it('comparison against a baseline', async () => {
    const base = loadFixture('single-host.json');
    const head = structuredClone(base);
    for (const m of head.measurements) {
      if (m.labels.runtime === 'runc') {
        m.samples = m.samples.map((x) => (m.unit === 'ns' ? x * 1.3 : x));
        m.stats = computeStats(m.samples);
      }
    }
    const r = await load('baseline', [head], { baseline: base });
    expectComplete(r, [head], { baseline: base });
    expect(r.text).toContain('2 regressed');
    expect(r.text).toContain('Base and head side by side');
  }, 60_000);

  it('history of nightly documents', async () => {
    const history = nightlies();
    const r = await load('history', [], { history });
    expectComplete(r, [], { history });
    expect(r.text).toContain('▲ regressed');
  }, 60_000);

  it('density curves: footprint and start latency against the count, drawn', async () => {
    const docs = [densityDoc()];
    const r = await load('density', docs);
    expectComplete(r, docs);
    expect(r.text).toContain('footprint against idle containers');
    expect(r.text).toContain('what stopped each fill');
  }, 60_000);

  it('hostile strings are shown as text and never run', async () => {
    const docs = [hostileDoc()];
    const r = await load('hostile', docs);
    expect(r.pwned).toBeUndefined();
    expect(r.images).toBe(0);
    expect(r.text).toContain(IMG);
    expect(r.text).toContain(SCRIPT);
    expect(r.text).toContain(`host${HOSTILE}`);
    expect(r.text).toContain(`x=/opt/${HOSTILE}`);
    expectComplete(r, docs);
  }, 60_000);
});
