/**
 * The fake runner's density capability: idle units that cost a fixed footprint each and
 * start in a fixed time, on a host of fixed memory. For tests of the density suite's loop
 * (where it stops, what it records, that it removes everything), never for a figure.
 */
import type { Gauge } from '../core/density.ts';
import { RuntimeFailure } from '../core/errors.ts';
import type { Density, Footprint, IdleUnit } from '../core/runner.ts';

export interface FakeDensityBehaviour {
  /** Footprint each unit adds (default 4 MiB); the baseline is 10 MiB. */
  perUnitBytes?: number;
  budgetBytes?: number;
  maxCount?: number;
  /** The n-th start fails (1-based), with the runtime's error. */
  failAt?: number;
  /** The host's memory (default 8 GiB, 1 GiB used before the first unit) and what is kept for it. */
  hostBytes?: number;
  reserveBytes?: number;
  /** Called before every start, with the count so far (e.g. to abort mid-fill). */
  onStart?: (count: number) => void;
  /** The n-th unit (1-based) exits once this many units run. */
  exitAt?: { unit: number; when: number };
  /** Every name `remove` was asked to remove, in order. */
  removed?: string[];
}

const MiB = 1024 ** 2;

export function fakeDensity(runtime: string, b: FakeDensityBehaviour): Density {
  const live: string[] = [];
  let started = 0;
  const perUnit = b.perUnitBytes ?? 4 * MiB;
  return {
    startDefinition: 'fake: a fixed time per start',
    footprintOf: 'fake footprint',
    defaults: () => ({ budgetBytes: b.budgetBytes ?? 1024 ** 3, maxCount: b.maxCount ?? 2000, concurrency: 1, settleMs: 0 }),
    labels: () => ({}),
    source: () => null,
    async startIdle(): Promise<IdleUnit> {
      b.onStart?.(live.length);
      started++;
      if (b.failAt === started) throw new RuntimeFailure(runtime, `${runtime} create failed: exited 1: cannot allocate memory`);
      const name = `fake-${started}`;
      live.push(name);
      return { name, startNs: 1e6 * (1 + live.length / 100) };
    },
    async footprint(names): Promise<Footprint> {
      return {
        bytes: 10 * MiB + names.length * perUnit,
        byProcess: { daemon: 10 * MiB, idle: names.length * perUnit },
        cgroupBytes: names.length * 256 * 1024,
        perUnit: { idleCgroupBytes: { bytes: names.map(() => 256 * 1024), source: 'fake' } },
      };
    },
    async exited(names): Promise<string[]> {
      const e = b.exitAt;
      return e && live.length >= e.when ? names.filter((n) => n === `fake-${e.unit}`).map((n) => `${n}: exited 0`) : [];
    },
    async headroom(): Promise<Gauge[]> {
      const limit = b.hostBytes ?? 8 * 1024 ** 3;
      return [{ kind: 'host-memory', what: 'MemAvailable', used: 1024 ** 3 + live.length * perUnit, limit, reserve: b.reserveBytes ?? 1024 ** 3 }];
    },
    async remove(names) {
      b.removed?.push(...names);
      for (const n of names) live.splice(live.indexOf(n), 1);
      return { concurrency: 4, leftovers: [] };
    },
  };
}
