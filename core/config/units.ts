/**
 * Durations, sizes and percentages as a config file writes them ('500ms', '64MiB', '5%'),
 * and a threshold bound read in its metric's unit. One table per kind of quantity.
 */
import type { Unit } from '../schema.ts';

export const DURATION = /^(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s|m)$/;
export const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB|kB|KB|MB|GB)$/;
export const PERCENT = /^(\d+(?:\.\d+)?)\s*%$/;

const NS_PER: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9 };
const BYTES_PER: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9 };

/** '20ms', '1.5s', '800us': the duration in nanoseconds or milliseconds; NaN if it is not one. */
export function parseDuration(text: string, unit: 'ns' | 'ms'): number {
  const m = DURATION.exec(text);
  const perUnit = m ? NS_PER[m[2] ?? ''] : undefined;
  if (!m || perUnit === undefined) return Number.NaN;
  return Number(m[1]) * (unit === 'ns' ? perUnit : perUnit / 1e6);
}

/** '64MiB', '1.5GB': the size in bytes; NaN if it is not one. */
export function parseSize(text: string): number {
  const m = SIZE.exec(text);
  const perUnit = m ? BYTES_PER[m[2] ?? ''] : undefined;
  if (!m || perUnit === undefined) return Number.NaN;
  return Number(m[1]) * perUnit;
}

/** '5%', '2.5 %': the number of percent; NaN if it is not one. */
export function parsePercent(text: string): number {
  return Number(PERCENT.exec(text)?.[1]);
}

/** A bound in the metric's unit, or an error message. */
export function parseBound(v: number | string, unit: Unit): number | string {
  if (unit === 'ns') {
    if (typeof v === 'number') return `give a unit for a time, e.g. '${v}ms' or '${v}us'`;
    const ns = parseDuration(v, 'ns');
    return Number.isNaN(ns) ? `expected a duration such as 20ms or 800us, got '${v}'` : ns;
  }
  if (unit === 'bytes') {
    if (typeof v === 'number') return `give a unit for a size, e.g. '${v}MiB' or '${v}B'`;
    const bytes = parseSize(v);
    return Number.isNaN(bytes) ? `expected a size such as 64MiB or 512KiB, got '${v}'` : bytes;
  }
  if (typeof v === 'string') {
    const n = Number(v);
    return Number.isFinite(n) && v.trim() !== '' ? n : `expected a number (${unit}), got '${v}'`;
  }
  return v;
}
