/**
 * `runbench clean`, and the same step at the start of every run: the state of runs whose
 * process is gone is found and removed, each layer first removing what it made elsewhere.
 */
import { execa } from 'execa';
import { sweepCgroups } from './cgroups.ts';
import { errorMessage } from './errors.ts';
import { findRuns, orphanCgroupRuns, removeStaleRun, type FoundRun, type Removed } from './recovery.ts';
import type { Runner } from './runner.ts';
import type { Layer } from './schema.ts';

async function umount(path: string): Promise<void> {
  const r = await execa('umount', ['-l', path], { reject: false, timeout: 10_000 });
  if (r.exitCode !== 0) throw new Error(String(r.stderr).trim() || `umount exited ${r.exitCode}`);
}

/** Stale runs (process gone, or its pid taken by another process) under the scratch base. */
export function staleRuns(base?: string): FoundRun[] {
  return findRuns(base).filter((r) => !r.live);
}

/**
 * Removes the state of dead runs. With `orphanCgroups`, also cgroups named after a run that
 * has no scratch directory at all (a run killed while its scope was closing); only `clean`
 * asks for that, since a run under another scratch base has no directory here either.
 */
export async function cleanStaleRuns(runners: Partial<Record<Layer, Runner>>, opts: { base?: string; orphanCgroups?: boolean } = {}): Promise<Removed[]> {
  const all = findRuns(opts.base);
  const out: Removed[] = [];
  for (const run of all.filter((r) => !r.live)) {
    const what: string[] = [];
    for (const [layer, runner] of Object.entries(runners)) {
      const entries = run.ledger.filter((e) => e.layer === layer);
      if (entries.length === 0 || !runner?.recover) continue;
      try {
        what.push(...(await runner.recover(entries, run)));
      } catch (e) {
        what.push(`${layer}: could not remove what the run made: ${errorMessage(e)}`);
      }
    }
    const local = await removeStaleRun(run, umount);
    out.push({ runId: run.runId, what: [...what, ...local.what] });
  }
  for (const runId of opts.orphanCgroups ? orphanCgroupRuns(all) : []) {
    const swept = await sweepCgroups(`runbench-${runId}`);
    const what = [`${swept.removed} cgroup director${swept.removed === 1 ? 'y' : 'ies'}`];
    if (swept.killed > 0) what.unshift(`${swept.killed} process${swept.killed === 1 ? '' : 'es'} in its cgroups`);
    out.push({ runId, what });
  }
  return out;
}
