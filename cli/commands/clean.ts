/** `runbench clean`: remove what runs killed without their cleanup (SIGKILL, OOM, a reset) left behind. */
import { cleanStaleRuns } from '../../core/clean.ts';
import { ExitCode } from '../../core/errors.ts';
import type { Removed } from '../../core/recovery.ts';
import { RUNNERS } from '../../runners/index.ts';
import type { RegisterCommand } from './types.ts';

export function renderRemoved(removed: readonly Removed[]): string {
  if (removed.length === 0) return 'nothing left by an earlier run\n';
  return removed.map((r) => `removed what run ${r.runId} left: ${r.what.length > 0 ? r.what.join(', ') : 'an empty scratch directory'}\n`).join('');
}

/** Before a run: the state of dead runs goes, and the user is told what went. */
export async function cleanBeforeRun(): Promise<void> {
  const removed = await cleanStaleRuns(RUNNERS);
  if (removed.length > 0) process.stderr.write(renderRemoved(removed));
}

export const registerClean: RegisterCommand = (program, { setExit }) => {
  program
    .command('clean')
    .description('remove the containers, processes, mounts, cgroups and namespaces of runs that died without their cleanup; live runs are left alone')
    .option('--json', 'print what was removed as JSON on stdout')
    .action(async (opts: { json?: boolean }) => {
      const removed = await cleanStaleRuns(RUNNERS, { orphanCgroups: true });
      if (opts.json) process.stdout.write(`${JSON.stringify({ removed }, null, 2)}\n`);
      else process.stdout.write(renderRemoved(removed));
      setExit(ExitCode.ok);
    });
};
