/**
 * Faults in a density fill: runbench's own containerd killed with dozens of idle containers
 * up. The fill stops at the first failed start, saying containerd died; the teardown kills
 * the orphaned shims and sweeps the containers' cgroups; the run ends with the suite errored,
 * its curve recorded, and nothing of it left on the machine.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { expect } from 'vitest';
import { cgroupDirs } from '../../core/cgroups.ts';
import { ResultsDocument } from '../../core/schema.ts';
import { leftovers, nothingLeft } from '../helpers/leaks.ts';
import { realRuntime } from '../helpers/real.ts';
import { needs, whyMissing } from '../helpers/require.ts';
import { startRun } from '../helpers/run.ts';
import { lazyTempDir } from '../helpers/tmp.ts';

const dir = lazyTempDir('runbench-density-faults-');
const runc = await realRuntime('runc');
const containerd = await whyMissing('containerd');

function containersUp(runId: string): number {
  return Math.max(0, ...cgroupDirs(`runbench-${runId}/containerd-runc`).map((d) => readdirSync(d).filter((e) => e.startsWith('rb-')).length));
}

needs(['runc', 'containerd'], runc.skip ?? containerd).it(
  "containerd killed mid-fill: the fill stops saying so, the teardown sweeps its shims' containers, nothing is left",
  async () => {
    const out = join(dir(), 'killed');
    const run = startRun(['--layer', 'containerd', '--runtime', 'runc', '--suite', 'density', '--density-max', '1000', '--out', out]);
    const runId = await run.sampling(/density/, 120_000);
    expect(runId, run.stderr()).not.toBe('');
    const deadline = Date.now() + 240_000;
    while (containersUp(runId) < 30 && Date.now() < deadline && run.child.exitCode === null) await new Promise((r) => setTimeout(r, 200));
    expect(containersUp(runId), run.stderr()).toBeGreaterThanOrEqual(30);
    const p = await execa('pgrep', ['-f', `containerd --config /run/runbench/${runId}/`], { reject: false });
    const pid = Number(String(p.stdout).trim().split('\n')[0]);
    expect(pid, 'no containerd of the run').toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');
    const r = await run.child;
    expect(r.exitCode, r.all).toBe(1);
    const doc = ResultsDocument.parse(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')));
    const curve = doc.density?.[0];
    expect(curve?.count).toBeGreaterThanOrEqual(30);
    expect(curve?.stop.reason).toBe('failure');
    expect(curve?.stop.detail).toMatch(/containerd exited SIGKILL/);
    expect(curve?.teardown?.leftovers[0]).toMatch(/containerd exited SIGKILL during the teardown: \d+ shims killed, the containers' cgroups swept/);
    expect(doc.suiteRuns.find((s) => s.suite === 'density')?.outcome.status).toBe('errored');
    expect(leftovers(runId)).toEqual(nothingLeft);
  },
  600_000,
);
