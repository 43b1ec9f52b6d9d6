/**
 * A signal sent to `npx runbench` alone, not to its process group: npm passes it to the
 * `sh -c` it runs the bin in, which holds SIGINT back until its child exits and dies of
 * SIGTERM. runbench must still stop as on Ctrl-C, and write no results file. The run is a
 * fake runtime's: a probe that hangs needs no root and no fixtures; with root and fixtures a
 * runtime whose create hangs is interrupted mid-run, through its cleanup.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isCommandShell } from '../../cli/launcher.ts';
import { isRoot } from '../../core/host.ts';
import { packageRoot } from '../../core/paths.ts';
import { workloadBuilt } from '../../core/workloads.ts';
import { hostFacts } from '../../core/host.ts';
import { needs } from '../helpers/require.ts';
import { leftovers, nothingLeft } from '../helpers/leaks.ts';
import { lazyTempDir } from '../helpers/tmp.ts';

const dir = lazyTempDir('runbench-npx-');

/** Every live process below `root`, with its command line. */
function descendants(root: number): { pid: number; cmd: string }[] {
  const parent = new Map<number, number>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      parent.set(Number(e), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* gone */
    }
  }
  const out: { pid: number; cmd: string }[] = [];
  const queue = [root];
  while (queue.length) {
    const p = queue.shift()!;
    for (const [c, pp] of parent) {
      if (pp !== p) continue;
      queue.push(c);
      try {
        out.push({ pid: c, cmd: readFileSync(`/proc/${c}/cmdline`, 'utf8').split('\0').join(' ') });
      } catch {
        /* gone */
      }
    }
  }
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
};

async function until<T>(what: string, f: () => T | null | undefined, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A fake OCI runtime: `--version` (the probe) runs `probe` first, every other command `command`. */
function fakeRuntime(name: string, o: { probe: string; command: string }): string {
  const path = join(dir(), name);
  // kill and delete succeed at once, so that runbench's cleanup can finish
  writeFileSync(
    path,
    `#!/bin/sh\ncase "$1" in\n  --version) ${o.probe}; echo "runc version 1.1.5"; exit 0 ;;\nesac\nfor a in "$@"; do case "$a" in kill|delete) exit 0 ;; esac; done\n${o.command}\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

interface Npx {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<void>;
}

/** `npx runbench ARGS` in its own process group, so that the test can clean up after it. */
function npx(args: string[]): Npx {
  const child = spawn('npx', ['runbench', ...args], {
    cwd: packageRoot,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, CI: '1' },
  });
  let err = '';
  child.stderr?.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<void>((r) => child.on('close', () => r()));
  return { child, stderr: () => err, exited };
}

async function interruptThroughNpx(signal: 'SIGINT' | 'SIGTERM', fake: string, out: string, busy: (cmd: string) => boolean) {
  const run = npx(['run', '--layer', 'oci', '--runtime', `slow=${fake}`, '--suite', 'startup', '--runs', '3', '--warmup', '0', '--out', out]);
  const npxPid = run.child.pid as number;
  try {
    const runbench = await until('runbench under npx', () => descendants(npxPid).find((p) => /bin\/runbench(\.js)? run /.test(p.cmd))?.pid, 60_000);
    // the run is busy with the fake runtime
    await until('the fake runtime to be running', () => descendants(runbench).some((p) => busy(p.cmd)), 90_000);
    process.kill(npxPid, signal);
    const t0 = Date.now();
    await until(`runbench (${runbench}) to exit after ${signal} to npx alone`, () => !alive(runbench), 15_000);
    const took = Date.now() - t0;
    await until('npx to exit', () => run.child.exitCode !== null || run.child.signalCode !== null, 15_000);
    await run.exited;
    // what is left of the run anywhere on the machine
    return { took, stderr: run.stderr(), left: descendants(1) };
  } finally {
    try {
      process.kill(-npxPid, 'SIGKILL');
    } catch {
      /* all gone */
    }
  }
}

describe('a signal to `npx runbench` alone', () => {
  it('watches only a shell running a command string, as npm starts a bin', () => {
    expect(isCommandShell(['sh', '-c', "'runbench' run"])).toBe(true);
    expect(isCommandShell(['/bin/bash', '-ec', 'runbench run'])).toBe(true);
    expect(isCommandShell(['/usr/bin/dash', 'script.sh'])).toBe(false);
    expect(isCommandShell(['node', '-c', 'x'])).toBe(false);
    expect(isCommandShell(['npm exec runbench run'])).toBe(false);
  });

  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s to npx: runbench stops as on Ctrl-C and writes no results (probe of a hanging runtime)',
    async (signal) => {
      const fake = fakeRuntime(`slow-probe-${signal}`, { probe: 'sleep 25', command: 'sleep 300' });
      const out = join(dir(), `out-probe-${signal}`);
      const r = await interruptThroughNpx(signal, fake, out, (cmd) => cmd.includes(`${fake} --version`));
      // far sooner than the probe's own end (25 s, or its 10 s timeout)
      expect(r.took, r.stderr).toBeLessThan(5000);
      expect(r.stderr).toMatch(/runbench: .*: interrupting as Ctrl-C would/);
      expect(existsSync(join(out, 'results.json')), r.stderr).toBe(false);
      expect(existsSync(join(out, 'results.csv'))).toBe(false);
    },
    120_000,
  );

  const why = !isRoot() ? 'needs root' : !workloadBuilt('hello', 'native', hostFacts().arch) ? 'the fixtures are not built (scripts/build-fixtures.sh)' : null;
  needs('fixtures', why).it(
    'SIGINT to npx mid-run: runbench cleans up, says no results were written, and leaves no runtime process',
    async () => {
      // a loop, so that the runtime's own process (named after it) stays until killed
      const fake = fakeRuntime('slow-run', { probe: 'true', command: 'while :; do sleep 1; done' });
      const out = join(dir(), 'out-run');
      const r = await interruptThroughNpx('SIGINT', fake, out, (cmd) => cmd.includes(`${fake} --root `));
      expect(r.stderr).toContain('SIGINT: stopping and cleaning up');
      expect(r.stderr).toContain('no results were written');
      expect(existsSync(join(out, 'results.json')), r.stderr).toBe(false);
      expect(r.left.filter((p) => p.cmd.includes(fake))).toEqual([]);
      const runId = /runbench run ([0-9a-f]+):/.exec(r.stderr)?.[1];
      expect(runId, r.stderr).toBeDefined();
      expect(leftovers(runId)).toEqual(nothingLeft);
    },
    180_000,
  );
});
