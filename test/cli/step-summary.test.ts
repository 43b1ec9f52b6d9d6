/**
 * $GITHUB_STEP_SUMMARY: run, report and compare append their Markdown summary to the file it
 * names; a file that cannot be written costs one warning line, never the result or the exit code.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { appendStepSummary } from '../../cli/step-summary.ts';
import { packageRoot } from '../../core/paths.ts';
import { ResultsDocument } from '../../core/schema.ts';
import { computeStats } from '../../core/stats.ts';
import { toJson } from '../../reports/json.ts';
import { checkTables } from '../helpers/markdown.ts';
import { realRuntime } from '../helpers/real.ts';
import { needs } from '../helpers/require.ts';
import { lazyTempDir } from '../helpers/tmp.ts';
import { fixturePath, loadFixture } from '../reports/fixtures.ts';

const tmp = lazyTempDir('runbench-step-summary-');
const single = fixturePath('single-host.json');
let files = 0;
const fresh = () => join(tmp(), `summary-${++files}.md`);

afterEach(() => {
  vi.unstubAllEnvs();
});

async function run(args: string[], summary: string | undefined): Promise<{ code: number; stdout: string; stderr: string }> {
  if (summary === undefined) vi.stubEnv('GITHUB_STEP_SUMMARY', undefined);
  else vi.stubEnv('GITHUB_STEP_SUMMARY', summary);
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
    return { code: await main(args), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

function slowerHead(): string {
  const head = loadFixture('single-host.json');
  for (const m of head.measurements) {
    if (m.metric === 'lifecycle' && m.labels.runtime === 'runc') {
      m.samples = m.samples.map((x) => x * 1.25);
      m.stats = computeStats(m.samples);
    }
  }
  const p = join(tmp(), 'head.json');
  writeFileSync(p, toJson(head));
  return p;
}

describe('appendStepSummary', () => {
  it('does nothing without the variable', () => {
    expect(appendStepSummary('# x\n', {})).toBe(false);
    expect(appendStepSummary('# x\n', { GITHUB_STEP_SUMMARY: '' })).toBe(false);
  });

  it('appends, separated from what the file holds, and the same summary only once', () => {
    const path = fresh();
    writeFileSync(path, 'an earlier step\n');
    const env = { GITHUB_STEP_SUMMARY: path };
    expect(appendStepSummary('### one\n', env)).toBe(true);
    expect(appendStepSummary('### one\n', env)).toBe(false);
    expect(appendStepSummary('### two\n', env)).toBe(true);
    expect(readFileSync(path, 'utf8')).toMatch(
      /^an earlier step\n\n<!-- runbench summary [0-9a-f]{8} -->\n### one\n\n<!-- runbench summary [0-9a-f]{8} -->\n### two\n$/,
    );
  });

  it('a file it cannot write: one warning line, no throw', () => {
    const dir = join(tmp(), 'a-directory');
    mkdirSync(dir, { recursive: true });
    for (const [path, code] of [
      [dir, 'EISDIR'],
      ['/dev/full', 'ENOSPC'],
      [join(tmp(), 'missing', 'summary.md'), 'ENOENT'],
    ] as const) {
      const warnings: string[] = [];
      expect(appendStepSummary('### x\n', { GITHUB_STEP_SUMMARY: path }, (l) => warnings.push(l))).toBe(false);
      expect(warnings).toEqual([`runbench: warning: the job summary was not written to $GITHUB_STEP_SUMMARY (${path}): ${code}\n`]);
    }
  });
});

describe('report and compare with $GITHUB_STEP_SUMMARY', () => {
  it('report appends the summary whatever it writes, once a step; --no-step-summary appends nothing', async () => {
    const path = fresh();
    const r = await run(['report', single, '--format', 'csv', '--out', join(tmp(), 'r.csv')], path);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('warning');
    await run(['report', single, '--format', 'openmetrics', '--out', join(tmp(), 'r.txt')], path);
    const md = readFileSync(path, 'utf8');
    expect(md.match(/### runbench: ci-x86/g)).toHaveLength(1);
    expect(md).toContain('| crun (native) | **21.20 ms** 1 | **3.0 MiB** 1 | **41.05 /s** 1 |');
    checkTables(md);
    const none = fresh();
    expect((await run(['report', single, '--no-step-summary'], none)).code).toBe(0);
    expect(existsSync(none)).toBe(false);
    expect((await run(['report', single], undefined)).stderr).toBe('');
  });

  it('compare appends the verdicts, and when it refuses to judge, why', async () => {
    const path = fresh();
    const r = await run(['compare', single, slowerHead()], path);
    expect(r.code).toBe(3);
    const md = readFileSync(path, 'utf8');
    expect(md).toContain('## runbench compare');
    expect(md).toMatch(/\| 🔴 \*\*regressed\*\* \| runc \(native\) \| lifecycle \| 40\.95 ms → 51\.19 ms \|/);
    expect(r.stdout).not.toContain('## runbench compare');
    const other = loadFixture('single-host.json');
    other.host.kernel = '6.5.0-1-amd64';
    const p = join(tmp(), 'other-kernel.json');
    writeFileSync(p, toJson(other));
    const refused = fresh();
    expect((await run(['compare', single, p], refused)).code).toBe(2);
    expect(readFileSync(refused, 'utf8')).toContain('**Not compared:** base and head ran in different environments (kernel)');
  });

  it('an unwritable summary changes neither the output nor the exit code: one warning line', async () => {
    const head = slowerHead();
    const quiet = await run(['compare', single, head], undefined);
    const full = await run(['compare', single, head], '/dev/full');
    expect(full.code).toBe(3);
    expect(full.stdout).toBe(quiet.stdout);
    expect(full.stderr).toBe('runbench: warning: the job summary was not written to $GITHUB_STEP_SUMMARY (/dev/full): ENOSPC\n');
    const report = await run(['report', single, '--format', 'md', '--out', join(tmp(), 'r.md')], '/dev/full');
    expect(report.code).toBe(0);
    expect(report.stderr.split('\n').filter((l) => l.includes('warning'))).toHaveLength(1);
  });
});

const runc = await realRuntime('runc');
needs('runc', runc.skip).describe('run with $GITHUB_STEP_SUMMARY (real runc)', () => {
  const bin = join(packageRoot, 'bin', 'runbench.js');
  const args = (out: string) => ['run', '--runtime', 'runc', '--suite', 'startup', '--runs', '3', '--warmup', '0', '--blocks', '1', '--layer', 'oci', '--out', out];

  it('appends the run summary; an unwritable file costs one warning line and nothing else', async () => {
    const path = fresh();
    const out = join(tmp(), 'run-ok');
    const ok = await execa('node', [bin, ...args(out)], { reject: false, all: true, env: { CI: '1', GITHUB_STEP_SUMMARY: path } });
    expect(ok.exitCode, ok.all).toBe(0);
    const md = readFileSync(path, 'utf8');
    expect(md).toMatch(/^<!-- runbench summary [0-9a-f]{8} -->\n### runbench: /);
    // one runtime: ranked, but no winner and no headline
    expect(md).toMatch(/\| runc \(native\) \| [\d.]+ ms 1 \| [\d.]+ ms 1 \|/);
    expect(md).not.toContain('**Fastest');
    expect(md).toMatch(/```sh\n(npx )?runbench run --runtime runc --suite startup --runs 3/);
    checkTables(md);
    const out2 = join(tmp(), 'run-full');
    const full = await execa('node', [bin, ...args(out2)], { reject: false, all: true, env: { CI: '1', GITHUB_STEP_SUMMARY: '/dev/full' } });
    expect(full.exitCode, full.all).toBe(0);
    expect(ResultsDocument.safeParse(JSON.parse(readFileSync(join(out2, 'results.json'), 'utf8'))).success).toBe(true);
    expect(full.stderr.split('\n').filter((l) => /job summary|GITHUB_STEP_SUMMARY/.test(l))).toEqual([
      'runbench: warning: the job summary was not written to $GITHUB_STEP_SUMMARY (/dev/full): ENOSPC',
    ]);
  }, 240_000);
});
