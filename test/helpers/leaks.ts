/** What runbench may have left on the machine: checked after real runs. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { leftoverCgroups } from '../../core/cgroups.ts';

export interface Leftovers {
  cgroups: string[];
  processes: string[];
  mounts: string[];
  scratch: string[];
}

/** Processes whose command line names a runbench container id or its scratch directory. */
function runbenchProcesses(runIdPattern: RegExp): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    if (Number(pid) === process.pid) continue;
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    } catch {
      continue;
    }
    if (runIdPattern.test(cmd)) out.push(`${pid}: ${cmd.slice(0, 160)}`);
  }
  return out;
}

/**
 * Leftovers of one run (by its id), or of any runbench run when no id is given. Tests
 * name the run so that other runbench processes on the same machine do not count.
 */
export function leftovers(runId?: string, scratchBase = '/run/runbench'): Leftovers {
  const mountinfo = existsSync('/proc/self/mountinfo') ? readFileSync('/proc/self/mountinfo', 'utf8') : '';
  const tag = runId ?? '';
  const base = scratchBase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const procPattern = runId ? new RegExp(`rb-${runId}-|${base}/${runId}`) : new RegExp(`\\brb-[0-9]{8}[0-9a-f]{6}-|${base}/`);
  return {
    cgroups: leftoverCgroups(`runbench-${tag}`),
    processes: runbenchProcesses(procPattern),
    mounts: mountinfo.split('\n').filter((l) => l.includes(`${scratchBase}/${tag}`)),
    scratch: existsSync(scratchBase) ? readdirSync(scratchBase).filter((e) => e.startsWith(tag)) : [],
  };
}

export const nothingLeft: Leftovers = { cgroups: [], processes: [], mounts: [], scratch: [] };
