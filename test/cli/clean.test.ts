/** After a hard kill: a run's state is found again and removed; a live run is never touched. */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { cleanStaleRuns } from '../../core/clean.ts';
import { findRuns, processStart } from '../../core/recovery.ts';
import { leftovers, nothingLeft } from '../helpers/leaks.ts';
import { realRuntime } from '../helpers/real.ts';
import { needs, whyMissing } from '../helpers/require.ts';
import { RUNBENCH_BIN, startRun } from '../helpers/run.ts';
import { lazyTempDir } from '../helpers/tmp.ts';

const dir = lazyTempDir('runbench-clean-');
const runc = await realRuntime('runc');

function fakeRun(base: string, runId: string, marker: object | null): string {
  const d = join(base, runId);
  mkdirSync(join(d, 'oci'), { recursive: true });
  if (marker) writeFileSync(join(d, 'marker.json'), JSON.stringify({ runId, what: 'run', startedAt: new Date().toISOString(), ...marker }));
  return d;
}

describe('finding runs again', () => {
  it('tells a live run from a dead one, and from one whose pid now belongs to another process', async () => {
    const base = join(dir(), 'scan');
    const exited = execa('true');
    await exited;
    const dead = exited.pid as number;
    fakeRun(base, '20261129aaaaaa', { pid: process.pid, pidStart: processStart(process.pid) });
    fakeRun(base, '20261129bbbbbb', { pid: dead, pidStart: '1' });
    fakeRun(base, '20261129cccccc', { pid: process.pid, pidStart: '1' });
    fakeRun(base, '20261129dddddd', null);
    fakeRun(base, 'not-a-run', null);
    const runs = Object.fromEntries(findRuns(base).map((r) => [r.runId, r.live]));
    expect(runs).toEqual({ '20261129aaaaaa': true, '20261129bbbbbb': false, '20261129cccccc': false, '20261129dddddd': true });

    const removed = await cleanStaleRuns({}, { base });
    expect(removed.map((r) => r.runId).sort()).toEqual(['20261129bbbbbb', '20261129cccccc']);
    // the live run and the directory without a marker stay as they were
    expect(readdirSync(base).sort()).toEqual(['20261129aaaaaa', '20261129dddddd', 'not-a-run']);
  });

  it('asks each layer to remove what the ledger says the run made through it', async () => {
    const base = join(dir(), 'ledger');
    const d = fakeRun(base, '20261129eeeeee', { pid: 999_999, pidStart: '1' });
    writeFileSync(join(d, 'ledger.jsonl'), '{"layer":"kubernetes","kind":"namespace","value":{"name":"runbench-20261129eeeeee"}}\n{"torn\n');
    const asked: unknown[] = [];
    const runner = {
      layer: 'kubernetes' as const,
      description: 'test',
      unavailable: () => null,
      open: () => Promise.reject(new Error('not opened')),
      recover: async (entries: readonly unknown[]) => {
        asked.push(...entries);
        return ['namespace runbench-20261129eeeeee'];
      },
    };
    const removed = await cleanStaleRuns({ kubernetes: runner }, { base });
    expect(asked).toEqual([{ layer: 'kubernetes', kind: 'namespace', value: { name: 'runbench-20261129eeeeee' } }]);
    expect(removed[0]?.what[0]).toBe('namespace runbench-20261129eeeeee');
    expect(existsSync(d)).toBe(false);
  });
});

needs('runc', runc.skip).describe('SIGKILL of a real run, then runbench clean', () => {
  it('leaves the host as it was', async () => {
    const out = join(dir(), 'killed');
    const bin = RUNBENCH_BIN;
    const run = startRun(['--runtime', 'runc', '--suite', 'startup', '--runs', '500', '--out', out]);
    const child = run.child;
    const runId = await run.sampling(/startup/);
    expect(runId).not.toBe('');
    // containers are being created right now
    await new Promise((r) => setTimeout(r, 1500));
    // the kernel's OOM killer, a cancelled CI job: no handler runs
    process.kill(child.pid as number, 'SIGKILL');
    await child;
    const marker = JSON.parse(readFileSync(join('/run/runbench', runId, 'marker.json'), 'utf8')) as { pid: number };
    expect(marker.pid).toBe(child.pid);
    expect(leftovers(runId)).not.toEqual(nothingLeft);

    const clean = await execa('node', [bin, 'clean'], { reject: false, all: true });
    expect(clean.exitCode, clean.all).toBe(0);
    expect(clean.stdout).toContain(`removed what run ${runId} left:`);
    expect(leftovers(runId)).toEqual(nothingLeft);
    expect(existsSync(join(out, 'results.json'))).toBe(false);

    // a second clean finds nothing of that run
    const again = await execa('node', [bin, 'clean'], { reject: false });
    expect(again.stdout).not.toContain(runId);
  });
});

const containerdMissing = await whyMissing('containerd');

needs(['runc', 'containerd'], runc.skip ?? containerdMissing).describe('SIGKILL of a real containerd run, then runbench clean', () => {
  it("removes runbench's containerd, the shims and the sockets they left", async () => {
    const out = join(dir(), 'killed-containerd');
    const bin = RUNBENCH_BIN;
    const run = startRun(['--layer', 'containerd', '--runtime', 'runc', '--suite', 'startup', '--runs', '300', '--out', out]);
    const child = run.child;
    const runId = await run.sampling(/containerd runc startup …/);
    expect(runId, run.stderr()).not.toBe('');
    await new Promise((r) => setTimeout(r, 1500));
    process.kill(child.pid as number, 'SIGKILL');
    await child;
    const ledger = readFileSync(join('/run/runbench', runId, 'ledger.jsonl'), 'utf8');
    const sockets = ledger
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { kind: string; value: { path?: string } })
      .filter((e) => e.kind === 'socket')
      .map((e) => e.value.path as string);
    expect(sockets.length).toBeGreaterThan(0);
    expect(leftovers(runId)).not.toEqual(nothingLeft);

    const clean = await execa('node', [bin, 'clean'], { reject: false, all: true });
    expect(clean.exitCode, clean.all).toBe(0);
    expect(clean.stdout).toContain(`removed what run ${runId} left:`);
    expect(leftovers(runId)).toEqual(nothingLeft);
    expect(sockets.filter((s) => existsSync(s))).toEqual([]);
  });
});
