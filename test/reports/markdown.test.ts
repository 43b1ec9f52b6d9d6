import { describe, expect, it } from 'vitest';
import { compareDocuments } from '../../core/compare.ts';
import { computeStats } from '../../core/stats.ts';
import { comparisonToMarkdown, toMarkdown } from '../../reports/markdown.ts';
import { loadFixture } from './fixtures.ts';
import { hostileDoc } from './hostile.ts';

describe('Markdown exporter', () => {
  const doc = loadFixture('single-host.json');

  it('one table per metric with median, CI, rank and ratio to best with its interval, best first', () => {
    const md = toMarkdown([doc]);
    expect(md).toContain('### oci · startup · lifecycle (hello, amd64)');
    expect(md).toContain('| runtime | median | 95% CI of median | rank | ratio to best (95% CI) | n |');
    // crun native 21.20 ms is best, apart from the next; runc native 40.95 ms is 1.93× it.
    expect(md).toContain('| crun (native) | 21.20 ms | 20.65 ms … 22.30 ms | 1 | 1.00× best | 6 |');
    expect(md).toMatch(/\| runc \(native\) \| 40\.95 ms \| [^|]+ \| 3 \| 1\.93× \[1\.\d\d … 2\.\d\d\] \| 6 \|/);
    // Throughput: higher is better, so the ratio inverts.
    expect(md).toMatch(/\| crun \(native\) \| 41\.05 \/s \| [^|]+ \| 1 \| 1\.00× best \| 6 \|/);
    expect(md).toMatch(/\| runc \(native\) \| 22\.00 \/s \| [^|]+ \| 2 \| 1\.87× \[1\.\d\d … 1\.\d\d\] \| 6 \|/);
    // 807.00 and 806.50 M ops/s cannot be told apart: a tie, no "best"
    expect(md).toMatch(/\| runc \(native\) \| 807\.00 M\/s \| [^|]+ \| =1 \| 1\.00× \| 6 \|/);
    expect(md).toMatch(/\| crun \(native\) \| 806\.50 M\/s \| [^|]+ \| =1 \| 1\.00× \[0\.\d\d … 1\.\d\d\] \| 6 \|/);
    expect(md).toContain('"=" marks runtimes that cannot be told apart');
  });

  it('lists what was not measured, with the reason', () => {
    const md = toMarkdown([doc]);
    expect(md).toContain('## Not measured');
    expect(md).toContain('| ci-x86 | youki | oci | startup | skipped | youki not found on PATH |');
    expect(md).toContain('| ci-x86 | crun | oci | memory | failed | wasm: cgroup memory.peak not available on this kernel |');
  });

  it('shows the conformance matrix, a column per runtime, layer and arch, and every outcome but a pass with its reason', () => {
    const md = toMarkdown([doc]);
    const at = md.indexOf('## Conformance');
    expect(at).toBeGreaterThan(0);
    const part = md.slice(at);
    expect(part).toContain('| check | level | runc · oci · amd64 | crun · oci · amd64 |');
    expect(part).toMatch(/\| process\.args \| MUST \| PASS \| PASS \|/);
    expect(part).toMatch(/\| linux\.sysctl \| [A-Z]+ \| \*\*FAIL\*\* \| \*\*ERR\*\* \|/);
    expect(part).toContain('### Failures, errors and skips');
    const reasons = doc.conformance.filter((r) => r.outcome.status !== 'passed');
    for (const r of reasons) expect(part).toContain(`| ${r.checkId} | ${r.outcome.status} |`);
  });

  it('emulated figures get their own section with the reason', () => {
    const md = toMarkdown([doc, loadFixture('arm64-emulated.json')]);
    const at = md.indexOf('## Emulated');
    expect(at).toBeGreaterThan(0);
    expect(md.slice(at)).toContain('qemu-user');
    expect(md.slice(at)).toContain('(hello, arm64, emulated)');
    expect(md.slice(0, at)).not.toContain('arm64, emulated');
  });

  it('hostile strings cannot add table cells or HTML', () => {
    const md = toMarkdown([hostileDoc()]);
    expect(md).not.toMatch(/<img|<\/?script/i);
    expect(md).toContain('&lt;img src=x onerror="window.pwned=1"&gt;');
    // Every row of every table has as many cells as its header: no escaped pipe splits a cell.
    const cells = (line: string) => line.split(/(?<!\\)\|/).length - 2;
    const blocks = md
      .split(/\n(?!\|)/)
      .map((b) => b.split('\n').filter((l) => l.startsWith('|')))
      .filter((b) => b.length > 0);
    expect(blocks.length).toBeGreaterThan(3);
    for (const b of blocks) for (const line of b) expect(cells(line)).toBe(cells(b[0] as string));
  });

  it('comparison table: regressions first, with change, interval, p and adjusted p', () => {
    const head = structuredClone(doc);
    const m = head.measurements.find((x) => x.metric === 'lifecycle' && x.labels.runtime === 'crun' && x.labels.workloadKind === 'native');
    if (!m) throw new Error('fixture has no crun lifecycle');
    m.samples = m.samples.map((x) => x * 2);
    m.stats = computeStats(m.samples);
    const md = comparisonToMarkdown(compareDocuments(doc, head, { thresholdPercent: 5, alpha: 0.05 }));
    expect(md).toContain('**1 regressed, 0 improved, 7 no change, 3 inconclusive of 11 compared.**');
    expect(md).toContain('| verdict | layer | suite | metric | runtime | workload | arch | base | head | change | 95% interval | p | p holm | n | why |');
    const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| verdict') && !l.startsWith('| ---'));
    expect(rows[0]).toMatch(/^\| 🔴 regressed \| oci \| startup \| lifecycle \| crun \| hello \(native\) \| amd64 \| 21\.20 ms \| 42\.40 ms \| \+100\.0% \|/);
    // exact test, n = 6 each, completely separated: p = 2 / C(12, 6); 11 rows under Holm multiply it by 11
    expect(rows[0]).toContain(`| ${(2 / 924).toFixed(4)} | ${((11 * 2) / 924).toFixed(4)} | 6/6 | adjusted p &lt; 0.05 and worse by more than 5% |`);
    expect(rows.filter((r) => r.startsWith('| ⚪ inconclusive')).every((r) => /about \d+ a side would decide \|$/.test(r))).toBe(true);
  });
});
