/** runbench crosscheck against hyperfine on runc: alternating rounds, and the ratio's interval from them. */
import { expect } from 'vitest';
import { hostFacts } from '../../core/host.ts';
import { findBinary } from '../../core/runtimes.ts';
import { crosscheck } from '../../runners/oci/crosscheck.ts';
import { realRuntime } from '../helpers/real.ts';
import { needs } from '../helpers/require.ts';

const runc = await realRuntime('runc');
const why = runc.skip ?? (findBinary('hyperfine') ? null : 'hyperfine is not installed');

needs('runc', why).it('times runc run with both tools in every round and gives the round-by-round ratio an interval', async () => {
  if (!runc.runtime) throw new Error('unreachable');
  const r = await crosscheck(runc.runtime, hostFacts(), { runs: 8, blocks: 4 });
  expect(r.runbenchNs).toHaveLength(8);
  expect(r.hyperfineNs).toHaveLength(8);
  expect([...new Set(r.runbenchBlocks)]).toEqual([0, 1, 2, 3]);
  expect([...new Set(r.hyperfineBlocks)]).toEqual([0, 1, 2, 3]);
  expect(r.pairedRatio?.rounds).toBe(4);
  const p = r.pairedRatio;
  if (!p) throw new Error('no paired ratio');
  expect(p.ratioCi[0]).toBeLessThanOrEqual(p.ratio);
  expect(p.ratioCi[1]).toBeGreaterThanOrEqual(p.ratio);
}, 120_000);
