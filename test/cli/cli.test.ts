/** The command line as a user meets it: one-line errors with documented exit codes. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../core/paths.ts';

const bin = join(packageRoot, 'bin', 'runbench.js');
const dir = mkdtempSync(join(tmpdir(), 'runbench-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function runbench(...args: string[]) {
  return execa('node', [bin, ...args], { reject: false, cwd: dir, env: { CI: '1' } });
}

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

describe('runbench CLI errors', () => {
  it.each([
    [['run', '--runs', '0'], /--runs must be at least 1/],
    [['run', '--runs', 'many'], /--runs must be a whole number/],
    [['run', '--concurrency', '-2'], /--concurrency/],
    [['run', '--bogus'], /unknown option '--bogus'/],
    [['run', '--suite', 'nope'], /unknown suite 'nope': suites are startup, memory, throughput/],
    [['run', '--runtime', 'nosuch'], /unknown runtime 'nosuch'/],
    [['run', '--runtime', 'bad name=/x'], /runtime name 'bad name'/],
    [['run', '--runtime', 'runc,runc'], /named twice/],
    [['run', '--layer', 'cloud'], /unknown layer 'cloud'/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('%j exits 2 with one line', async (args, message) => {
    const r = await runbench(...args);
    expect(r.exitCode).toBe(2);
    expect(oneLine(r.stderr)).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('--help lists the exit codes', async () => {
    const r = await runbench('--help');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('Exit codes:');
    expect(r.stdout).toMatch(/130\s+interrupted/);
  });

  it('list --json names suites, runtimes, workloads and layers', async () => {
    const r = await runbench('list', '--json');
    expect(r.exitCode).toBe(0);
    const data = JSON.parse(r.stdout) as { suites: { name: string }[]; runtimes: { name: string }[]; workloads: { name: string }[] };
    expect(data.suites.map((s) => s.name)).toEqual(expect.arrayContaining(['startup', 'memory', 'throughput']));
    expect(data.runtimes.map((s) => s.name)).toEqual(expect.arrayContaining(['runc', 'crun', 'youki', 'runsc']));
    expect(data.workloads.map((s) => s.name)).toEqual(expect.arrayContaining(['hello', 'cpu', 'mem', 'idle']));
  });

  it('doctor --json reports host facts and every known runtime with a status', async () => {
    const r = await runbench('doctor', '--json', '--no-smoke', 'mine=/nonexistent/runtime');
    expect(r.exitCode).toBe(0);
    const d = JSON.parse(r.stdout) as { host: { cgroupLayout: string; cores: number }; runtimes: { name: string; status: string; reason: string | null }[] };
    expect(['v1', 'v2', 'hybrid', 'none']).toContain(d.host.cgroupLayout);
    expect(d.host.cores).toBeGreaterThan(0);
    expect(d.runtimes.map((x) => x.name)).toEqual(expect.arrayContaining(['runc', 'crun', 'youki', 'runsc', 'mine']));
    const mine = d.runtimes.find((x) => x.name === 'mine');
    expect(mine).toMatchObject({ status: 'missing' });
    expect(mine?.reason).toContain('/nonexistent/runtime');
  });
});
