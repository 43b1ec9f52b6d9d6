import { describe, expect, it } from 'vitest';
import { cpuMHz, cpuTimes, loadAvg1, shares, summarize } from '../../core/noise.ts';
import { toMarkdown } from '../../reports/markdown.ts';
import { toTable } from '../../reports/table.ts';
import { loadFixture } from '../reports/fixtures.ts';

const turn = (loadAvg1: number | null, stealPct: number | null) => ({
  layer: 'oci' as const,
  arch: 'amd64',
  round: 0,
  runtime: 'runc',
  loadAvg1,
  stealPct,
  busyPct: 50,
  cpuMHz: 2300,
});

describe('noise', () => {
  it('reads /proc/stat, /proc/loadavg and /proc/cpuinfo as the kernel writes them', () => {
    const a = cpuTimes('cpu  100 0 50 800 10 0 0 40 0 0\ncpu0 1 2 3 4 5 6 7 8\n');
    const b = cpuTimes('cpu  150 0 70 850 10 0 0 60 0 0\n');
    expect(a).toEqual({ total: 1000, steal: 40, idle: 810 });
    expect(shares(a, b)).toEqual({ stealPct: 14.3, busyPct: 64.3 });
    expect(shares(b, a)).toEqual({ stealPct: null, busyPct: null });
    expect(cpuTimes('garbage')).toBeNull();
    expect(loadAvg1('3.52 2.10 1.00 2/300 1234\n')).toBe(3.52);
    expect(loadAvg1('')).toBeNull();
    expect(cpuMHz('cpu MHz\t\t: 2000.000\nfoo\ncpu MHz\t\t: 3000.000\n')).toBe(2500);
  });

  it('calls a run noisy for a load above its cores or a steal above 5%, and says which', () => {
    expect(summarize([turn(1.2, 0), turn(1.9, 1)], 2)).toEqual({ maxLoadAvg1: 1.9, maxStealPct: 1, noisy: false, reason: null });
    expect(summarize([turn(1.2, 0), turn(9.5, 7.5)], 2)).toEqual({
      maxLoadAvg1: 9.5,
      maxStealPct: 7.5,
      noisy: true,
      reason: 'load average up to 9.50 on 2 cores; up to 7.5% of CPU time stolen by the hypervisor',
    });
    expect(summarize([], 2)).toMatchObject({ noisy: false, maxLoadAvg1: null });
  });

  it('every report of a noisy run says so', () => {
    const doc = structuredClone(loadFixture('single-host.json'));
    expect(toTable(doc)).not.toContain('noisy host');
    doc.noise = { turns: [turn(9.5, 0)], summary: summarize([turn(9.5, 0)], 2) };
    expect(toTable(doc)).toContain(`warning: noisy host during run ${doc.runId}`);
    expect(toMarkdown([doc])).toContain('> **Warning:** noisy host during run');
  });
});

describe('compare on a noisy host', () => {
  it('says which side ran on a noisy host, in the text, Markdown and HTML summaries', async () => {
    const { compareDocuments } = await import('../../core/compare.ts');
    const { environmentToText } = await import('../../reports/compare-text.ts');
    const base = structuredClone(loadFixture('single-host.json'));
    const head = structuredClone(base);
    expect(environmentToText(compareDocuments(base, head, { thresholdPercent: 5, alpha: 0.05 }))).not.toContain('noisy');
    head.noise = { turns: [turn(6.2, 12)], summary: summarize([turn(6.2, 12)], 2) };
    const c = compareDocuments(base, head, { thresholdPercent: 5, alpha: 0.05 });
    expect(c.base.noisy).toBeNull();
    expect(environmentToText(c)).toContain(
      'The head ran on a noisy host (load average up to 6.20 on 2 cores; up to 12% of CPU time stolen by the hypervisor): its figures carry that noise.',
    );
  });
});
