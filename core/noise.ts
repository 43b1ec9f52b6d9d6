/**
 * How busy the host was while a figure was taken: the load average, the CPU time stolen by
 * the hypervisor and the clock frequency, read around every turn of interleaved sampling.
 * A run on a noisy host says so in every report, and `compare` says when either side was.
 */
import { readFileSync } from 'node:fs';
import type { NoiseReport } from './schema.ts';

export interface CpuTimes {
  total: number;
  steal: number;
  /** idle + iowait */
  idle: number;
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** The host's aggregate CPU times from /proc/stat (in clock ticks), or null where unreadable. */
export function cpuTimes(text = read('/proc/stat')): CpuTimes | null {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return null;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  if (v.length < 8 || v.some((x) => !Number.isFinite(x))) return null;
  // user nice system idle iowait irq softirq steal [guest guest_nice: already counted in user/nice]
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { total, steal: v[7] as number, idle: (v[3] as number) + (v[4] as number) };
}

export function loadAvg1(text = read('/proc/loadavg')): number | null {
  const x = Number(text.split(' ')[0]);
  return Number.isFinite(x) && text ? x : null;
}

/** The mean clock frequency of the CPUs the kernel reports, in MHz. */
export function cpuMHz(text = read('/proc/cpuinfo')): number | null {
  const xs = [...text.matchAll(/^cpu MHz\s*:\s*([0-9.]+)/gm)].map((m) => Number(m[1]));
  return xs.length > 0 ? Math.round(xs.reduce((a, b) => a + b, 0) / xs.length) : null;
}

/** Steal and busy shares between two readings, in percent of all CPU time. */
export function shares(before: CpuTimes | null, after: CpuTimes | null): { stealPct: number | null; busyPct: number | null } {
  if (!before || !after || after.total <= before.total) return { stealPct: null, busyPct: null };
  const dt = after.total - before.total;
  const pct = (x: number) => Math.round((x / dt) * 1000) / 10;
  return { stealPct: pct(after.steal - before.steal), busyPct: pct(dt - (after.idle - before.idle)) };
}

/**
 * A load average above the cores the runtimes share, or more than 5% of the time stolen,
 * makes a turn noisy: other work competed for the CPUs while it was measured.
 */
export function summarize(turns: NoiseReport['turns'], cores: number): NoiseReport['summary'] {
  const loads = turns.map((t) => t.loadAvg1).filter((x): x is number => x !== null);
  const steals = turns.map((t) => t.stealPct).filter((x): x is number => x !== null);
  const maxLoadAvg1 = loads.length > 0 ? Math.max(...loads) : null;
  const maxStealPct = steals.length > 0 ? Math.max(...steals) : null;
  const why: string[] = [];
  if (maxLoadAvg1 !== null && maxLoadAvg1 > cores) why.push(`load average up to ${maxLoadAvg1.toFixed(2)} on ${cores} cores`);
  if (maxStealPct !== null && maxStealPct > 5) why.push(`up to ${maxStealPct}% of CPU time stolen by the hypervisor`);
  return { maxLoadAvg1, maxStealPct, noisy: why.length > 0, reason: why.length > 0 ? why.join('; ') : null };
}
