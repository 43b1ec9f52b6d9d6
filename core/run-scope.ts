/**
 * What every run of runbench starts with: an id, a scratch directory and one cleanup
 * scope, whose last cleanups remove that directory and sweep the run's cgroups.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { sweepCgroups } from './cgroups.ts';
import { runScratchBase } from './paths.ts';
import { Scope } from './scope.ts';

/** yyyymmdd + 6 hex digits: sortable, and short enough for container ids and cgroup paths. */
export function newRunId(): string {
  const d = new Date();
  const stamp = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
  return `${stamp}${randomBytes(3).toString('hex')}`;
}

export interface RunScope {
  runId: string;
  startedAt: string;
  scope: Scope;
  workDir: string;
}

export function openRunScope(what: string): RunScope {
  const runId = newRunId();
  const startedAt = new Date().toISOString();
  const scope = new Scope(`${what} ${runId}`);
  const workDir = join(runScratchBase(), runId);
  mkdirSync(workDir, { recursive: true, mode: 0o700 });
  scope.defer('work directory', () => rmSync(workDir, { recursive: true, force: true }));
  scope.defer('cgroups', async () => {
    await sweepCgroups(`runbench-${runId}`);
  });
  return { runId, startedAt, scope, workDir };
}
