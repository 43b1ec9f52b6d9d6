/**
 * Ctrl-C after pid wrap-around: rb-exec must not kill a process group it once started
 * whose number now belongs to an unrelated process. Run in a fresh pid namespace, where
 * the next pid can be chosen (pid-reuse.sh says how); needs root and unshare.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rbExecPath } from '../../core/paths.ts';

const script = join(dirname(fileURLToPath(import.meta.url)), 'pid-reuse.sh');
// --kill-child: when unshare goes, its child, pid 1 of the namespace, is killed and everything in the namespace with it
const unshare = ['--pid', '--fork', '--mount-proc', '--kill-child'];

function cannotRun(): string | null {
  if (!existsSync(rbExecPath)) return 'build/bin/rb-exec not built; run scripts/build-fixtures.sh';
  if (process.getuid?.() !== 0) return 'needs root';
  const probe = spawnSync('unshare', [...unshare, 'sh', '-c', 'echo 100 > /proc/sys/kernel/ns_last_pid'], { timeout: 10_000, stdio: 'ignore' });
  if (probe.error || probe.status !== 0) return 'cannot make a pid namespace and choose its next pid (unshare --pid --fork --mount-proc)';
  return null;
}

const skip = cannotRun();

describe.skipIf(skip !== null)(`rb-exec after pid wrap-around${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rb-exec-pid-reuse-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['SIGINT (Ctrl-C)', 'INT', 130],
    ['SIGTERM', 'TERM', 143],
    ['the end of its input', 'EOF', 0],
  ])('on %s kills what it still runs but not an unrelated process group that took a reaped leader’s number', async (_what, how, exitCode) => {
    const work = mkdtempSync(join(dir, `${how}-`));
    // unshare --fork ignores SIGTERM: a timeout (or this process exiting) kills it with SIGKILL
    const r = await execa('unshare', [...unshare, 'bash', script, rbExecPath, how, work], { reject: false, timeout: 60_000, killSignal: 'SIGKILL' });
    const out = Object.fromEntries(
      r.stdout
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(out.error, r.stderr).toBeUndefined();
    expect(r.exitCode, r.stderr).toBe(0);
    // the setup: the unrelated process holds the number of the leader rb-exec started and reaped, as pid and as process group
    expect(Number(out.reused)).toBeGreaterThan(1);
    expect(out.unrelated).toBe(out.reused);
    expect(out.unrelated_pgid).toBe(out.reused);
    expect(Number(out.rb_exit)).toBe(exitCode);
    expect(out.unrelated_alive).toBe('yes');
    // what rb-exec started and still ran is gone: a live leader, its group, an orphan left by a finished step
    expect(out).toMatchObject({ leader_alive: 'no', member_alive: 'no', orphan_alive: 'no' });
  });
});
