/**
 * A density fill stopped midway, with dozens of idle containers up: by SIGINT to runbench
 * alone (its own teardown must remove them), by Ctrl-C (SIGINT to its whole process group:
 * the timing helper kills the containers, containerd shuts down and the sweeps take over)
 * and by SIGKILL (then `runbench clean` must), at
 * the oci and containerd layers. Afterwards no container process, shim, cgroup, mount,
 * state or scratch directory of the run is left, nor a shim socket.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, expect } from 'vitest';
import { cgroupDirs } from '../../core/cgroups.ts';
import { SHIM_SOCKET_DIR } from '../../runners/containerd/daemon.ts';
import { leftovers, nothingLeft } from '../helpers/leaks.ts';
import { realRuntime } from '../helpers/real.ts';
import { needs, whyMissing } from '../helpers/require.ts';
import { RUNBENCH_BIN, startRun } from '../helpers/run.ts';
import { lazyTempDir } from '../helpers/tmp.ts';

const dir = lazyTempDir('runbench-density-int-');
const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** A scratch base with a short path: containerd's sockets under it must fit in 104 bytes. */
function shortDir(prefix: string): string {
  const d = mkdtempSync(join('/run', prefix));
  made.push(d);
  return d;
}
const runc = await realRuntime('runc');
const containerd = await whyMissing('containerd');
const UP = 40;

/** Idle containers of the run with a cgroup right now. */
function containersUp(runId: string, parent: string): number {
  return Math.max(0, ...cgroupDirs(`runbench-${runId}/${parent}`).map((d) => readdirSync(d).filter((e) => e.startsWith('rb-')).length));
}

/** The shim sockets a run's ledger lists (containerd's fixed directory, shared with every other containerd). */
function ledgerSockets(runDir: string): string[] {
  const ledger = join(runDir, 'ledger.jsonl');
  if (!existsSync(ledger)) return [];
  return readFileSync(ledger, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { kind: string; value: { path?: string } })
    .filter((e) => e.kind === 'socket' && e.value.path?.startsWith(`${SHIM_SOCKET_DIR}/`))
    .map((e) => e.value.path as string);
}

/**
 * Starts a density fill and returns once `UP` of its containers are running. Its scratch
 * directory is under `scratch`: the runs of others on a shared host clean stale runs under
 * /run/runbench when they start, and would remove a killed run before this test's clean.
 */
async function fillingRun(name: string, layerArgs: string[], parent: string, scratch?: string, detached = false) {
  const out = join(dir(), name);
  const env = scratch ? { RUNBENCH_SCRATCH_DIR: scratch } : undefined;
  const run = startRun(['--suite', 'density', '--runtime', 'runc', '--density-max', '1000', '--out', out, ...layerArgs], { detached, ...(env ? { env } : {}) });
  const runId = await run.sampling(/density/, 120_000);
  expect(runId, run.stderr()).not.toBe('');
  const deadline = Date.now() + 240_000;
  while (containersUp(runId, parent) < UP && Date.now() < deadline && run.child.exitCode === null) await new Promise((r) => setTimeout(r, 200));
  expect(containersUp(runId, parent), run.stderr()).toBeGreaterThanOrEqual(UP);
  return { run, runId, out };
}

const cases = [
  { layer: 'oci', args: [] as string[], parent: 'runc', why: runc.skip, things: ['runc'] },
  { layer: 'containerd', args: ['--layer', 'containerd'], parent: 'containerd-runc', why: runc.skip ?? containerd, things: ['runc', 'containerd'] },
];

for (const c of cases) {
  needs(c.things, c.why).describe(`interrupting a density fill at the ${c.layer} layer`, () => {
    needs(c.things, c.why).it(
      `SIGINT to runbench alone: exit 130, its own teardown removes ${UP}+ containers`,
      async () => {
        const { run, runId, out } = await fillingRun(`int-${c.layer}`, c.args, c.parent);
        const sockets = ledgerSockets(join('/run/runbench', runId));
        if (c.layer === 'containerd') expect(sockets.length).toBeGreaterThanOrEqual(UP);
        process.kill(run.child.pid as number, 'SIGINT');
        const r = await run.child;
        expect(r.exitCode, r.all).toBe(130);
        expect(existsSync(join(out, 'results.json'))).toBe(false);
        expect(leftovers(runId)).toEqual(nothingLeft);
        expect(sockets.filter((s) => existsSync(s))).toEqual([]);
      },
      600_000,
    );

    needs(c.things, c.why).it(
      `Ctrl-C (SIGINT to the whole process group, the timing helper${c.layer === 'containerd' ? ' and containerd' : ''} included): exit 130, nothing left`,
      async () => {
        const { run, runId, out } = await fillingRun(`ctrl-c-${c.layer}`, c.args, c.parent, undefined, true);
        const sockets = ledgerSockets(join('/run/runbench', runId));
        process.kill(-(run.child.pid as number), 'SIGINT');
        const r = await run.child;
        expect(r.exitCode, r.all).toBe(130);
        expect(existsSync(join(out, 'results.json'))).toBe(false);
        expect(leftovers(runId)).toEqual(nothingLeft);
        expect(sockets.filter((s) => existsSync(s))).toEqual([]);
      },
      600_000,
    );

    needs(c.things, c.why).it(
      `SIGKILL mid-fill, then runbench clean: nothing of ${UP}+ containers is left`,
      async () => {
        const scratch = shortDir(`rbd-${c.layer.slice(0, 4)}-`);
        const { run, runId } = await fillingRun(`kill-${c.layer}`, c.args, c.parent, scratch);
        process.kill(run.child.pid as number, 'SIGKILL');
        await run.child;
        const sockets = ledgerSockets(join(scratch, runId));
        if (c.layer === 'containerd') expect(sockets.length).toBeGreaterThanOrEqual(UP);
        expect(leftovers(runId, scratch)).not.toEqual(nothingLeft);
        const clean = await execa('node', [RUNBENCH_BIN, 'clean'], { reject: false, all: true, env: { RUNBENCH_SCRATCH_DIR: scratch } });
        expect(clean.exitCode, clean.all).toBe(0);
        expect(clean.stdout).toContain(`removed what run ${runId} left:`);
        expect(leftovers(runId, scratch)).toEqual(nothingLeft);
        expect(sockets.filter((s) => existsSync(s))).toEqual([]);
      },
      600_000,
    );
  });
}
