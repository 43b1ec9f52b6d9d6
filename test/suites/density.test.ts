/**
 * The density suite's loop through the pipeline, on the fake runner: what stops a fill
 * (cap, budget, host memory, failure), the curve and measurements it records, that every
 * unit started is removed whatever happened, and that it runs only when named outside the
 * kubernetes layer.
 */
import { describe, expect, it } from 'vitest';
import { Interrupted } from '../../core/errors.ts';
import { runPipeline } from '../../core/pipeline.ts';
import { ResultsDocument } from '../../core/schema.ts';
import type { FakeDensityBehaviour } from '../../runners/fake-density.ts';
import { fakeDeps, smallOptions } from '../helpers/pipeline.ts';

const MiB = 1024 ** 2;

async function densityRun(b: FakeDensityBehaviour, density: { budgetBytes?: number; maxCount?: number } = {}, signal?: AbortSignal) {
  const removed: string[] = [];
  const deps = fakeDeps(['fake'], { density: { ...b, removed } }, signal);
  const doc = await runPipeline({ ...smallOptions, suites: ['density'], suitesNamed: true, density }, deps);
  return { doc: ResultsDocument.parse(doc), removed };
}

const metric = (doc: ResultsDocument, name: string) => doc.measurements.find((m) => m.metric === name);

describe('density suite', () => {
  it('stops at the cap, records the curve and the figures, and removes every unit', async () => {
    const { doc, removed } = await densityRun({}, { maxCount: 30 });
    const curve = doc.density?.[0];
    expect(curve?.count).toBe(30);
    expect(curve?.stop.reason).toBe('cap');
    // the baseline, then one point per unit; the footprint at checkpoints (every count up to 20, then every 10th)
    expect(curve?.points.map((p) => p.count)).toEqual(Array.from({ length: 31 }, (_, i) => i));
    expect(curve?.points.filter((p) => p.footprintBytes !== null).map((p) => p.count)).toEqual([...Array.from({ length: 21 }, (_, i) => i), 30]);
    expect(curve?.points[30]?.footprintBytes).toBe(10 * MiB + 30 * 4 * MiB);
    expect(curve?.teardown?.leftovers).toEqual([]);
    expect(removed).toHaveLength(30);
    expect(metric(doc, 'densityCount')?.samples).toEqual([30]);
    expect(metric(doc, 'densityCount')?.notes.stoppedBy).toBe('cap');
    expect(metric(doc, 'densityPerGiB')?.samples[0]).toBeCloseTo(256, 6);
    expect(metric(doc, 'startLatency')?.samples).toHaveLength(30);
    expect(metric(doc, 'footprintPerUnitBytes')?.samples.every((x) => x === 4 * MiB)).toBe(true);
    expect(metric(doc, 'idleCgroupBytes')?.samples).toHaveLength(30);
    expect(doc.suiteRuns[0]?.outcome.status).toBe('passed');
  });

  it('stops when the footprint reaches the budget, measuring it then rather than at the next checkpoint', async () => {
    const { doc, removed } = await densityRun({ perUnitBytes: 10 * MiB }, { budgetBytes: 255 * MiB });
    const curve = doc.density?.[0];
    expect(curve?.stop.reason).toBe('budget');
    // 26 units have grown it by 260 MiB >= 255 MiB; at 25 it was 250 MiB
    expect(curve?.count).toBe(26);
    expect(curve?.points.at(-1)?.footprintBytes).toBe(10 * MiB + 26 * 10 * MiB);
    expect(removed).toHaveLength(26);
  });

  it('stops before a unit could take the host into its memory reserve', async () => {
    // 8 GiB host, 1 GiB used, 6.5 GiB reserved: 512 MiB of room, 64 MiB a unit and twice that as a margin: 7 fit
    const { doc } = await densityRun({ perUnitBytes: 64 * MiB, reserveBytes: 6.5 * 1024 ** 3 }, { budgetBytes: 100 * 1024 ** 3 });
    const curve = doc.density?.[0];
    expect(curve?.stop.reason).toBe('host-memory');
    expect(curve?.count).toBe(7);
    expect(curve?.stop.detail).toMatch(/MemAvailable: .* left of 8\.00 GiB, 6\.50 GiB kept for the host/);
    expect(curve?.points.at(-1)?.memAvailableBytes).toBe(7 * 1024 ** 3 - 7 * 64 * MiB);
  });

  it("stops at the first failure with the runtime's error, and still records what had started", async () => {
    const { doc, removed } = await densityRun({ failAt: 13 });
    const curve = doc.density?.[0];
    expect(curve?.stop).toEqual({ reason: 'failure', detail: 'fake create failed: exited 1: cannot allocate memory' });
    expect(curve?.count).toBe(12);
    expect(removed).toHaveLength(12);
    expect(doc.suiteRuns[0]?.outcome.status).toBe('passed');
  });

  it('stops at the checkpoint that finds a unit no longer running, naming it, and removes every unit', async () => {
    // the 4th unit exits once 7 run: the checkpoint at 7 finds it
    const { doc, removed } = await densityRun({ exitAt: { unit: 4, when: 7 } }, { maxCount: 30 });
    const curve = doc.density?.[0];
    expect(curve?.stop).toEqual({ reason: 'exited', detail: '1 of 7 idle units no longer run at 7: fake-4: exited 0' });
    expect(curve?.count).toBe(7);
    expect(removed).toHaveLength(7);
    expect(metric(doc, 'densityCount')?.notes.stoppedBy).toBe('exited');
  });

  it('says so when a unit exits after the fill stopped for another reason, keeping that reason in the detail', async () => {
    // checkpoints at 20 and 30: the cap is reached at 25 between them, and the measurement
    // taken then finds the 2nd unit gone (it exited at 21)
    const { doc } = await densityRun({ exitAt: { unit: 2, when: 21 } }, { maxCount: 25 });
    const curve = doc.density?.[0];
    expect(curve?.stop.reason).toBe('exited');
    expect(curve?.stop.detail).toBe('1 of 25 idle units no longer run at 25: fake-2: exited 0 (the fill had stopped: cap, 25 units: the cap (--density-max 25))');
  });

  it('errors when not even one unit starts', async () => {
    const { doc } = await densityRun({ failAt: 1 });
    expect(doc.density).toBeUndefined();
    expect(doc.suiteRuns[0]?.outcome).toMatchObject({ status: 'errored', reason: expect.stringMatching(/no native idle unit started: fake create failed/) });
  });

  it('an interrupt mid-fill removes every unit started before the run ends', async () => {
    const controller = new AbortController();
    const removed: string[] = [];
    const deps = fakeDeps(['fake'], { density: { removed, onStart: (n) => n === 40 && controller.abort('SIGINT') } }, controller.signal);
    await expect(runPipeline({ ...smallOptions, suites: ['density'], suitesNamed: true }, deps)).rejects.toBeInstanceOf(Interrupted);
    expect(removed).toHaveLength(41);
  });

  it('runs outside its default layers only when named', async () => {
    const deps = fakeDeps(['fake'], { density: {} });
    const doc = await runPipeline({ ...smallOptions, suites: ['density'] }, deps);
    expect(doc.density).toBeUndefined();
    expect(doc.suiteRuns[0]?.outcome).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/runs at the oci layer only when named \(--suite density\)/) });
  });
});
