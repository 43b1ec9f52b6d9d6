import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rbExecPath } from '../../core/paths.ts';
import { RB_EXEC_LIMITS, TimingHelper, type Step } from '../../core/timing-helper.ts';
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

  it('rejects a NaN, negative, zero, infinite or too large timeout at once, without sending it', async () => {
    // busy with a slow sequence: a request that were queued or sent would wait for it
    const slow = helper.run([{ kind: 'exec', label: 'slow', argv: ['sleep', '1'] }], 5000);
    const t0 = Date.now();
    for (const t of [NaN, -1, -0.5, 0, Infinity, -Infinity, RB_EXEC_LIMITS.maxTimeoutMs + 1]) {
      await expect(helper.run([{ kind: 'exec', label: 'x', argv: ['true'] }], t)).rejects.toThrow(
        new RegExp(`^timeout ${String(t)} must be a finite number of milliseconds above 0 up to 2147483647$`),
      );
    }
    expect(Date.now() - t0).toBeLessThan(500);
    expect((await slow).error).toBeNull();
    // a fraction of a millisecond is rb-exec's smallest timeout, 1 ms
    expect((await helper.run([{ kind: 'sleep', label: 'z', ms: 0 }], 0.3)).error).toBeNull();
  });

  it('rejects other requests rb-exec could not carry, before sending them', async () => {
    const exec = (argv: string[], label = 'x'): Step => ({ kind: 'exec', label, argv });
    const bad: [Step[], RegExp][] = [
      [Array.from({ length: 65 }, () => exec(['true'])), /65 steps in one sequence, rb-exec takes at most 64/],
      [[exec(['true'], 'l'.repeat(128))], /step label '.*' must be 1-127 bytes/],
      [[exec(['true'], 'é'.repeat(64))], /step label '.*' must be 1-127 bytes/],
      [[exec([])], /0 arguments, rb-exec takes 1-511/],
      [[exec(Array.from({ length: 512 }, () => 'true'))], /512 arguments, rb-exec takes 1-511/],
      [[exec(['echo', 'a\0b'])], /contains a NUL character/],
      [[exec(['echo', 'a'.repeat(65_532)])], /an argument of 65532 bytes is longer than rb-exec takes \(65531\)/],
      [[exec(['echo', ...Array.from({ length: 5 }, () => 'a'.repeat(60_000))])], /arguments of 300010 bytes in all are longer than rb-exec takes \(262144\)/],
      [[{ kind: 'exec', label: 'x', argv: ['true'], stdout: `/${'p'.repeat(199)}` }], /output path '.*' must be 1-199 bytes/],
      [[{ kind: 'read', label: 'x', path: '/etc/host name' }], /path '.*' must be 1-199 bytes without white space/],
      [[{ kind: 'waitchild', label: 'x', pid: NaN }], /step x: pid NaN is not a process id/],
      [[{ kind: 'waitchild', label: 'x', pid: -3 }], /step x: pid -3 is not a process id/],
      [[{ kind: 'sleep', label: 'x', ms: NaN }], /step x: sleep NaN must be a finite number of milliseconds from 0/],
      [[{ kind: 'sleep', label: 'x', ms: -1 }], /step x: sleep -1 must be a finite number/],
    ];
    for (const [steps, error] of bad) await expect(helper.run(steps, 1000)).rejects.toThrow(error);
    // the largest it takes goes through
    const big = await helper.run([exec(['echo', 'a'.repeat(65_531)]), exec(['true', ...Array.from({ length: 510 }, () => 'x')])], 5000);
    expect(big.error).toBeNull();
  });

  describe('a reply it cannot match by id', () => {
    const fake = (reply: string): string => {
      const path = join(dir, `fake-${Math.random().toString(36).slice(2)}`);
      writeFileSync(path, `#!/bin/sh\nwhile IFS= read -r line; do case "$line" in SEQ*) printf '%s\\n' '${reply}' ;; esac; done\n`, { mode: 0o755 });
      return path;
    };

    it.each([
      ['a reply for the id "?"', '{"id":"?","steps":[],"error":"cannot read it"}', /^rb-exec could not read the request: cannot read it$/],
      ['an unreadable reply', 'not json', /^rb-exec sent an unreadable reply: not json$/],
    ])('answers the waiting request with an error on %s', async (_what, reply, error) => {
      const h = TimingHelper.start({}, fake(reply));
      try {
        const r = await h.run([{ kind: 'exec', label: 'x', argv: ['true'] }], 1000);
        expect(r.steps).toEqual([]);
        expect(r.error).toMatch(error);
      } finally {
        await h.close();
      }
    });
  });
});
