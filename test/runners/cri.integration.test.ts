/**
 * The cri layer for real: critest against runc as a runtime handler of runbench's own
 * containerd, its verdicts in the conformance document, its benchmark beside runbench's
 * figures, and nothing left behind, after a normal end and after a SIGKILL and `runbench clean`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { expect } from 'vitest';
import { cgroupDirs } from '../../core/cgroups.ts';
import { hostFacts } from '../../core/host.ts';
import { ResultsDocument } from '../../core/schema.ts';
import { RUNNERS } from '../../runners/index.ts';
import { shimSocketPath } from '../../runners/containerd/daemon.ts';
import { CRI_NAMESPACE } from '../../runners/cri/endpoint.ts';
import { leftovers, nothingLeft } from '../helpers/leaks.ts';
import { realRuntime } from '../helpers/real.ts';
import { needs } from '../helpers/require.ts';
import { RUNBENCH_BIN, startRun } from '../helpers/run.ts';
import { lazyTempDir } from '../helpers/tmp.ts';

const runc = await realRuntime('runc');
const why = runc.skip ?? RUNNERS.cri?.unavailable(hostFacts()) ?? null;
const tmp = lazyTempDir('runbench-cri-int-');
const containerd = '/usr/bin/containerd';

needs(['runc', 'critest'], why).describe('critest against runc through the CRI', () => {
  needs(['runc', 'critest'], why).it(
    'records every spec it ran as a cri row labelled with its containerd, and leaves nothing',
    async () => {
      const out = join(tmp(), 'validate');
      const r = await execa(
        'node',
        [RUNBENCH_BIN, 'conformance', '--layer', 'cri', '--runtime', 'runc', '--containerd', containerd, '--cri-focus', 'Runtime info|StopPodSandbox should not return an error if already stopped', '--out', out, '--json'],
        { reject: false, all: true },
      );
      expect([0, 4], r.all).toContain(r.exitCode);
      const doc = ResultsDocument.parse(JSON.parse(r.stdout));
      const rows = doc.conformance;
      expect(rows.map((x) => x.checkId).sort()).toEqual([
        'cri.idempotence.stoppodsandbox-should-not-return-an-error-if-already-stopped',
        'cri.runtime-info.runtime-should-support-returning-runtime-info-runtime-should-return-runtime-conditions',
        'cri.runtime-info.runtime-should-support-returning-runtime-info-runtime-should-return-version-info',
      ]);
      for (const row of rows) {
        expect(row.labels).toMatchObject({ runtime: 'runc', layer: 'cri', workload: 'critest' });
        expect(row.labels.cri).toMatch(/^containerd \d+\.\d+\.\d+$/);
        expect(row.specRef).toMatch(/^cri-tools v\d+\.\d+\.\d+ critest$/);
      }
      // a pod sandbox ran, stopped twice and went: the handler really served critest
      expect(rows.find((x) => x.checkId.startsWith('cri.idempotence'))?.outcome.status).toBe('passed');
      expect(rows.filter((x) => x.checkId.startsWith('cri.runtime-info')).map((x) => x.outcome.status)).toEqual(['passed', 'passed']);
      expect(r.stderr).toContain('cri.runtime-info');
      expect(leftovers(doc.runId)).toEqual(nothingLeft);
    },
    600_000,
  );

  needs(['runc', 'critest'], why).it(
    "puts critest's benchmark figures beside runbench's, saying whose clock took them",
    async () => {
      const out = join(tmp(), 'bench');
      const r = await execa('node', [RUNBENCH_BIN, 'run', '--layer', 'cri', '--suite', 'critest', '--runtime', 'runc', '--containerd', containerd, '--runs', '2', '--out', out], {
        reject: false,
        all: true,
      });
      expect(r.exitCode, r.all).toBe(0);
      const doc = ResultsDocument.parse(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')));
      const metrics = doc.measurements.map((m) => m.metric).sort();
      expect(metrics).toEqual(
        ['containerCreate', 'containerLifecycle', 'containerRemove', 'containerStart', 'containerStatus', 'containerStop', 'podCreate', 'podLifecycle', 'podRemove', 'podStatus', 'podStop'].sort(),
      );
      for (const m of doc.measurements) {
        expect(m.labels).toMatchObject({ layer: 'cri', runtime: 'runc' });
        expect(m.labels.cri).toMatch(/^containerd /);
        expect(m.samples).toHaveLength(2);
        expect(String(m.notes.timestamps)).toContain("critest's own clock");
      }
      expect(r.stderr).toMatch(/cri containerd \d+\.\d+\.\d+ · critest · podCreate/);
      expect(leftovers(doc.runId)).toEqual(nothingLeft);
    },
    600_000,
  );

  needs(['runc', 'critest'], why).it(
    'after a SIGKILL mid-run, runbench clean removes the daemon, the pods, their cgroups, mounts and sockets',
    async () => {
      const run = startRun(['--layer', 'cri', '--suite', 'critest', '--runtime', 'runc', '--containerd', containerd, '--runs', '200', '--out', join(tmp(), 'killed')], { detached: true });
      const runId = await run.sampling(/critest/);
      expect(runId, run.stderr()).not.toBe('');
      // wait until the CRI runs a pod: its task is in the state of the run's containerd
      const daemon = join('/run/runbench', runId, 'cri', 'runc', '1', 'containerd');
      const tasks = join(daemon, 'state', 'io.containerd.runtime.v2.task', CRI_NAMESPACE);
      const running = () => (existsSync(tasks) ? readdirSync(tasks) : []);
      const deadline = Date.now() + 240_000;
      while (running().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      const ids = running();
      expect(ids.length, run.stderr()).toBeGreaterThan(0);
      const socketsOfRun = ids.map((id) => shimSocketPath(join(daemon, 'containerd.sock'), CRI_NAMESPACE, id));
      process.kill(run.child.pid as number, 'SIGKILL');
      await run.child;
      expect(leftovers(runId)).not.toEqual(nothingLeft);
      const clean = await execa('node', [RUNBENCH_BIN, 'clean'], { reject: false, all: true });
      expect(clean.exitCode, clean.all).toBe(0);
      expect(clean.stdout).toContain(`removed what run ${runId} left:`);
      expect(leftovers(runId)).toEqual(nothingLeft);
      expect(cgroupDirs(`runbench-${runId}`)).toEqual([]);
      expect(socketsOfRun.filter((p) => existsSync(p))).toEqual([]);
    },
    600_000,
  );
});
