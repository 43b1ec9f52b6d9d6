/**
 * What a density curve says, computed the same way by the suite that records it and by
 * every report that shows it: the footprint per unit and units per GiB, the marginal
 * footprint between checkpoints, the host's own view (MemAvailable), and whether the
 * start latency degraded between the first units and the last.
 */
import type { DensityPoint } from './schema.ts';
import { median } from './stats.ts';

const GiB = 1024 ** 3;

type Measured = DensityPoint & { footprintBytes: number };

function measuredPoints(points: readonly DensityPoint[]): Measured[] {
  return points.filter((p): p is Measured => p.footprintBytes !== null);
}

/** The footprint at count 0, or 0 where a curve has no baseline (a mended one: what serves pods is not in it). */
function baselineBytes(points: readonly DensityPoint[]): number {
  return points.find((p) => p.count === 0)?.footprintBytes ?? 0;
}

/** The growth of the footprint at the last point measured, and the count there; null before any unit was measured. */
export function footprintGrowth(points: readonly DensityPoint[]): { count: number; bytes: number } | null {
  const last = measuredPoints(points)
    .filter((p) => p.count > 0)
    .at(-1);
  return last ? { count: last.count, bytes: last.footprintBytes - baselineBytes(points) } : null;
}

/** Footprint per unit: its growth over the units at the last point measured. */
export function perUnitBytes(points: readonly DensityPoint[]): number | null {
  const g = footprintGrowth(points);
  return g && g.bytes > 0 ? g.bytes / g.count : null;
}

/** How many units one GiB of footprint holds, at the cost per unit measured. */
export function unitsPerGiB(points: readonly DensityPoint[]): number | null {
  const b = perUnitBytes(points);
  return b ? GiB / b : null;
}

/** The footprint each unit added between consecutive measured points (the first step from the baseline). */
export function marginalBytes(points: readonly DensityPoint[]): number[] {
  const m = measuredPoints(points);
  const out: number[] = [];
  for (let i = 1; i < m.length; i++) {
    const a = m[i - 1] as Measured;
    const b = m[i] as Measured;
    if (b.count > a.count) out.push((b.footprintBytes - a.footprintBytes) / (b.count - a.count));
  }
  return out;
}

/** The host's view: how much MemAvailable fell per unit, from before the first to the last point; other processes move it too. */
export function memAvailableDropPerUnit(points: readonly DensityPoint[]): number | null {
  const first = points.find((p) => p.count === 0)?.memAvailableBytes;
  const last = points.filter((p) => p.count > 0 && p.memAvailableBytes !== null).at(-1);
  if (first === null || first === undefined || !last || last.memAvailableBytes === null) return null;
  return (first - last.memAvailableBytes) / last.count;
}

/** The sum of the units' cgroup usage per unit, at the last point where it was read. */
export function cgroupPerUnit(points: readonly DensityPoint[]): number | null {
  const last = points.filter((p) => p.count > 0 && p.cgroupBytes !== null).at(-1);
  return last && last.cgroupBytes !== null ? last.cgroupBytes / last.count : null;
}

/**
 * The median start latency of the first units and of the last ones (a tenth of them, 1 to
 * 50 each), and their ratio: above 1 when starting got slower as the host filled.
 */
export function startDrift(points: readonly DensityPoint[]): { first: number; last: number; ratio: number; each: number } | null {
  const xs = points.filter((p) => p.count > 0 && p.startNs !== null && Number.isFinite(p.startNs)).map((p) => p.startNs as number);
  if (xs.length < 2) return null;
  const each = Math.max(1, Math.min(50, Math.floor(xs.length / 10)));
  const first = median(xs.slice(0, each));
  const last = median(xs.slice(-each));
  return { first, last, ratio: last / first, each };
}

/** Units started per second over the fill; null without a time. */
export function startedPerSec(points: readonly DensityPoint[]): number | null {
  const last = points.at(-1);
  if (!last || last.count === 0 || !last.elapsedNs) return null;
  return last.count / (last.elapsedNs / 1e9);
}

/**
 * What each unit added, by process name (a shim, a sandbox, the container's process, the
 * daemon's growth): each name's growth from the baseline to the last point read per
 * process, over the count there. Null when the layer does not read the footprint per process.
 */
export function byProcessPerUnit(points: readonly DensityPoint[]): { count: number; perUnit: Record<string, number> } | null {
  const last = points.filter((p) => p.count > 0 && p.byProcess).at(-1);
  if (!last?.byProcess) return null;
  const base = points.find((p) => p.count === 0)?.byProcess ?? {};
  const names = [...new Set([...Object.keys(base), ...Object.keys(last.byProcess)])];
  const perUnit: Record<string, number> = {};
  for (const n of names) perUnit[n] = ((last.byProcess[n] ?? 0) - (base[n] ?? 0)) / last.count;
  return { count: last.count, perUnit };
}
