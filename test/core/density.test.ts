/** The rules of a density fill (core/density.ts) and what a curve says (core/density-curve.ts). */
import { describe, expect, it } from 'vitest';
import { defaultBudget, gaugeStop, hostGauges, hostMemoryReserve, memInfo, nextCheckpoint, type Gauge } from '../../core/density.ts';
import { cgroupPerUnit, footprintGrowth, marginalBytes, memAvailableDropPerUnit, perUnitBytes, startDrift, startedPerSec, unitsPerGiB } from '../../core/density-curve.ts';
import type { DensityPoint } from '../../core/schema.ts';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

describe('density rules', () => {
  it('reads MemTotal and MemAvailable, and keeps 2 GiB or 15% for the host', () => {
    const m = memInfo('MemTotal:       25276502 kB\nMemFree:         1 kB\nMemAvailable:   20000000 kB\n');
    expect(m).toEqual({ totalBytes: 25276502 * 1024, availableBytes: 20000000 * 1024 });
    expect(hostMemoryReserve(8 * GiB)).toBe(2 * GiB);
    expect(hostMemoryReserve(24 * GiB)).toBe(Math.round(24 * GiB * 0.15));
    expect(defaultBudget({ totalBytes: 24 * GiB, availableBytes: 20 * GiB })).toBe(20 * GiB - Math.round(24 * GiB * 0.15));
    // never negative on a host already short of memory
    expect(defaultBudget({ totalBytes: 8 * GiB, availableBytes: GiB })).toBe(0);
  });

  it("reads this host's memory, tasks and open files", () => {
    const kinds = hostGauges().map((g) => g.kind);
    expect(kinds).toEqual(['host-memory', 'pids', 'fds']);
    for (const g of hostGauges()) expect(g.used).toBeLessThan(g.limit);
  });

  it('stops before a unit could reach a reserve, at twice what a unit has cost so far', () => {
    const g = (used: number): Gauge => ({ kind: 'pids', what: 'threads', used, limit: 32768, reserve: 4096 });
    // 100 units took 10 threads each: the next may take 20 more
    const room = (used: number) => gaugeStop([g(used)], [g(used - 1000)], 100, 1);
    expect(room(28672 - 21)).toBeNull();
    expect(room(28672 - 19)).toMatchObject({ reason: 'pids', detail: expect.stringMatching(/^threads: 4115 left of 32768, 4096 kept for the host, 10 per unit so far/) });
    // before any unit: a floor of one task (1 MiB of memory) a unit
    expect(gaugeStop([{ kind: 'host-memory', what: 'MemAvailable', used: 6 * GiB - MiB, limit: 8 * GiB, reserve: 2 * GiB }], [], 0, 1)?.reason).toBe('host-memory');
  });

  it('measures the footprint at every count to 20, every 10th to 200, every 50th to 1000, every 100th beyond', () => {
    const at: number[] = [];
    for (let c = 0; c < 1300; c = nextCheckpoint(c)) at.push(c);
    expect(at.slice(0, 22)).toEqual([...Array.from({ length: 21 }, (_, i) => i), 30]);
    expect(at.filter((c) => c > 150 && c <= 300)).toEqual([160, 170, 180, 190, 200, 250, 300]);
    expect(at.filter((c) => c >= 950)).toEqual([950, 1000, 1100, 1200]);
    // a fill that jumps past a checkpoint (a batch) is measured at the next count after it
    expect(nextCheckpoint(203)).toBe(250);
  });
});

function pt(count: number, o: Partial<DensityPoint> = {}): DensityPoint {
  return { count, startNs: count > 0 ? 1e6 * count : null, elapsedNs: count * 1e8, memAvailableBytes: null, footprintBytes: null, cgroupBytes: null, ...o };
}

describe('what a curve says', () => {
  const points = [
    pt(0, { footprintBytes: 100 * MiB, memAvailableBytes: 10 * GiB }),
    pt(1, { footprintBytes: 102 * MiB }),
    pt(2, { footprintBytes: 104 * MiB }),
    pt(3),
    pt(4, { footprintBytes: 112 * MiB, cgroupBytes: 4 * MiB, memAvailableBytes: 10 * GiB - 40 * MiB }),
  ];

  it('the footprint per unit is its growth since the baseline over the count, at the last point measured', () => {
    expect(footprintGrowth(points)).toEqual({ count: 4, bytes: 12 * MiB });
    expect(perUnitBytes(points)).toBe(3 * MiB);
    expect(unitsPerGiB(points)).toBeCloseTo(1024 / 3, 9);
    // between measured points, per unit: 2, 2, then 8 over two units
    expect(marginalBytes(points)).toEqual([2 * MiB, 2 * MiB, 4 * MiB]);
  });

  it("gives the host's and the cgroups' view per unit, and units started per second", () => {
    expect(memAvailableDropPerUnit(points)).toBe(10 * MiB);
    expect(cgroupPerUnit(points)).toBe(MiB);
    expect(startedPerSec(points)).toBe(10);
  });

  it('compares the start latency of the first tenth with the last tenth', () => {
    const many = [pt(0), ...Array.from({ length: 100 }, (_, i) => pt(i + 1, { startNs: i < 10 ? 1e6 : i >= 90 ? 3e6 : 2e6 }))];
    expect(startDrift(many)).toEqual({ first: 1e6, last: 3e6, ratio: 3, each: 10 });
    expect(startDrift([pt(0), pt(1)])).toBeNull();
  });

  it('has no figure per unit before a unit was measured, nor per GiB for a footprint that did not grow', () => {
    expect(perUnitBytes([pt(0, { footprintBytes: 0 }), pt(1)])).toBeNull();
    expect(unitsPerGiB([pt(0, { footprintBytes: MiB }), pt(1, { footprintBytes: MiB })])).toBeNull();
  });
});
