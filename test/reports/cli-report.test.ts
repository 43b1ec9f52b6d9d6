/** The report and compare commands end to end on fixture documents: files written, exit codes. */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { toJson } from '../../reports/json.ts';
import { computeStats } from '../../core/stats.ts';
import { fixturePath, loadFixture, nightlies } from './fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'runbench-report-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

const single = fixturePath('single-host.json');

function slowerHead(): string {
  const head = loadFixture('single-host.json');
  for (const m of head.measurements) {
    if (m.metric === 'lifecycle' && m.labels.runtime === 'runc') {
      m.samples = m.samples.map((x) => x * 1.25);
      m.stats = computeStats(m.samples);
    }
  }
  const p = join(dir, 'head.json');
  writeFileSync(p, toJson(head));
  return p;
}

describe('runbench compare', () => {
  it('exits 0 when nothing regressed', async () => {
    const r = await run(['compare', single, single]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('0 regressed, 0 improved, 7 no change, 4 inconclusive of 11 compared');
    expect(r.stdout).toContain('adjusted across the 11 rows by Holm');
  });

  it('exits 3 on a regression; --markdown prints the verdicts for a pull request', async () => {
    const r = await run(['compare', single, slowerHead(), '--markdown']);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/\| 🔴 \*\*regressed\*\* \| runc \(native\) \| lifecycle \| 40\.95 ms → 51\.19 ms \| \+25\.0% \[/);
  });

  it('--json prints the comparison; the threshold can hide a small change', async () => {
    const r = await run(['compare', single, slowerHead(), '--json', '--threshold', '30']);
    expect(r.code).toBe(0);
    const c = JSON.parse(r.stdout) as { regressions: number; options: { thresholdPercent: number } };
    expect(c.regressions).toBe(0);
    expect(c.options.thresholdPercent).toBe(30);
  });

  it('a document with a phase that was never observed goes through report and compare', async () => {
    const doc = loadFixture('single-host.json');
    const m = doc.measurements.find((x) => x.metric === 'create' && x.labels.runtime === 'crun');
    if (!m) throw new Error('fixture has no crun create');
    Object.assign(m, { samples: [], failedSamples: 6, stats: null });
    const p = join(dir, 'missing-phase.json');
    writeFileSync(p, toJson(doc));
    const table = await run(['report', p]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/crun \(native\) +no value: all 6 samples failed/);
    for (const format of ['md', 'html']) expect((await run(['report', p, '--format', format, '--out', join(dir, `missing.${format}`)])).code).toBe(0);
    const c = await run(['compare', single, p]);
    expect(c.code).toBe(0);
    expect(c.stdout).toContain('not compared: oci/startup/create crun hello (native, amd64): no value in head: all 6 samples failed');
  });

  it('shows what differs between the environments first, and refuses a difference that can move the figures', async () => {
    const head = loadFixture('single-host.json');
    head.host.kernel = '6.5.0-1-amd64';
    head.host.nodeVersion = 'v22.1.0';
    const p = join(dir, 'other-kernel.json');
    writeFileSync(p, toJson(head));
    const refused = await run(['compare', single, p]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toContain('Environment: 2 differences between base and head, 1 of which can move the figures.');
    expect(refused.stdout).toMatch(/ {2}kernel +6\.1\.0-13-amd64 -> 6\.5\.0-1-amd64 +\(can move the figures\)/);
    expect(refused.stdout).not.toContain('verdict');
    expect(refused.stderr).toBe(
      'runbench: base and head ran in different environments (kernel): pass --allow-env-change if that is the change being measured\n',
    );
    const md = await run(['compare', single, p, '--markdown']);
    expect(md.code).toBe(2);
    expect(md.stdout).toContain('| kernel | 6.1.0-13-amd64 | 6.5.0-1-amd64 | can move the figures |');
    const allowed = await run(['compare', single, p, '--allow-env-change']);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout.indexOf('kernel')).toBeLessThan(allowed.stdout.indexOf('verdict'));
    expect(allowed.stdout).toContain('0 regressed, 0 improved');
    const json = JSON.parse((await run(['compare', single, p, '--allow-env-change', '--json'])).stdout) as { environment: { what: string }[] };
    expect(json.environment.map((d) => d.what)).toEqual(['kernel', 'Node version']);
  });

  it('--help documents --allow-env-change, --correction and the verdicts', async () => {
    const r = await run(['compare', '--help']);
    expect(r.code).toBe(0);
    for (const s of ['--allow-env-change', '--correction <method>', 'inconclusive', 'no change']) expect(r.stdout).toContain(s);
  });

  it('bad input is a usage error', async () => {
    expect((await run(['compare', single, join(dir, 'missing.json')])).code).toBe(2);
    expect((await run(['compare', single, single, '--alpha', '1.5'])).code).toBe(2);
  });
});

describe('runbench report', () => {
  it('--format writes every registered format', async () => {
    for (const [format, head] of [
      ['md', '# runbench results'],
      ['summary', '### runbench: ci-x86, build-02, 2026-11-01'],
      ['csv', 'runId,host,arch'],
      ['junit', '<?xml version="1.0"'],
      ['tap', 'TAP version 14'],
      ['html', '<!doctype html>'],
      ['github-benchmark-smaller', '[\n  {\n    "name": "oci/memory/runtimePeakRssBytes/hello/native/amd64/crun@ci-x86"'],
      ['github-benchmark-bigger', '[\n  {\n    "name": "oci/throughput/churnContainersPerSec/hello/native/amd64/crun@ci-x86"'],
      ['openmetrics', '# HELP runbench_conformance_checks '],
    ] as const) {
      const out = join(dir, `report.${format}`);
      const r = await run(['report', single, fixturePath('arm64-emulated.json'), '--format', format, '--out', out]);
      expect(r.code).toBe(0);
      expect(readFileSync(out, 'utf8').slice(0, head.length), format).toBe(head);
    }
  });

  it('--html with --baseline and --history', async () => {
    const hist = join(dir, 'nightly');
    nightlies().forEach((d, i) => {
      mkdirSync(join(hist, `night-${i}`), { recursive: true });
      writeFileSync(join(hist, `night-${i}`, 'results.json'), toJson(d));
    });
    const withBaseline = join(dir, 'baseline.html');
    expect((await run(['report', '--baseline', single, slowerHead(), '--html', withBaseline])).code).toBe(0);
    expect(readFileSync(withBaseline, 'utf8')).toContain('Comparison with the baseline');
    const history = join(dir, 'history.html');
    expect((await run(['report', '--history', hist, '--html', history])).code).toBe(0);
    expect(readFileSync(history, 'utf8')).toContain('runbench history');
  });

  it('without an output option prints the terminal summary', async () => {
    const r = await run(['report', single]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('oci · startup · lifecycle (hello, amd64)');
  });

  it('two documents of one host in a format that keeps history: one line, exit 2, no file', async () => {
    for (const format of ['openmetrics', 'github-benchmark-smaller']) {
      const out = join(dir, `twice-${format}`);
      const r = await run(['report', single, single, '--format', format, '--out', out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^runbench: .* takes one measurement per series, but run 20261101aaaaaa measures .* twice: export one document per host\n$/);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('usage errors', async () => {
    expect((await run(['report'])).code).toBe(2);
    expect((await run(['report', single, '--format', 'pdf'])).code).toBe(2);
    expect((await run(['report', '--history', join(dir, 'nope'), '--html', join(dir, 'x.html')])).code).toBe(2);
    expect((await run(['report', '--baseline', single, '--html', join(dir, 'x.html')])).code).toBe(2);
  });
});
