/**
 * The rules of a density fill, kept apart from the suite that drives it so each can be
 * tested on its own: the default budget, the gauges that keep the host responsive (memory
 * still available, threads against pid_max, open files), when a fill stops, and at which
 * counts the footprint of everything started is measured.
 */
import { readFileSync } from 'node:fs';
import { openFiles } from './procfs.ts';

/** Why a fill stopped adding units. */
export type StopReason = 'budget' | 'host-memory' | 'cap' | 'failure' | 'exited' | 'time' | 'pids' | 'fds';

export interface DensityLimits {
  /** Stop once the units' footprint grew by this much since the fill began. */
  budgetBytes: number;
  /** Stop at this many units. */
  maxCount: number;
  /** Stop adding units after this long. */
  timeLimitMs: number;
  /** Units started at once (1: one after the other, so each start is timed alone). */
  concurrency: number;
}

/** At the oci and containerd layers: enough for 1,000+ light containers, short of pid_max on a 32768 host. */
export const DEFAULT_DENSITY_MAX = 2000;
export const DEFAULT_DENSITY_TIME_MS = 20 * 60_000;

const GiB = 1024 ** 3;

/** What stays free for everything else on the host: 2 GiB, or 15% of its memory when that is more. */
export function hostMemoryReserve(memTotalBytes: number): number {
  return Math.max(2 * GiB, Math.round(memTotalBytes * 0.15));
}

export interface MemInfo {
  totalBytes: number;
  availableBytes: number;
}

/** MemTotal and MemAvailable from /proc/meminfo (the kernel's estimate of what can be allocated without swapping). */
export function memInfo(text: string = readFileSync('/proc/meminfo', 'utf8')): MemInfo {
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN) * 1024;
  return { totalBytes: kb('MemTotal'), availableBytes: kb('MemAvailable') };
}

/** The default budget on this host: what is available now, less the reserve. */
export function defaultBudget(mem: MemInfo = memInfo()): number {
  return Math.max(0, mem.availableBytes - hostMemoryReserve(mem.totalBytes));
}

/**
 * One finite resource a fill consumes: `used` of `limit`, of which `reserve` is left to the
 * rest of the host. A fill stops before a unit would take it into the reserve.
 */
export interface Gauge {
  kind: 'host-memory' | 'pids' | 'fds';
  what: string;
  used: number;
  limit: number;
  reserve: number;
}

function readNumber(path: string): number | null {
  try {
    const n = Number(readFileSync(path, 'utf8').trim().split(/\s+/)[0]);
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

/**
 * The host's own gauges: memory (MemAvailable against the reserve), kernel tasks (every
 * thread takes a pid: against pid_max and threads-max, leaving 4096 or an eighth to the
 * rest of the host), and open files system-wide (file-nr against file-max).
 */
export function hostGauges(): Gauge[] {
  const out: Gauge[] = [];
  const mem = memInfo();
  if (Number.isFinite(mem.availableBytes) && Number.isFinite(mem.totalBytes)) {
    out.push({ kind: 'host-memory', what: 'MemAvailable', used: mem.totalBytes - mem.availableBytes, limit: mem.totalBytes, reserve: hostMemoryReserve(mem.totalBytes) });
  }
  // /proc/loadavg's fourth field: runnable/total kernel scheduling entities (threads)
  let tasks: number | null = null;
  try {
    tasks = Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[3]?.split('/')[1]);
  } catch {
    tasks = null;
  }
  const pidMax = readNumber('/proc/sys/kernel/pid_max');
  const threadsMax = readNumber('/proc/sys/kernel/threads-max');
  const limit = Math.min(pidMax ?? Infinity, threadsMax ?? Infinity);
  if (tasks !== null && Number.isFinite(tasks) && Number.isFinite(limit)) {
    out.push({ kind: 'pids', what: `threads (pid_max ${pidMax ?? '?'})`, used: tasks, limit, reserve: Math.max(4096, Math.round(limit / 8)) });
  }
  try {
    const [allocated, , max] = readFileSync('/proc/sys/fs/file-nr', 'utf8').trim().split(/\s+/).map(Number);
    if (allocated !== undefined && max !== undefined && Number.isFinite(allocated) && Number.isFinite(max)) {
      out.push({ kind: 'fds', what: 'open files (file-nr)', used: allocated, limit: max, reserve: Math.round(max / 10) });
    }
  } catch {
    /* no file-nr */
  }
  return out;
}

/** A process's open descriptors against its own limit, keeping a tenth free; none once it is gone. */
export function fdGauge(pid: number | undefined | null, what: string): Gauge[] {
  if (!pid) return [];
  const f = openFiles(pid);
  if (!f || !Number.isFinite(f.limit)) return [];
  return [{ kind: 'fds', what: `open files of ${what}`, used: f.used, limit: f.limit, reserve: Math.max(64, Math.round(f.limit / 10)) }];
}

/** MemAvailable among gauges, when the host's memory gauge is there. */
export function memAvailable(gauges: readonly Gauge[]): number | null {
  const g = gauges.find((x) => x.kind === 'host-memory');
  return g ? g.limit - g.used : null;
}

function size(bytes: number): string {
  return bytes >= GiB ? `${(bytes / GiB).toFixed(2)} GiB` : `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
}

/**
 * Whether starting `batch` more units could take a gauge into its reserve: each unit is
 * expected to take what the units so far took on average (never less than `floor`), and
 * twice that is kept as a margin, since a unit's cost shows only after it started.
 */
export function gaugeStop(
  now: readonly Gauge[],
  first: readonly Gauge[],
  count: number,
  batch: number,
): { reason: StopReason; detail: string } | null {
  for (const g of now) {
    const g0 = first.find((x) => x.kind === g.kind && x.what === g.what);
    const grown = g0 && count > 0 ? Math.max(0, (g.used - g0.used) / count) : 0;
    const floor = g.kind === 'host-memory' ? 1024 ** 2 : 1;
    const next = Math.max(grown, floor) * batch * 2;
    if (g.used + next <= g.limit - g.reserve) continue;
    const left = g.limit - g.used;
    const show = g.kind === 'host-memory' ? size : (n: number) => String(Math.round(n));
    return {
      reason: g.kind,
      detail: `${g.what}: ${show(left)} left of ${show(g.limit)}, ${show(g.reserve)} kept for the host, ${show(Math.max(grown, floor))} per unit so far`,
    };
  }
  return null;
}

/**
 * The counts at which the whole footprint is measured: every count up to 20, every 10th up
 * to 200, every 50th up to 1,000, every 100th beyond. Reading the PSS of every process grows
 * with the count, so measuring at every step would cost O(n²).
 */
export function nextCheckpoint(count: number): number {
  if (count < 20) return count + 1;
  const step = count < 200 ? 10 : count < 1000 ? 50 : 100;
  return (Math.floor(count / step) + 1) * step;
}

export { size as formatSize };
