/** The OCI-CLI runner against the real runc and crun: figures, failures, and nothing left behind. */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sweepCgroups } from '../../core/cgroups.ts';
import { EventBus } from '../../core/events.ts';
import { hostFacts } from '../../core/host.ts';
import { runPipeline } from '../../core/pipeline.ts';
import { Scope } from '../../core/scope.ts';
import type { RuntimeInfo } from '../../core/schema.ts';
import { OciSession } from '../../runners/oci/index.ts';
import { RUNNERS } from '../../runners/index.ts';
import { SUITES } from '../../suites/index.ts';
import { leftovers, nothingLeft } from '../helpers/leaks.ts';
import { realRuntime, type Availability } from '../helpers/real.ts';
import { needs } from '../helpers/require.ts';

const runtimes: Record<string, Availability> = {
  runc: await realRuntime('runc'),
  crun: await realRuntime('crun'),
};
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'runbench-oci-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function wrapper(name: string, real: RuntimeInfo, script: string): RuntimeInfo {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${script}\nexec ${real.path} "$@"\n`);
  chmodSync(path, 0o755);
  return { ...real, name, path };
}

for (const name of ['runc', 'crun']) {
  const a = runtimes[name]!;
  needs(name, a.skip).describe(`${name} through the OCI CLI`, () => {
    it('runs hello, times each lifecycle phase and reads the cgroup peak', async () => {
      const host = hostFacts();
      const scope = new Scope('test');
      const runId = `20000101${Math.floor(Math.random() * 0xffffff)
        .toString(16)
        .padStart(6, '0')}`;
      const workDir = join(dir, runId);
      const session = new OciSession(a.runtime!, { runId, host, arch: host.arch, scope, events: new EventBus(), workDir });
      try {
        const run = await session.runOnce({ workload: { name: 'hello', kind: 'native', args: [] }, timeoutMs: 30_000 });
        expect(run.exitCode).toBe(0);
        expect(run.stdout).toContain('runbench-hello-ok');
        expect(run.totalNs).toBeGreaterThan(1e5);
        expect(run.totalNs).toBeLessThan(5e9);
        const life = await session.lifecycle({ workload: { name: 'mem', kind: 'native', args: ['16'] }, timeoutMs: 30_000 });
        expect(life.exitCode).toBe(0);
        expect(Object.keys(life.phasesNs)).toEqual(['create', 'start', 'exit', 'delete']);
        const sum = Object.values(life.phasesNs).reduce((x, y) => x + y, 0);
        expect(sum).toBeLessThanOrEqual(life.totalNs);
        expect(life.cgroupPeakBytes).toBeGreaterThan(16 * 1024 * 1024);
        expect(life.runtimePeakRssBytes).toBeGreaterThan(1024 * 1024);
        expect(life.oomKilled).toBe(false);
        const limited = await session.lifecycle({ workload: { name: 'mem', kind: 'native', args: ['64'] }, memoryLimitBytes: 16 << 20, timeoutMs: 30_000 });
        expect(limited.signal).toBe(9);
        expect(limited.oomKilled).toBe(true);
      } finally {
        await scope.close();
        await sweepCgroups(`runbench-${runId}`);
      }
      // the session removed its own cgroups; only the run's empty parent was swept above
      expect(leftovers(runId)).toEqual(nothingLeft);
    });

    it('records a hung runtime and a crashing one as errored, measures the real one, leaves nothing', async () => {
      const real = a.runtime!;
      const hung = wrapper(`${name}-hangs`, real, 'case " $* " in *" create "*|*" run "*) exec sleep 600;; esac');
      const crashy = wrapper(`${name}-crashes`, real, 'case " $* " in *" create "*|*" run "*) kill -SEGV $$;; esac');
      const events = new EventBus();
      const host = hostFacts();
      const doc = await runPipeline(
        { suites: ['startup'], layers: ['oci'], runs: 3, warmup: 0, concurrency: 2, churnContainers: 2, timeoutMs: 1500 },
        { runners: RUNNERS, suites: SUITES, runtimes: [hung, real, crashy], host, events, signal: new AbortController().signal, calibrate: async () => null },
      );
      const outcome = (rt: string) => doc.suiteRuns.find((r) => r.runtime === rt)?.outcome;
      expect(outcome(hung.name)).toMatchObject({ status: 'errored' });
      expect(outcome(hung.name)?.reason).toContain('hung and was killed');
      expect(outcome(crashy.name)).toMatchObject({ status: 'errored' });
      expect(outcome(crashy.name)?.reason).toContain('killed by SIGSEGV');
      expect(outcome(real.name)).toMatchObject({ status: 'passed' });
      expect(doc.measurements.filter((m) => m.labels.runtime === real.name).length).toBeGreaterThan(0);
      expect(leftovers(doc.runId)).toEqual(nothingLeft);
    });
  });
}
