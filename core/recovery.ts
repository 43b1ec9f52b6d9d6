/**
 * Finding a run again after a hard kill. Every run leaves a marker in its scratch
 * directory (its id, pid and the pid's start time) and a ledger of what it made outside
 * that directory; its cleanup removes both. A run whose process is gone (or whose pid now
 * belongs to another process) is stale: its processes, mounts, cgroups and scratch
 * directory are removed here, and each layer's runner removes what the ledger says it made
 * elsewhere (a containerd namespace, a cluster namespace). A live run is never touched.
 */
import { appendFileSync, existsSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { leftoverCgroups, sweepCgroups } from './cgroups.ts';
import { errorMessage } from './errors.ts';
import { otherProcesses } from './processes.ts';
import { runScratchBase } from './paths.ts';

const MARKER = 'marker.json';
const LEDGER = 'ledger.jsonl';

const Marker = z.object({
  runId: z.string().regex(/^[0-9a-f]{6,}$/i),
  what: z.string(),
  pid: z.number().int().positive(),
  pidStart: z.string(),
  startedAt: z.string(),
});
export type Marker = z.infer<typeof Marker>;

/** One thing a run made outside its scratch directory, for the layer that made it to remove. */
export const LedgerEntry = z.object({ layer: z.string(), kind: z.string(), value: z.record(z.string(), z.string()) });
export type LedgerEntry = z.infer<typeof LedgerEntry>;

/** The kernel's start time of a process (field 22 of /proc/<pid>/stat), or null when there is no such process. */
export function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name may hold spaces and parentheses: fields start after the last ')'
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

export function writeMarker(workDir: string, runId: string, what: string, startedAt: string): void {
  const marker: Marker = { runId, what, pid: process.pid, pidStart: processStart(process.pid) ?? '', startedAt };
  writeFileSync(join(workDir, MARKER), `${JSON.stringify(marker)}\n`, { mode: 0o600 });
}

/** Notes in the run's ledger something it made outside its scratch directory. */
export function recordInLedger(workDir: string, entry: LedgerEntry): void {
  appendFileSync(join(workDir, LEDGER), `${JSON.stringify(entry)}\n`, { mode: 0o600 });
}

export interface FoundRun {
  runId: string;
  dir: string;
  /** null when the directory has no readable marker (a run still starting, of an older runbench, or a test's own). */
  marker: Marker | null;
  /** Its process is alive, or it has no marker: either way it is left alone. */
  live: boolean;
  ledger: LedgerEntry[];
}

function readLedger(dir: string): LedgerEntry[] {
  const out: LedgerEntry[] = [];
  let text = '';
  try {
    text = readFileSync(join(dir, LEDGER), 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = LedgerEntry.safeParse(JSON.parse(line));
      if (e.success) out.push(e.data);
    } catch {
      /* a line torn by the kill */
    }
  }
  return out;
}

const RUN_DIR = /^(\d{8}[0-9a-f]{6})$/;

/** Every run's scratch directory under the base, live or stale. */
export function findRuns(base = runScratchBase()): FoundRun[] {
  let entries: string[] = [];
  try {
    entries = readdirSync(base);
  } catch {
    return [];
  }
  const out: FoundRun[] = [];
  for (const e of entries) {
    if (!RUN_DIR.test(e)) continue;
    const dir = join(base, e);
    let marker: Marker | null = null;
    try {
      const m = Marker.safeParse(JSON.parse(readFileSync(join(dir, MARKER), 'utf8')));
      if (m.success && m.data.runId === e) marker = m.data;
    } catch {
      marker = null;
    }
    // a directory without a marker is not known to be a dead run (one still starting, one of
    // an older runbench, a test's own): it is reported, never removed
    const live = marker ? processStart(marker.pid) === marker.pidStart : true;
    out.push({ runId: e, dir, marker, live, ledger: readLedger(dir) });
  }
  return out;
}

/** Processes that name the run: its scratch directory or its id on their command line, or their cwd in it. */
export function processesOf(run: { runId: string; dir: string }): number[] {
  const cwdOf = (pid: number) => {
    try {
      return readlinkSync(`/proc/${pid}/cwd`);
    } catch {
      return ''; // gone or not ours to read
    }
  };
  return otherProcesses()
    .filter(({ pid, cmdline }) => {
      if (cmdline.includes(run.dir) || cmdline.includes(`runbench-${run.runId}`)) return true;
      const cwd = cwdOf(pid);
      return cwd === run.dir || cwd.startsWith(`${run.dir}/`);
    })
    .map((p) => p.pid);
}

/** Mount points at or under a directory, deepest first. */
export function mountsUnder(dir: string): string[] {
  let text = '';
  try {
    text = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const unescape = (p: string) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  const points = text
    .split('\n')
    .map((l) => unescape(l.split(' ')[4] ?? ''))
    .filter((p) => p === dir || p.startsWith(`${dir}/`));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

export interface Removed {
  runId: string;
  what: string[];
}

/**
 * Removes what a stale run left on this machine itself: its processes, mounts, cgroups and
 * scratch directory. What it made elsewhere is its layers' to remove (see `Runner.recover`),
 * before this runs, while the ledger still exists.
 */
export async function removeStaleRun(run: FoundRun, umount: (path: string) => Promise<void>): Promise<Removed> {
  const what: string[] = [];
  const pids = processesOf(run);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  if (pids.length > 0) what.push(`${pids.length} process${pids.length > 1 ? 'es' : ''}`);
  const swept = await sweepCgroups(`runbench-${run.runId}`);
  if (swept.killed > 0) what.push(`${swept.killed} process${swept.killed > 1 ? 'es' : ''} in its cgroups`);
  if (swept.removed > 0) what.push(`${swept.removed} cgroup director${swept.removed > 1 ? 'ies' : 'y'}`);
  const mounts = mountsUnder(run.dir);
  for (const m of mounts) {
    try {
      await umount(m);
    } catch (e) {
      what.push(`mount ${m} could not be removed: ${errorMessage(e)}`);
    }
  }
  if (mounts.length > 0) what.push(`${mounts.length} mount${mounts.length > 1 ? 's' : ''}`);
  if (existsSync(run.dir)) {
    rmSync(run.dir, { recursive: true, force: true });
    what.push(`scratch directory ${run.dir}`);
  }
  return { runId: run.runId, what };
}

/** Cgroup directories of runs that have no scratch directory left (a run killed while its scope was closing). */
export function orphanCgroupRuns(runs: readonly FoundRun[]): string[] {
  const known = new Set(runs.map((r) => r.runId));
  const ids = new Set<string>();
  for (const dir of leftoverCgroups('runbench-')) {
    const m = /runbench-(\d{8}[0-9a-f]{6})$/.exec(dir);
    if (m?.[1] && !known.has(m[1])) ids.add(m[1]);
  }
  return [...ids].sort();
}
