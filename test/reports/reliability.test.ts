/**
 * Failure rates in every report: the terminal table, Markdown, HTML, the reliability CSV and the
 * comparison views, from a run with a fake runtime that hangs one attempt in five. A document
 * from before attempts were counted shows none of it.
 */
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareDocuments } from '../../core/compare.ts';
import { runPipeline } from '../../core/pipeline.ts';
import type { ResultsDocument } from '../../core/schema.ts';
import { comparisonToText } from '../../reports/compare-text.ts';
import { buildReportModel } from '../../reports/html/model.ts';
import { comparisonToMarkdown, toMarkdown } from '../../reports/markdown.ts';
import { RELIABILITY_CSV_COLUMNS, toReliabilityCsv } from '../../reports/reliability.ts';
import { toTable } from '../../reports/table.ts';
import { fakeDeps, smallOptions } from '../helpers/pipeline.ts';
import { useScratchDir } from '../helpers/tmp.ts';
import { loadFixture } from './fixtures.ts';

useScratchDir();

let doc: ResultsDocument;
let steady: ResultsDocument;
beforeAll(async () => {
  doc = await runPipeline({ ...smallOptions, blocks: 1 }, fakeDeps(['crun', 'youki'], { flaky: { youki: { of: 5, hang: 1 } } }));
  steady = await runPipeline({ ...smallOptions, blocks: 1 }, fakeDeps(['crun', 'youki']));
});

describe('reliability in the reports', () => {
  it('the terminal table: each runtime configuration with its rate and interval, then each series that failed with its error', () => {
    const table = toTable(doc);
    expect(table).toMatch(/\nreliability \(failed or hung attempts, 95% interval of the rate\)\n {2}oci +crun \(native\) +0 of \d+ failed +0% \[0% … \d+(\.\d)?%\]\n {2}oci +youki \(native\) +\d+ of \d+ failed, \d+ hung +\d+(\.\d)?% \[/);
    expect(table).toMatch(/\n {4}oci youki \(native\) startup run \(hello\): \d+ of \d+ failed, \d+ hung: youki run failed: 'run' hung and was killed/);
    // passed suites: nothing under "not measured"
    expect(table).not.toContain('not measured');
  });

  it('Markdown: a reliability table and the series with failures', () => {
    const md = toMarkdown([doc]);
    expect(md).toContain('## Reliability');
    expect(md).toMatch(/\| youki \(native\) \| oci \| \d+ \| \d+ \| \d+ \| \d+(\.\d)?% \[\d+(\.\d)?% … \d+(\.\d)?%\] \|/);
    expect(md).toContain('### Series with failures');
    expect(md).toMatch(/\| youki \(native\) \| oci \| startup \| run \(hello\) \| \d+ \| \d+ \| \d+ \| .* \| measured \| youki run failed: 'run' hung and was killed/);
  });

  it('HTML: a section with the rates as a chart and a table, and the series that failed', () => {
    const s = buildReportModel([doc]).sections.find((x) => x.id === 'reliability');
    expect(s?.figures[0]?.table.columns).toEqual(['runtime', 'layer', 'attempts', 'failed', 'hung', 'failure rate (95% CI)']);
    expect(s?.figures[0]?.chart).toMatchObject({ type: 'bar', labels: ['oci crun (native)', 'oci youki (native)'] });
    expect(s?.tables[0]?.caption).toBe('series with failures');
  });

  it('CSV: one row per series with its counts, rate and interval', () => {
    const rows = parse(toReliabilityCsv([doc]), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0] ?? {})).toEqual([...RELIABILITY_CSV_COLUMNS]);
    expect(rows).toHaveLength(doc.reliability?.series.length ?? -1);
    const run = rows.find((r) => r.runtime === 'youki' && r.suite === 'startup' && r.series === 'run');
    const s = doc.reliability?.series.find((x) => x.labels.runtime === 'youki' && x.suite === 'startup' && x.series === 'run');
    expect(run).toMatchObject({ attempts: String(s?.attempts), failures: String(s?.failures), hangs: String(s?.hangs), outcome: 'measured' });
    expect(Number(run?.failureRateCi95High)).toBeCloseTo(s?.failureRateCi95?.[1] ?? -1, 12);
  });

  it('compare: a failure-rate row per runtime configuration, in every view', () => {
    const c = compareDocuments(steady, doc, { thresholdPercent: 5, alpha: 0.05 });
    const text = comparisonToText(c);
    expect(text).toContain("Failure rates (failed or hung attempts, every series of a runtime configuration pooled): Fisher's exact test");
    expect(text).toMatch(/\n(regressed|inconclusive) +oci\/failure rate youki \(native, amd64\) +0\/\d+ \(0%\) +\d+\/\d+ \(\d+(\.\d)?%\) +\+\d+\.\d pts/);
    expect(text).toMatch(/of \d+ compared\n$/);
    expect(comparisonToMarkdown(c)).toContain('### Failure rates');
    const html = buildReportModel([doc], { baseline: steady }).sections.find((x) => x.id === 'comparison');
    expect(html?.tables[0]?.caption).toMatch(/^failure rates: /);
  });

  it('a document from before attempts were counted shows no reliability anywhere', () => {
    const old = loadFixture('single-host.json');
    expect(old.reliability).toBeUndefined();
    expect(toTable(old)).not.toContain('reliability');
    expect(toMarkdown([old])).not.toContain('## Reliability');
    expect(buildReportModel([old]).sections.some((s) => s.id === 'reliability')).toBe(false);
    expect(toReliabilityCsv([old]).trim()).toBe(RELIABILITY_CSV_COLUMNS.join(','));
  });
});
