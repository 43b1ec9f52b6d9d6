/**
 * The node-side timeline against the local cluster: a pod's phases joined from the watch and
 * the node containerd's events, and the watch's alone when the node's events are not read.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { EventBus } from '../../core/events.ts';
import { hostFacts } from '../../core/host.ts';
import type { RuntimeInfo } from '../../core/schema.ts';
import { Scope } from '../../core/scope.ts';
import { createKubernetesRunner, type KubernetesSession } from '../../runners/kubernetes/index.ts';
import { DERIVED, NODE_PHASES } from '../../runners/kubernetes/node-timeline.ts';
import { POD_PHASES } from '../../runners/kubernetes/pods.ts';
import { localClusterWhy } from '../helpers/cluster.ts';
import { realRuntime } from '../helpers/real.ts';
import { needs } from '../helpers/require.ts';

const host = hostFacts();
const why = await localClusterWhy();
const runc = await realRuntime('runc');
const hello = { workload: { name: 'hello', kind: 'native' as const, args: [] }, timeoutMs: 90_000 };

async function withSession(nodeEvents: boolean, fn: (s: KubernetesSession) => Promise<void>): Promise<void> {
  const scope = new Scope('test');
  const runId = `20000102${Math.floor(Math.random() * 0xffffff).toString(16).padStart(6, '0')}`;
  const workDir = mkdtempSync(join(tmpdir(), `runbench-k8s-${runId}-`));
  const ctx = { runId, host, arch: host.arch, scope, events: new EventBus(), workDir };
  const session = (await createKubernetesRunner({ nodeEvents }).open(runc.runtime as RuntimeInfo, ctx)) as KubernetesSession;
  try {
    await fn(session);
  } finally {
    await session.close();
    expect(await scope.close()).toEqual([]);
    rmSync(workDir, { recursive: true, force: true });
  }
}

needs(['cluster', 'runc'], why ?? runc.skip).describe('kubernetes layer: the node timeline on the local cluster', () => {
  it("joins the node containerd's events with the watch: every phase, in order, adding up to the pod's life", async () => {
    await withSession(true, async (session) => {
      const life = session.capabilities.lifecycle;
      expect(life?.phases).toEqual(NODE_PHASES.map((p) => p.name));
      expect(Number(life?.phaseNotes?.clockOffsetUncertaintyUs)).toBeLessThan(50_000);
      const s = await session.lifecycle(hello);
      expect(s.exitCode).toBe(0);
      expect(Object.keys(s.phasesNs)).toEqual(NODE_PHASES.map((p) => p.name));
      expect(Object.values(s.phasesNs).reduce((a, b) => a + b, 0)).toBe(s.totalNs);
      // marks both taken by containerd or the shim follow each other (the exit may precede the start event's stamp)
      for (const p of ['sandboxTaskCreated', 'sandboxTaskStarted', 'containerCreated', 'taskCreated', 'taskStarted']) expect(s.phasesNs[p]).toBeGreaterThan(0);
      expect(s.phasesNs.exitObserved).toBeGreaterThan(0);
      expect(Object.keys(s.derived ?? {})).toEqual(DERIVED.map((d) => d.name));
      expect(s.derived?.stageRuntime).toBeGreaterThan(0);
      expect(s.derived?.runtimeShareNode).toBeGreaterThan(0);
      expect(s.derived?.runtimeShareNode).toBeLessThan(1);
      expect(life?.phaseSources?.taskCreated).toMatch(/containerd events/);
    });
  }, 240_000);

  it("keeps the watch's phases, and says why, when the node's events are not read", async () => {
    await withSession(false, async (session) => {
      const life = session.capabilities.lifecycle;
      expect(life?.phases).toEqual([...POD_PHASES]);
      expect(life?.phaseSources?.scheduled).toMatch(/watch .*containerd events not read: turned off/);
      expect(life?.derived).toEqual([]);
      const s = await session.lifecycle(hello);
      expect(Object.keys(s.phasesNs)).toEqual([...POD_PHASES]);
      expect(s.derived).toBeUndefined();
    });
  }, 240_000);
});
