import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rbExecPath } from '../../core/paths.ts';
import { TimingHelper } from '../../core/timing-helper.ts';
import { needs } from '../helpers/require.ts';

const built = existsSync(rbExecPath);

needs('fixtures', built ? null : 'build/bin/rb-exec not built; run scripts/build-fixtures.sh').describe('rb-exec timing helper', () => {
  let helper: TimingHelper;
  let dir: string;
  beforeAll(() => {
    helper = TimingHelper.start();
    dir = mkdtempSync(join(tmpdir(), 'rb-exec-'));
  });
  afterAll(async () => {
    await helper.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('times a command, captures its output and exit code', async () => {
    const out = join(dir, 'out');
    const r = await helper.run([{ kind: 'exec', label: 'echo', argv: ['sh', '-c', 'echo hi; exit 3'], stdout: out }], 5000);
    const s = r.steps[0]!;
    expect(s.exitCode).toBe(3);
    expect(s.endNs).toBeGreaterThan(s.startNs);
    expect(s.maxRssKb).toBeGreaterThan(0);
    expect(readFileSync(out, 'utf8')).toBe('hi\n');
    expect(r.error).toBe('step echo exited with 3');
  });

  it('kills a step that passes the deadline and says so', async () => {
    const t0 = Date.now();
    const r = await helper.run([{ kind: 'exec', label: 'hang', argv: ['sleep', '30'] }], 300);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.steps[0]).toMatchObject({ timedOut: true, signal: 9 });
    expect(r.error).toContain('timed out');
  });

  it('does not run the steps after a failed one', async () => {
    const r = await helper.run(
      [
        { kind: 'exec', label: 'fail', argv: ['false'] },
        { kind: 'exec', label: 'after', argv: ['true'] },
      ],
      5000,
    );
    expect(r.steps[1]?.error).toContain('not run');
  });

  it('waits for a pid written to a file by a process that exits first (the runtime create pattern)', async () => {
    const pidFile = join(dir, 'pid');
    const r = await helper.run(
      [
        { kind: 'exec', label: 'create', argv: ['sh', '-c', `sleep 0.2 & echo $! > ${pidFile}`] },
        { kind: 'waitpid', label: 'exit', pidFile },
        { kind: 'read', label: 'r', path: pidFile },
      ],
      5000,
    );
    expect(r.error).toBeNull();
    const exit = r.steps[1]!;
    // the orphan was reparented to rb-exec (a subreaper) and reaped, not polled
    expect(exit.value).toBe('');
    expect(exit.endNs - r.steps[0]!.endNs).toBeGreaterThan(100e6);
    expect(r.steps[2]?.value).toMatch(/^\d+$/);
  });

  it('reports an unknown program as an error, not a crash', async () => {
    const r = await helper.run([{ kind: 'exec', label: 'x', argv: ['/nonexistent/binary'] }], 5000);
    expect(r.steps[0]?.exitCode).toBe(127);
    expect(r.error).toContain('cannot execute');
  });

  it('rejects arguments it cannot carry', async () => {
    await expect(helper.run([{ kind: 'exec', label: 'bad label', argv: ['true'] }], 1000)).rejects.toThrow(/white space/);
    await expect(helper.run([{ kind: 'exec', label: 'nl', argv: ['echo', 'a\nb'] }], 1000)).rejects.toThrow(/newline/);
    // and it still works afterwards
    expect((await helper.run([{ kind: 'exec', label: 'ok', argv: ['true'] }], 1000)).error).toBeNull();
  });
});
