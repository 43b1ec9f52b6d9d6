/**
 * What /proc says about a set of processes: the process tree (to find everything a
 * runtime, a shim or a daemon left running), and the proportional set size of each
 * process, from smaps_rollup. PSS, not RSS: a page shared by k processes counts 1/k in
 * each, so the PSS of a set sums to what the set costs, where RSS counts shared pages (a
 * shim's text, a runtime's libraries) once per process.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';

export interface ProcEntry {
  pid: number;
  ppid: number;
  threads: number;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses). */
function statFields(pid: number): string[] | null {
  const stat = readText(`/proc/${pid}/stat`);
  if (!stat) return null;
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Whether a process runs: it exists and is not a zombie. */
export function isRunning(pid: number): boolean {
  const state = statFields(pid)?.[0];
  return state !== undefined && state !== 'Z' && state !== 'X';
}

/** Every process of the machine with its parent and thread count; one that exits while being read is left out. */
export function processTable(): Map<number, ProcEntry> {
  const out = new Map<number, ProcEntry>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const pid = Number(e);
    const f = statFields(pid);
    // after the name: state (0), ppid (1), ... num_threads (17)
    if (!f) continue;
    out.set(pid, { pid, ppid: Number(f[1]), threads: Number(f[17]) });
  }
  return out;
}

/** The roots that exist and every process below them. */
export function descendants(table: ReadonlyMap<number, ProcEntry>, roots: readonly number[]): number[] {
  const children = new Map<number, number[]>();
  for (const p of table.values()) {
    const list = children.get(p.ppid);
    if (list) list.push(p.pid);
    else children.set(p.ppid, [p.pid]);
  }
  const seen = new Set<number>();
  const stack = roots.filter((r) => table.has(r));
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    if (seen.has(pid)) continue;
    seen.add(pid);
    for (const c of children.get(pid) ?? []) stack.push(c);
  }
  return [...seen];
}

/**
 * The processes below `roots` once the set has settled: the same processes under the same
 * names twice in a row, `intervalMs` apart (at most `tries` reads). A container started a
 * moment ago may still be the runtime's init, about to exec the workload.
 */
export async function settledDescendants(roots: readonly number[], intervalMs = 20, tries = 25): Promise<number[]> {
  let prev = '';
  let pids: number[] = [];
  for (let i = 0; i < tries; i++) {
    pids = descendants(processTable(), roots).sort((a, b) => a - b);
    const key = pids.map((p) => `${p}:${processName(p) ?? ''}`).join(',');
    if (key === prev) break;
    prev = key;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return pids;
}

/**
 * What a process calls itself: the base name of argv[0] (runsc's `runsc-sandbox` and
 * `runsc-gofer` re-exec one binary under those names), else its comm; null once it is gone.
 */
export function processName(pid: number): string | null {
  const cmdline = readText(`/proc/${pid}/cmdline`);
  const argv0 = cmdline?.split('\0')[0];
  if (argv0) return basename(argv0);
  const comm = readText(`/proc/${pid}/comm`);
  // a kernel thread or a zombie has no command line
  return comm ? comm.trim() : null;
}

/** A process's PSS in bytes (smaps_rollup), or null when it is gone or has no memory (a zombie). */
export function pssBytes(pid: number): number | null {
  const text = readText(`/proc/${pid}/smaps_rollup`);
  const m = text ? /^Pss:\s+(\d+) kB/m.exec(text) : null;
  return m ? Number(m[1]) * 1024 : null;
}

export interface PssSum {
  totalBytes: number;
  processes: number;
  /** PSS and process count by process name. */
  byName: Record<string, { processes: number; bytes: number }>;
}

/** The PSS of a set of processes, in all and by name; processes gone meanwhile count nothing. */
export function pssOf(pids: readonly number[]): PssSum {
  const byName: PssSum['byName'] = {};
  let totalBytes = 0;
  let processes = 0;
  for (const pid of pids) {
    const bytes = pssBytes(pid);
    const name = bytes === null ? null : processName(pid);
    if (bytes === null || name === null) continue;
    totalBytes += bytes;
    processes++;
    const e = (byName[name] ??= { processes: 0, bytes: 0 });
    e.processes++;
    e.bytes += bytes;
  }
  return { totalBytes, processes, byName };
}

/** Open descriptors of a process and its soft limit (Max open files), or null once it is gone. */
export function openFiles(pid: number): { used: number; limit: number } | null {
  try {
    const used = readdirSync(`/proc/${pid}/fd`).length;
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readText(`/proc/${pid}/limits`) ?? '');
    const limit = m?.[1] && m[1] !== 'unlimited' ? Number(m[1]) : Number.POSITIVE_INFINITY;
    return { used, limit };
  } catch {
    return null;
  }
}
