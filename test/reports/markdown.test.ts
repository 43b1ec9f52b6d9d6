import { describe, expect, it } from 'vitest';
import { compareDocuments } from '../../core/compare.ts';
import type { ResultsDocument } from '../../core/schema.ts';
import { computeStats } from '../../core/stats.ts';
import { comparisonToMarkdown, toMarkdown } from '../../reports/markdown.ts';
import { toMarkdownSummary } from '../../reports/markdown-summary.ts';
import { checkTables } from '../helpers/markdown.ts';
import { loadFixture } from './fixtures.ts';
import { hostileDoc } from './hostile.ts';

const doc = loadFixture('single-host.json');

function section(md: string, title: string): string {
  const at = md.indexOf(`\n## ${title}\n`);
  if (at < 0) throw new Error(`no section ${title}`);
  const next = md.indexOf('\n## ', at + 1);
  return md.slice(at, next < 0 ? undefined : next);
}

/** The fixture with crun's and runc's native lifecycle samples made the same: a tie. */
function tiedLifecycle(): ResultsDocument {
  const d = structuredClone(doc);
  const crun = d.measurements.find((m) => m.metric === 'lifecycle' && m.labels.runtime === 'crun' && m.labels.workloadKind === 'native');
  const runc = d.measurements.find((m) => m.metric === 'lifecycle' && m.labels.runtime === 'runc');
  if (!crun || !runc) throw new Error('fixture has no lifecycle');
  runc.samples = crun.samples.map((x) => x * 1.001);
  runc.stats = computeStats(runc.samples);
  return d;
}

describe('Markdown report', () => {
  it('opens with the summary: the best of each headline metric, then the matrix in the one runtime order', () => {
    const md = toMarkdown([doc]);
    expect(md.indexOf('## Summary')).toBeLessThan(md.indexOf('## Failed, errored or skipped'));
    expect(md.indexOf('## Failed, errored or skipped')).toBeLessThan(md.indexOf('## Environment'));
    expect(md.indexOf('## Environment')).toBeLessThan(md.indexOf('## Figures'));
    const summary = section(md, 'Summary');
    expect(summary).toContain('- **Fastest lifecycle**: crun (native) 21.20 ms, ahead of the next by 1.66× \\[1.58 … 1.73\\]');
    expect(summary).toContain('| runtime | lifecycle · n=6 | runtime RSS · n=6 | churn · n=6 |');
    expect(summary).toContain('| crun (native) | **21.20 ms** 1 | **3.0 MiB** 1 | **41.05 /s** 1 |');
    expect(summary).toContain('| runc (native) | 40.95 ms 3 | 12.0 MiB 2 | 22.00 /s 2 |');
    // youki errored in throughput and has no figure; crun's Wasm memory suite failed
    expect(summary).toContain('| youki (no figures) | — | — | *errored* |');
    expect(summary).toContain('| crun (Wasm, OCI handler) | 35.25 ms 2 | *failed* | — |');
    expect(summary).toContain('"=" marks runtimes that cannot be told apart');
  });

  it('marks no winner where the best cannot be told apart: a tie, no bold', () => {
    const md = toMarkdown([tiedLifecycle()]);
    expect(md).toContain('- **Fastest lifecycle**: tie between crun (native) 21.20 ms and runc (native) 21.22 ms');
    expect(md).toMatch(/\| crun \(native\) \| 21\.20 ms =1 \| \*\*3\.0 MiB\*\* 1 \|/);
    expect(md).toMatch(/\| runc \(native\) \| 21\.22 ms =1 \|/);
  });

  it('a runtime measured alone is ranked but neither bold nor named best', () => {
    const d = structuredClone(doc);
    d.measurements = d.measurements.filter((m) => m.labels.runtime === 'crun' && m.labels.workloadKind === 'native');
    const md = toMarkdown([d]);
    expect(md).toContain('| crun (native) | 21.20 ms 1 | 3.0 MiB 1 | 41.05 /s 1 |');
    expect(md).not.toContain('- **');
  });

  it('lists what failed, errored or was skipped, with the reasons, most serious first', () => {
    const rows = checkTables(section(toMarkdown([doc]), 'Failed, errored or skipped'))[0]?.rows;
    expect(rows?.map((r) => r.slice(0, 4))).toEqual([
      ['**errored**', 'youki', 'oci · amd64', 'throughput'],
      ['**failed**', 'crun', 'oci · amd64', 'memory'],
      ['skipped', 'youki', 'oci · amd64', 'startup'],
      ['part skipped', 'runc', 'oci · amd64', 'startup'],
    ]);
    expect(rows?.[1]?.[4]).toBe('wasm: cgroup memory.peak not available on this kernel');
  });

  it('the environment: host, kernel, cgroup layout, load; every runtime with its version; the command line', () => {
    const d = structuredClone(doc);
    d.noise = { turns: [], summary: { maxLoadAvg1: 5.7, maxStealPct: 10.4, noisy: true, reason: 'load average up to 5.70 on 2 cores' } };
    d.tool.commit = '0123456789abcdef0123-dirty';
    d.invocation = { program: 'npx runbench', argv: ['run', '--runtime', 'runc,crun', '--out', 'my results'], cwd: '/src/bench' };
    const env = section(toMarkdown([d]), 'Environment');
    expect(env).toContain(
      '| ci-x86 | Debian GNU/Linux 12 (bookworm) | 6.1.0-13-amd64 (amd64) | Test CPU, 2 cores, 8192.0 MiB | v2 (cgroup2: cpu memory pids) | load average up to 5.70 on 2 cores, steal up to 10.4% (noisy) |',
    );
    expect(env).toContain('> **Warning:** noisy host during run 20261101aaaaaa');
    expect(env).toContain('| runc | 1.1.5 | oci | /usr/sbin/runc | ok |');
    expect(env).toContain('| youki | — | oci | — | **missing**: youki not found on PATH |');
    expect(env).toContain('runbench 0.1.0 (commit 0123456789ab-dirty)');
    expect(env).toContain("(in /src/bench):\n\n```sh\nnpx runbench run --runtime runc,crun --out 'my results'\n```");
    expect(section(toMarkdown([doc]), 'Environment')).toContain('the command line was not recorded');
  });

  it('every figure: median, p95, interval, rank, ratio to best and n, rows in the one order', () => {
    const figures = section(toMarkdown([doc]), 'Figures');
    expect(figures).toContain('#### Startup: create → start → exit → delete (hello; oci · amd64)');
    const lifecycle = checkTables(figures)[0];
    expect(lifecycle?.header).toEqual(['runtime', 'median', 'p95', '95% CI of median', 'rank', 'ratio to best (95% CI)', 'n']);
    expect(lifecycle?.rows.map((r) => r[0])).toEqual(['crun (native)', 'runc (native)', 'crun (Wasm, OCI handler)']);
    expect(lifecycle?.rows[0]).toEqual(['crun (native)', '21.20 ms', '22.60 ms', '20.65 ms … 22.30 ms', '1', '1.00× best', '6']);
    expect(lifecycle?.rows[1]?.[5]).toMatch(/^1\.93× \[1\.\d\d … 2\.\d\d\]$/);
    // 807.00 and 806.50 M ops/s cannot be told apart: a tie, no "best"
    expect(figures).toMatch(/\| runc \(native\) \| 807\.00 M\/s \| [^|]+ \| [^|]+ \| =1 \| 1\.00× \| 6 \|/);
  });

  it('keeps the conformance matrix (collapsed) and every outcome but a pass with its reason', () => {
    const part = section(toMarkdown([doc]), 'Conformance');
    expect(part).toContain('<summary>Every check (3 checks × 2 columns)</summary>');
    expect(part).toContain('| check | level | runc · oci · amd64 | crun · oci · amd64 |');
    expect(part).toMatch(/\| linux\.sysctl \| [A-Z]+ \| \*\*FAIL\*\* \| \*\*ERR\*\* \|/);
    for (const r of doc.conformance.filter((x) => x.outcome.status !== 'passed')) expect(part).toContain(`| ${r.checkId} | ${r.outcome.status} |`);
  });

  it('emulated figures: their own block in the matrix and their own section, with the reason', () => {
    const md = toMarkdown([doc, loadFixture('arm64-emulated.json')]);
    expect(section(md, 'Summary')).toContain('#### oci layer · arm64 (emulated)');
    const figures = section(md, 'Figures');
    const at = figures.indexOf('### Emulated');
    expect(at).toBeGreaterThan(0);
    expect(figures.slice(at)).toContain('qemu-user');
    expect(figures.slice(at)).toContain('(hello; oci · arm64, emulated)');
    expect(figures.slice(0, at)).not.toContain('arm64, emulated');
  });

  it('hostile strings cannot add table cells, HTML or end a code block', () => {
    const d = hostileDoc();
    d.invocation = { program: 'runbench', argv: ['run', '--out', '```\n## injected\n````'], cwd: '/tmp' };
    const md = toMarkdown([d]);
    expect(md).not.toMatch(/<img|<\/?script/i);
    expect(md).toContain('&lt;img src=x onerror="window.pwned=1"&gt;');
    expect(checkTables(md).length).toBeGreaterThan(5);
    // the argument is inside a fence longer than its backticks: no heading comes of it
    expect(md).toContain("`````sh\nrunbench run --out '```\n## injected\n````'\n`````");
    expect(checkTables(toMarkdownSummary([d])).length).toBeGreaterThan(2);
  });

  it('an empty document and NaN figures still give valid Markdown', () => {
    const empty: ResultsDocument = { ...structuredClone(doc), measurements: [], suiteRuns: [], conformance: [], facts: [], runtimes: [] };
    const md = toMarkdown([empty]);
    expect(md).toContain('No measurements in these documents.');
    expect(md).toContain('Nothing failed, errored or was skipped.');
    checkTables(md);
    expect(toMarkdown([])).toContain('No measurements in these documents.');
    const nan = structuredClone(doc);
    for (const m of nan.measurements) if (m.stats) Object.assign(m.stats, { p95: Number.NaN, ci95Median: [Number.NaN, Number.NaN] });
    const withNaN = toMarkdown([nan]);
    expect(withNaN).toContain('| crun (native) | 21.20 ms | n/a | n/a … n/a | 1 | 1.00× best | 6 |');
    checkTables(withNaN);
  });
});

describe('Markdown job summary', () => {
  it('is the summary, the failures, the hosts and the versions, without the figures or conformance', () => {
    const md = toMarkdownSummary([doc]);
    expect(md.startsWith('### runbench: ci-x86, 2026-11-01\n')).toBe(true);
    expect(md).toContain('| crun (native) | **21.20 ms** 1 | **3.0 MiB** 1 | **41.05 /s** 1 |');
    expect(md).toContain('**Failed, errored or skipped**');
    expect(md).toContain('| ci-x86 | Debian GNU/Linux 12 (bookworm) |');
    expect(md).toContain('Runtimes: runc 1.1.5, crun 1.8.1, youki (missing).');
    expect(md).not.toContain('## Figures');
    expect(md).not.toContain('process.args');
    checkTables(md);
  });

  it('says which thresholds were breached and which could not be checked', () => {
    const d = structuredClone(doc);
    const labels = d.measurements[0]?.labels ?? null;
    d.thresholds = [
      {
        kind: 'metric',
        threshold: 'startup.lifecycle p50 < 30ms',
        labels,
        observed: 4e7,
        limit: 3e7,
        baseline: null,
        outcome: { status: 'failed', reason: 'p50 40.95 ms ≥ 30 ms' },
      },
      {
        kind: 'metric',
        threshold: 'startup.run p50 < 30ms',
        labels: null,
        observed: null,
        limit: 3e7,
        baseline: null,
        outcome: { status: 'skipped', reason: 'no measurement matched' },
      },
      {
        kind: 'conformance',
        threshold: 'maxMustFailures: 1',
        labels: null,
        observed: 1,
        limit: 1,
        baseline: null,
        outcome: { status: 'passed', reason: null },
      },
    ];
    const md = toMarkdownSummary([d]);
    expect(md).toContain('Thresholds: 1 passed, **1 breached**, 1 not checked.');
    expect(md).toContain('| startup.lifecycle p50 &lt; 30ms | runc (native) | **breached** | p50 40.95 ms ≥ 30 ms |');
    expect(md).toContain('| startup.run p50 &lt; 30ms | — | not checked | no measurement matched |');
  });
});

describe('Markdown comparison', () => {
  const slower = () => {
    const head = structuredClone(doc);
    const m = head.measurements.find((x) => x.metric === 'lifecycle' && x.labels.runtime === 'crun' && x.labels.workloadKind === 'native');
    if (!m) throw new Error('fixture has no crun lifecycle');
    m.samples = m.samples.map((x) => x * 2);
    m.stats = computeStats(m.samples);
    return head;
  };

  it('a short table: regressions first, change with its interval, adjusted p and n; no change collapsed', () => {
    const md = comparisonToMarkdown(compareDocuments(doc, slower(), { thresholdPercent: 5, alpha: 0.05 }));
    expect(md).toContain('**1 regressed, 0 improved, 7 no change, 3 inconclusive of 11 compared.**');
    expect(md).toContain('Every row: oci layer · amd64.');
    const [attention, quiet] = checkTables(md);
    expect(attention?.header).toEqual(['verdict', 'runtime', 'metric', 'base → head', 'change [95% interval]', 'p (holm)', 'n', 'note']);
    expect(attention?.header.length).toBeLessThan(12);
    // exact test, n = 6 each, completely separated: p = 2 / C(12, 6); 11 rows under Holm multiply it by 11
    expect(attention?.rows[0]).toEqual([
      '🔴 **regressed**',
      'crun (native)',
      'lifecycle',
      '21.20 ms → 42.40 ms',
      expect.stringMatching(/^\+100\.0% \[\+\d+\.\d% … \+\d+\.\d%\]$/),
      ((11 * 2) / 924).toFixed(4),
      '6/6',
      '',
    ]);
    expect(attention?.rows.slice(1).every((r) => r[0] === '⚪ inconclusive' && /about \d+ a side would decide$/.test(r[7] ?? ''))).toBe(true);
    expect(md).toContain('<summary>7 rows with no change</summary>');
    expect(quiet?.rows).toHaveLength(7);
    expect(quiet?.header).not.toContain('note');
  });

  it('names layer and arch in each row when the rows span several, and the workload where a metric has several', () => {
    const both = [doc, loadFixture('arm64-emulated.json')];
    const c = compareDocuments(loadFixture('single-host.json'), doc, { thresholdPercent: 5, alpha: 0.05 });
    expect(comparisonToMarkdown(c)).toContain('Every row: oci layer · amd64.');
    const merged: ResultsDocument = { ...structuredClone(doc), measurements: both.flatMap((d) => d.measurements) };
    const md = comparisonToMarkdown(compareDocuments(merged, merged, { thresholdPercent: 5, alpha: 0.05 }));
    expect(md).not.toContain('Every row:');
    expect(md).toContain('| crun (native), oci · arm64, emulated | lifecycle |');
    checkTables(md);
  });

  it('hostile runtime names stay in their cells', () => {
    const h = hostileDoc();
    const md = comparisonToMarkdown(compareDocuments(h, h, { thresholdPercent: 5, alpha: 0.05 }));
    expect(md).not.toMatch(/<img|<\/?script/i);
    expect(checkTables(md).length).toBeGreaterThan(0);
  });
});
