/** The last line of defence: whatever a runtime left in runbench's cgroups is killed and removed. */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectCgroups } from './host.ts';

function subdirsDeepestFirst(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let entries: string[] = [];
    try {
      entries = readdirSync(d);
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e);
      try {
        if (statSync(p).isDirectory()) walk(p);
      } catch {
        /* vanished */
      }
    }
    out.push(d);
  };
  walk(dir);
  return out;
}

function pidsIn(dir: string): number[] {
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Every cgroup directory named `relPath` under any mounted hierarchy. */
export function cgroupDirs(relPath: string): string[] {
  const cg = detectCgroups();
  const roots = new Set([...Object.values(cg.v1Mounts), ...(cg.unifiedMount ? [cg.unifiedMount] : [])]);
  return [...roots].map((r) => join(r, relPath)).filter((d) => existsSync(d));
}

/**
 * Makes `relPath` in every mounted hierarchy, for a process to join (write its pid to each of
 * the returned cgroup.procs files). A v1 cpuset cgroup takes no task until its cpus and mems
 * are set: each new level gets its parent's.
 */
export function makeCgroups(relPath: string): string[] {
  const cg = detectCgroups();
  const roots = new Set([...Object.values(cg.v1Mounts), ...(cg.unifiedMount ? [cg.unifiedMount] : [])]);
  const out: string[] = [];
  for (const root of roots) {
    let dir = root;
    for (const part of relPath.split('/').filter(Boolean)) {
      const parent = dir;
      dir = join(dir, part);
      if (!existsSync(dir)) mkdirSync(dir);
      for (const f of ['cpuset.cpus', 'cpuset.mems']) {
        const own = join(dir, f);
        if (existsSync(own) && readFileSync(own, 'utf8').trim() === '') writeFileSync(own, readFileSync(join(parent, f), 'utf8'));
      }
    }
    out.push(join(dir, 'cgroup.procs'));
  }
  return out;
}

/** Kills every process left in the subtree and removes the cgroups; returns what it found. */
export async function sweepCgroups(relPath: string): Promise<{ killed: number; removed: number; remaining: string[] }> {
  let killed = 0;
  let removed = 0;
  const remaining: string[] = [];
  for (const top of cgroupDirs(relPath)) {
    for (const dir of subdirsDeepestFirst(top)) {
      for (let attempt = 0; attempt < 50; attempt++) {
        const pids = pidsIn(dir);
        for (const pid of pids) {
          try {
            process.kill(pid, 'SIGKILL');
            killed++;
          } catch {
            /* already gone */
          }
        }
        try {
          rmdirSync(dir);
          removed++;
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 20));
          if (attempt === 49) remaining.push(dir);
        }
      }
    }
  }
  return { killed, removed, remaining };
}

/** Cgroup directories left under the runbench prefix (any run), for leak checks in tests. */
export function leftoverCgroups(prefix = 'runbench-'): string[] {
  const cg = detectCgroups();
  const roots = new Set([...Object.values(cg.v1Mounts), ...(cg.unifiedMount ? [cg.unifiedMount] : [])]);
  const out: string[] = [];
  for (const r of roots) {
    try {
      for (const e of readdirSync(r)) if (e.startsWith(prefix)) out.push(join(r, e));
    } catch {
      /* unreadable */
    }
  }
  return out;
}

/** What the host's CPU controller did to a cgroup: the quota set and how many periods it throttled. */
export interface CpuThrottling {
  quotaUs: number | null;
  throttledPeriods: number | null;
}

/** Reads a live cgroup's CPU quota and throttling (v1 cpu controller, or cgroup2); null without one. */
export function cpuThrottling(relPath: string): CpuThrottling | null {
  const cg = detectCgroups();
  const v1 = cg.v1Mounts.cpu;
  const dir = v1 ? join(v1, relPath) : cg.unifiedMount ? join(cg.unifiedMount, relPath) : null;
  if (!dir) return null;
  const read = (f: string) => {
    try {
      return readFileSync(join(dir, f), 'utf8');
    } catch {
      return '';
    }
  };
  const stat = read('cpu.stat');
  const throttled = /^nr_throttled\s+(\d+)/m.exec(stat);
  const quotaText = v1 ? read('cpu.cfs_quota_us').trim() : (read('cpu.max').split(' ')[0] ?? '');
  const quota = /^\d+$/.test(quotaText) ? Number(quotaText) : null;
  if (!stat && !quotaText) return null;
  return { quotaUs: quota, throttledPeriods: throttled ? Number(throttled[1]) : null };
}

/**
 * A cgroup's memory files by hierarchy: the v1 memory controller's names (v1, and hybrid
 * hosts with memory on v1) and cgroup2's.
 */
export const MEMORY_FILES = {
  v1: { peak: 'memory.max_usage_in_bytes', current: 'memory.usage_in_bytes', oom: 'memory.oom_control' },
  v2: { peak: 'memory.peak', current: 'memory.current', oom: 'memory.events' },
} as const;

/**
 * Where a cgroup's memory high-water mark and OOM record are on this host: under the v1
 * memory controller when it is mounted (v1 or hybrid), else under a pure cgroup2 mount;
 * null with neither.
 */
export function memoryCgroupFiles(relPath: string): { peak: string; oom: string } | null {
  const cg = detectCgroups();
  const v1 = cg.v1Mounts.memory;
  if (v1) return { peak: join(v1, relPath, MEMORY_FILES.v1.peak), oom: join(v1, relPath, MEMORY_FILES.v1.oom) };
  if (cg.layout === 'v2' && cg.unifiedMount) {
    return { peak: join(cg.unifiedMount, relPath, MEMORY_FILES.v2.peak), oom: join(cg.unifiedMount, relPath, MEMORY_FILES.v2.oom) };
  }
  return null;
}

/** A cgroup's directory under the memory controller (v1 or hybrid), else under a pure cgroup2 mount; null with neither. */
export function memoryCgroupDir(relPath: string): string | null {
  const cg = detectCgroups();
  const v1 = cg.v1Mounts.memory;
  if (v1) return join(v1, relPath);
  return cg.layout === 'v2' && cg.unifiedMount ? join(cg.unifiedMount, relPath) : null;
}

/** The high-water mark in a peak file's text (a bare byte count), or null. */
export function parseMemoryPeak(text: string): number | null {
  return /^\d+$/.test(text) ? Number(text) : null;
}

/** Whether an OOM record (memory.oom_control, memory.events) counts a kill; null when it has no oom_kill line. */
export function parseOomKilled(text: string): boolean | null {
  const kills = /oom_kill\s+(\d+)/.exec(text);
  return kills ? Number(kills[1]) > 0 : null;
}

function readNumber(path: string): number | null {
  try {
    const n = Number(readFileSync(path, 'utf8').trim());
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

/** The memory high-water mark of a cgroup directory of either hierarchy (v1 max_usage_in_bytes, v2 memory.peak). */
export function cgroupPeakBytes(dir: string): number | null {
  return readNumber(join(dir, MEMORY_FILES.v1.peak)) ?? readNumber(join(dir, MEMORY_FILES.v2.peak));
}

/** The memory in use by a cgroup directory of either hierarchy (v1 usage_in_bytes, v2 memory.current). */
export function cgroupCurrentBytes(dir: string): number | null {
  return readNumber(join(dir, MEMORY_FILES.v1.current)) ?? readNumber(join(dir, MEMORY_FILES.v2.current));
}
