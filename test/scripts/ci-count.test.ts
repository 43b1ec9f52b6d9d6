/**
 * .ci/count.mjs, the closing lines of CI, against what vitest really reports: throwaway test
 * files run through vitest with the reporters CI uses, then counted. A file whose beforeAll
 * throws, a failed hook, a file that cannot load and an unhandled rejection each count as a
 * failure; a non-zero exit that nothing explains counts as one, with the reason.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../core/paths.ts';
import { lazyTempDir } from '../helpers/tmp.ts';

const counter = join(packageRoot, '.ci', 'count.mjs');
const vitestBin = join(packageRoot, 'node_modules', 'vitest', 'vitest.mjs');
const tmp = lazyTempDir('runbench-ci-count-');

/** The environment of a vitest of its own, not a worker of this one. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true', NO_COLOR: '1' };
  for (const k of Object.keys(env)) if (k.startsWith('VITEST') || k === 'NODE_OPTIONS' || k === 'TEST') delete env[k];
  return env;
}

interface Vitest {
  report: string;
  log: string;
  exitCode: number;
}

/** Runs vitest on one throwaway test file as CI does: default and JSON reporters, output kept. */
function runVitest(name: string, source: string): Vitest {
  const dir = join(tmp(), name);
  mkdirSync(dir, { recursive: true });
  // no imports: a directory outside the repository cannot resolve 'vitest', so globals
  writeFileSync(join(dir, 'vitest.config.mjs'), "export default { test: { include: ['*.test.ts'], globals: true } };\n");
  writeFileSync(join(dir, `${name}.test.ts`), source);
  const report = join(dir, 'vitest.json');
  const r = spawnSync(
    process.execPath,
    [vitestBin, 'run', '--config', 'vitest.config.mjs', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
    {
      cwd: dir,
      env: cleanEnv(),
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  const log = join(dir, 'vitest.log');
  writeFileSync(log, `${r.stdout}${r.stderr}`);
  return { report, log, exitCode: r.status ?? 1 };
}

function count(v: Vitest, ...outside: string[]) {
  const r = spawnSync(process.execPath, [counter, v.report, v.log, String(v.exitCode), ...outside], { encoding: 'utf8', cwd: tmp() });
  const lines = r.stdout.trimEnd().split('\n');
  return { status: r.status, stdout: r.stdout, last: lines[lines.length - 1] };
}

describe('.ci/count.mjs on real vitest reports', () => {
  it('passes, skips grouped by reason, todo: no failure, exit 0', () => {
    const v = runVitest(
      'skips',
      `
it('passes', () => expect(1).toBe(1));
describe.skip('runc through the OCI CLI (skipped: runc is missing: not found)', () => {
  it('one', () => {});
  it('two', () => {});
});
it('records its own reason', (ctx) => {
  ctx.task.meta.skipReason = 'youki unbroken does not pass wasi.preopen';
  ctx.skip('youki unbroken does not pass wasi.preopen');
});
it.skip('has no reason', () => {});
it.todo('later');
`,
    );
    expect(v.exitCode).toBe(0);
    const c = count(v);
    expect(c.status, c.stdout).toBe(0);
    expect(c.last).toBe('1 passed, 0 failed, 5 skipped');
    expect(c.stdout).toContain('skipped, by reason:\n  2  runc is missing: not found\n');
    expect(c.stdout).toMatch(/^ {2}1 {2}youki unbroken does not pass wasi\.preopen$/m);
    expect(c.stdout).toMatch(/^ {2}1 {2}no reason given$/m);
    expect(c.stdout).toMatch(/^ {2}1 {2}todo$/m);
    expect(c.stdout).not.toContain('failures:');
  });

  it('a file whose beforeAll throws (its tests reported as skipped) is a failure', () => {
    const v = runVitest(
      'before-all',
      `
beforeAll(() => { throw new Error('setup exploded'); });
it('one', () => {});
it('two', () => {});
`,
    );
    expect(v.exitCode).not.toBe(0);
    const report = JSON.parse(readFileSync(v.report, 'utf8'));
    // what fooled the old count: no failed test, only skipped ones
    expect(report.testResults[0].assertionResults.map((t: { status: string }) => t.status)).toEqual(['skipped', 'skipped']);
    const c = count(v);
    expect(c.status).toBe(1);
    expect(c.last).toBe('0 passed, 1 failed, 2 skipped');
    expect(c.stdout).toContain('before-all/before-all.test.ts: the file failed: setup exploded');
    expect(c.stdout).toContain('did not run: before-all/before-all.test.ts failed (setup exploded)');
  });

  it('a beforeAll that throws inside a describe is a failure', () => {
    const v = runVitest(
      'nested-before-all',
      `
it('outside', () => {});
describe('inner', () => {
  beforeAll(() => { throw new Error('inner setup exploded'); });
  it('one', () => {});
});
`,
    );
    const c = count(v);
    expect(c.status).toBe(1);
    expect(c.last).toMatch(/^1 passed, [1-9]\d* failed, 1 skipped$/);
  });

  it('a failed hook after passing tests (afterAll, afterEach) is a failure', () => {
    for (const hook of ['afterAll', 'afterEach']) {
      const v = runVitest(`hook-${hook}`, `${hook}(() => { throw new Error('${hook} exploded'); });\nit('passes', () => {});\n`);
      expect(v.exitCode).not.toBe(0);
      const c = count(v);
      expect(c.status, c.stdout).toBe(1);
      expect(c.last, c.stdout).toMatch(/^[01] passed, 1 failed, 0 skipped$/);
      expect(c.stdout).toContain(`${hook} exploded`);
    }
  });

  it('a file that cannot load is a failure', () => {
    const c = count(runVitest('load', "throw new Error('cannot load');\n"));
    expect(c.status).toBe(1);
    expect(c.last).toBe('0 passed, 1 failed, 0 skipped');
    expect(c.stdout).toContain('load.test.ts: the file failed: cannot load');
  });

  it('an unhandled rejection is a failure although every test passed', () => {
    const v = runVitest('unhandled', "it('passes', () => { Promise.reject(new Error('nobody caught me')); });\n");
    expect(v.exitCode).not.toBe(0);
    // the JSON report does not show it at all
    expect(JSON.parse(readFileSync(v.report, 'utf8'))).toMatchObject({ success: true, numFailedTestSuites: 0, numFailedTests: 0 });
    const c = count(v);
    expect(c.status).toBe(1);
    expect(c.last).toBe('1 passed, 1 failed, 0 skipped');
    expect(c.stdout).toContain('1 unhandled error(s) during the run');
  });

  it('a failed test is a failure, named', () => {
    const c = count(runVitest('assertion', "describe('maths', () => { it('adds', () => expect(1 + 1).toBe(3)); });\n"));
    expect(c.status).toBe(1);
    expect(c.last).toBe('0 passed, 1 failed, 0 skipped');
    expect(c.stdout).toContain('assertion.test.ts: maths adds');
  });

  it('a non-zero exit with a clean report counts one failure and says why', () => {
    const v = runVitest('clean', "it('passes', () => {});\n");
    expect(v.exitCode).toBe(0);
    const c = count({ ...v, exitCode: 1 });
    expect(c.status).toBe(1);
    expect(c.last).toBe('1 passed, 1 failed, 0 skipped');
    expect(c.stdout).toContain('vitest exited 1 although no test, file or unhandled error was counted as failed');
  });

  it('no report (vitest died) and failures outside vitest are counted', () => {
    const missing = { report: join(tmp(), 'absent.json'), log: join(tmp(), 'absent.log'), exitCode: 137 };
    expect(existsSync(missing.report)).toBe(false);
    const c = count(missing, 'scripts/smoke.sh failed');
    expect(c.status).toBe(1);
    expect(c.last).toBe('0 passed, 2 failed, 0 skipped');
    expect(c.stdout).toContain('vitest wrote no JSON report');
    expect(c.stdout).toContain('scripts/smoke.sh failed');
  });
});
