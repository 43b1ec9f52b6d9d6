/**
 * Measures the harness itself: a static no-op process timed through rb-exec (the path
 * every runtime command takes), and the same process spawned from Node for contrast.
 */
import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { fixtureBinary } from './paths.ts';
import type { HarnessOverhead } from './schema.ts';
import { computeStats } from './stats.ts';
import { TimingHelper } from './timing-helper.ts';

export const HARNESS_METHOD =
  'a resident C helper (rb-exec) reads CLOCK_MONOTONIC around posix_spawn + wait4 of each runtime command; Node only schedules samples';

export async function calibrateHarness(arch: string, runs = 50): Promise<HarnessOverhead | null> {
  const noop = fixtureBinary(arch, 'noop');
  if (!existsSync(noop)) return null;
  const helper = TimingHelper.start();
  const spawnNoopNs: number[] = [];
  try {
    for (let i = 0; i < runs + 5; i++) {
      const r = await helper.run([{ kind: 'exec', label: 'noop', argv: [noop] }], 5000);
      const s = r.steps[0];
      if (!s || s.exitCode !== 0) throw new Error(`calibration run failed: ${r.error ?? s?.error ?? 'no reply'}`);
      if (i >= 5) spawnNoopNs.push(s.endNs - s.startNs);
    }
  } finally {
    await helper.close();
  }
  const nodeSpawnNoopNs: number[] = [];
  for (let i = 0; i < runs + 5; i++) {
    const t0 = process.hrtime.bigint();
    await execa(noop, [], { stdio: 'ignore' });
    const t = Number(process.hrtime.bigint() - t0);
    if (i >= 5) nodeSpawnNoopNs.push(t);
  }
  return {
    method: HARNESS_METHOD,
    spawnNoopNs,
    spawnNoopStats: computeStats(spawnNoopNs),
    nodeSpawnNoopNs,
    nodeSpawnNoopStats: computeStats(nodeSpawnNoopNs),
  };
}
