/**
 * A soak of a few thousand containers in one session: runbench's own memory, open file
 * descriptors, child processes and cgroup directories must stay flat, round after round.
 * The figures are printed for the README ("runbench's own footprint under load").
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { cgroupDirs } from '../../core/cgroups.ts';
import { EventBus } from '../../core/events.ts';
import { hostFacts } from '../../core/host.ts';
import { openRunScope } from '../../core/run-scope.ts';
import { capability } from '../../core/runner.ts';
import { ociRunner } from '../../runners/oci/index.ts';
import { leftovers, nothingLeft } from '../helpers/leaks.ts';
import { realRuntime } from '../helpers/real.ts';
import { needs } from '../helpers/require.ts';

const runc = await realRuntime('runc');
const ROUNDS = 6;
const PER_ROUND = 400;

function children(): number {
  let n = 0;
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid) n++;
    } catch {
      /* gone */
    }
  }
  return n;
}

function cgroupCount(rel: string): number {
  let n = 0;
  const walk = (d: string) => {
    n++;
    for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(join(d, e.name));
  };
  for (const top of cgroupDirs(rel)) walk(top);
  return n;
}

needs('runc', runc.skip).describe(`soak: ${ROUNDS * PER_ROUND} containers in one session`, () => {
  it("runbench's memory, descriptors, children and cgroups stay flat", { timeout: 900_000 }, async () => {
    const host = hostFacts();
    const run = openRunScope('soak');
    const rows: { containers: number; rssMiB: number; heapMiB: number; fds: number; children: number; cgroups: number; perSec: number }[] = [];
    try {
      const session = await ociRunner.open(runc.runtime!, {
        runId: run.runId,
        host,
        arch: host.arch,
        scope: run.scope,
        events: new EventBus(),
        workDir: run.workDir,
      });
      const churn = capability(session, 'churn');
      for (let round = 1; round <= ROUNDS; round++) {
        const r = await churn.run({ workload: { name: 'hello', kind: 'native', args: [] }, timeoutMs: 30_000 }, PER_ROUND, 4);
        expect(r.failed, r.firstError ?? '').toBe(0);
        globalThis.gc?.();
        rows.push({
          containers: round * PER_ROUND,
          rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
          heapMiB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
          fds: readdirSync('/proc/self/fd').length,
          children: children(),
          cgroups: cgroupCount(`runbench-${run.runId}`),
          perSec: Math.round((r.completed / (r.wallNs / 1e9)) * 10) / 10,
        });
      }
    } finally {
      await run.scope.close();
    }
    console.log(`soak (${new Date().toISOString()}, runc, concurrency 4):\n${rows.map((r) => JSON.stringify(r)).join('\n')}`);
    const first = rows[0]!;
    const last = rows[rows.length - 1]!;
    // from the first round on, nothing grows with the number of containers
    for (const r of rows) {
      expect(r.fds, JSON.stringify(rows)).toBeLessThanOrEqual(first.fds + 2);
      expect(r.children, JSON.stringify(rows)).toBeLessThanOrEqual(first.children);
      expect(r.cgroups, JSON.stringify(rows)).toBeLessThanOrEqual(first.cgroups);
    }
    expect(last.rssMiB - first.rssMiB, JSON.stringify(rows)).toBeLessThan(48);
    expect(leftovers(run.runId)).toEqual(nothingLeft);
  });
});
