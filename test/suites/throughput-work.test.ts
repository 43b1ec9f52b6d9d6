/** The cpu workload's amount of work: standard, or less for a runtime that computes far slower, the same in every block. */
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../../core/pipeline.ts';
import { fakeDeps, smallOptions } from '../helpers/pipeline.ts';
import { useScratchDir } from '../helpers/tmp.ts';

useScratchDir();

describe('throughput work size', () => {
  it('gives an interpreting runtime less work, sized to half a second a part where the standard work would take over 2 s, and records why', async () => {
    const deps = fakeDeps(['fast', 'slow'], { cpuSlowdown: { slow: 200 } });
    const doc = await runPipeline({ ...smallOptions, suites: ['throughput'], blocks: 3, runs: 6 }, deps);
    const cpu = (rt: string) => doc.measurements.find((m) => m.labels.runtime === rt && m.metric === 'cpuIntOpsPerSec' && m.labels.workloadKind === 'native');
    expect(cpu('fast')?.notes.args).toBe('8 20000000');
    expect(cpu('fast')?.notes.workSizedBy).toBeUndefined();
    // 8 MiB at 2 MiB/s would take 4 s: 1 MiB; 20M loops at 5M/s would take 4 s: 2.5M loops
    const [size, loopsText] = String(cpu('slow')?.notes.args).split(' ');
    const kib = Number(size?.replace(/k$/, ''));
    const loops = Number(loopsText);
    expect(size).toMatch(/^\d+k$/);
    expect(kib).toBeGreaterThan(700);
    expect(kib).toBeLessThan(1500);
    expect(loops).toBeGreaterThan(1_500_000);
    expect(loops).toBeLessThan(3_500_000);
    expect(cpu('slow')?.notes.workSizedBy).toMatch(/trial run \(256k 2000000\), 8 20000000 would take over 2s a part/);
    // the rate it reports stays the rate: about 200 times lower
    const ratio = (cpu('fast')?.stats?.median ?? 0) / (cpu('slow')?.stats?.median ?? 1);
    expect(ratio).toBeGreaterThan(150);
    expect(ratio).toBeLessThan(270);
    expect(new Set(cpu('slow')?.blocks)).toEqual(new Set([0, 1, 2]));
  });
});
