/**
 * The kubernetes runner against a real cluster (the local one of scripts/cluster.sh, or
 * $KUBECONFIG): pods through RuntimeClasses, watch-timed phases, memory, density, and
 * nothing of runbench's left in the cluster afterwards.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EventBus } from '../../core/events.ts';
import { inImageArchive as inImageArchive_ } from '../../core/in-image.ts';
import { hostFacts } from '../../core/host.ts';
import { runPipeline } from '../../core/pipeline.ts';
import type { RuntimeInfo } from '../../core/schema.ts';
import { Scope } from '../../core/scope.ts';
import { chooseKubeconfig, KubeClient } from '../../runners/kubernetes/client.ts';
import { listNodes } from '../../runners/kubernetes/cluster.ts';
import { MANAGED_BY, RUN_LABEL } from '../../runners/kubernetes/pods.ts';
import { createKubernetesRunner, KubernetesSession } from '../../runners/kubernetes/index.ts';
import { densitySuite } from '../../suites/density.ts';
import { clusterWhy, localHandlers, runtimeClass } from '../helpers/cluster.ts';
import { realRuntime } from '../helpers/real.ts';
import { needs } from '../helpers/require.ts';

const host = hostFacts();
const choice = chooseKubeconfig();

const why = await clusterWhy({ local: false });
const runc = await realRuntime('runc');
const handlers = localHandlers();
const crunWasmtime = await realRuntime('crun-wasmtime');
const wasmtimeClass = runtimeClass('wasmtime');
const wasmerClass = runtimeClass('wasmer');
const inImage = await realRuntime('runc/wasmtime-in-image');
const inImageArchive = inImage.runtime?.wasmVia ? inImageArchive_(inImage.runtime.wasmVia) : null;
const wasmCases: { name: string; need: string; runtime: RuntimeInfo | null; skip: string | null }[] = [
  {
    // an ordinary runc container whose image carries wasmtime: no Wasm handler on the node
    name: 'runc/wasmtime-in-image',
    need: 'runc/wasmtime-in-image',
    runtime: inImage.runtime,
    skip:
      why ??
      inImage.skip ??
      (inImageArchive && !existsSync(inImageArchive)
        ? `${inImageArchive} is not built (scripts/build-wasmtime-image.sh), so the nodes lack the image`
        : null) ??
      (handlers.has('runc') ? null : 'the local cluster has no runc handler'),
  },
  {
    name: 'crun-wasmtime',
    need: 'crun-wasmtime',
    runtime: crunWasmtime.runtime,
    skip: why ?? crunWasmtime.skip ?? (handlers.has('crun-wasmtime') ? null : 'the local cluster has no crun-wasmtime handler'),
  },
  {
    name: 'wasmtime',
    need: 'wasmtime-shim',
    runtime: wasmtimeClass,
    skip: why ?? (handlers.has('wasmtime') ? null : 'the local cluster has no wasmtime (containerd-shim-wasmtime-v1) handler'),
  },
  {
    // the same runwasi library with wasmer (scripts/setup.sh --tier wasmer)
    name: 'wasmer',
    need: 'wasmer-shim',
    runtime: wasmerClass,
    skip: why ?? (handlers.has('wasmer') ? null : 'the local cluster has no wasmer (containerd-shim-wasmer-v1) handler'),
  },
];
const newRunId = () =>
  `20000101${Math.floor(Math.random() * 0xffffff)
    .toString(16)
    .padStart(6, '0')}`;

/**
 * What runbench left in the cluster, seen from one test on a cluster others may use at the same
 * time: the namespaces, pods and RuntimeClasses of test runs (ids from newRunId) and of the
 * given run.
 */
async function leftInCluster(client: KubeClient, runId?: string): Promise<string[]> {
  const sel = `${MANAGED_BY}=runbench`;
  const ourRun = (id: string | undefined) => id !== undefined && (id.startsWith('20000101') || id === runId);
  const ours = (ns: string | undefined) => ns !== undefined && ourRun(ns.replace(/^runbench-/, ''));
  const ns = (await client.core.listNamespace({ labelSelector: sel })).items.filter((n) => ours(n.metadata?.name)).map((n) => `namespace/${n.metadata?.name}`);
  const pods = (await client.core.listPodForAllNamespaces({ labelSelector: sel })).items
    .filter((p) => ours(p.metadata?.namespace))
    .map((p) => `pod/${p.metadata?.name}`);
  const rcs = (await client.node.listRuntimeClass({ labelSelector: sel })).items
    .filter((r) => ourRun(r.metadata?.labels?.[RUN_LABEL]))
    .map((r) => `runtimeclass/${r.metadata?.name}`);
  return [...ns, ...pods, ...rcs];
}

function ctxFor(runId: string, scope: Scope) {
  // the run's ledger is written there (core/recovery.ts): it must exist, and goes with the scope
  const workDir = `/tmp/runbench-k8s-${runId}`;
  mkdirSync(workDir, { recursive: true });
  scope.defer(`scratch ${workDir}`, () => rmSync(workDir, { recursive: true, force: true }));
  return { runId, host, arch: host.arch, scope, events: new EventBus(), workDir };
}

needs(['cluster', 'runc'], why ?? runc.skip).describe('kubernetes layer, runc RuntimeClass', () => {
  it('runs pods to completion with watch-timed phases, reads memory, enforces a limit, and leaves nothing behind', async () => {
    const client = new KubeClient(choice!);
    const before = await leftInCluster(client);
    const scope = new Scope('test');
    const runId = newRunId();
    const runner = createKubernetesRunner();
    const session = (await runner.open(runc.runtime as RuntimeInfo, ctxFor(runId, scope))) as KubernetesSession;
    try {
      expect(session.supports('native')).toBeNull();
      expect(session.supports('wasm')?.reason).toContain('no Wasm handler');
      const run = await session.runOnce({ workload: { name: 'hello', kind: 'native', args: [] }, timeoutMs: 60_000 });
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toContain('runbench-hello-ok');
      expect(run.totalNs).toBeGreaterThan(0);

      const life = await session.lifecycle({ workload: { name: 'mem', kind: 'native', args: ['16'] }, timeoutMs: 60_000 });
      expect(life.exitCode).toBe(0);
      // the watch's phases, or the node's joined with them when its containerd is read (kubernetes-node-timeline.integration.test.ts)
      expect(Object.keys(life.phasesNs)).toEqual([...session.lifecyclePhases]);
      const sum = Object.values(life.phasesNs).reduce((a, b) => a + b, 0);
      expect(sum).toBe(life.totalNs);
      for (const p of ['scheduled', 'deleted']) expect(life.phasesNs[p]).toBeGreaterThan(0);
      // the pod cgroup saw at least the 16 MiB the workload touched (local node only)
      const node = (await listNodes(client)).find((n) => n.arch === host.arch);
      if (node?.local) {
        expect(life.cgroupPeakBytes).toBeGreaterThan(16 * 1024 * 1024);
        expect(life.layerMemoryBytes?.shimPeakRssBytes).toBeGreaterThan(1024 * 1024);
      }

      const limited = await session.lifecycle({
        workload: { name: 'mem', kind: 'native', args: ['64'] },
        memoryLimitBytes: 32 * 1024 * 1024,
        timeoutMs: 60_000,
      });
      expect(limited.oomKilled).toBe(true);
      expect(limited.signal).toBe(9);

      const churn = await session.churn({ workload: { name: 'hello', kind: 'native', args: [] }, timeoutMs: 60_000 }, 4, 2);
      expect(churn).toMatchObject({ completed: 4, failed: 0, firstError: null });
    } finally {
      await session.close();
      const failures = await scope.close();
      expect(failures).toEqual([]);
    }
    expect(await leftInCluster(client)).toEqual(before);
  }, 300_000);

  it('skips a RuntimeClass whose handler the nodes do not have, saying so', async () => {
    const scope = new Scope('test');
    const runId = newRunId();
    const ghost: RuntimeInfo = { ...(runc.runtime as RuntimeInfo), name: 'no-such-handler' };
    const session = (await createKubernetesRunner().open(ghost, ctxFor(runId, scope))) as KubernetesSession;
    try {
      expect(session.supports('native')?.reason).toMatch(/no-such-handler/);
    } finally {
      await session.close();
      expect(await scope.close()).toEqual([]);
    }
  }, 180_000);

  it('density: idle pods up to the cap, with pod startup latency quantiles, working set per pod and the curve', async () => {
    const client = new KubeClient(choice!);
    const before = await leftInCluster(client);
    const doc = await runPipeline(
      { suites: ['density'], suitesNamed: true, layers: ['kubernetes'], runs: 1, warmup: 0, concurrency: 2, churnContainers: 2, timeoutMs: 60_000 },
      {
        runners: { kubernetes: createKubernetesRunner({ densityMaxPods: 4 }) },
        suites: [densitySuite],
        runtimes: [runc.runtime as RuntimeInfo],
        host,
        events: new EventBus(),
        signal: new AbortController().signal,
        calibrate: async () => null,
        isBuilt: () => true,
      },
    );
    expect(doc.suiteRuns.map((r) => r.outcome.status)).toEqual(['passed']);
    const m = (metric: string) => doc.measurements.find((x) => x.metric === metric && x.labels.workloadKind === 'native');
    expect(m('densityCount')?.samples).toEqual([4]);
    expect(m('densityCount')?.notes.stoppedBy).toBe('cap');
    const sli = m('startLatency');
    expect(sli?.samples).toHaveLength(4);
    expect(sli?.labels.layer).toBe('kubernetes');
    expect(sli?.notes.definition).toMatch(/SIG Scalability pod startup latency/);
    expect(sli!.stats!.p99).toBeGreaterThanOrEqual(sli!.stats!.median);
    expect(m('podScheduleLatency')?.samples).toHaveLength(4);
    expect(m('podWorkingSetBytes')?.samples.every((x) => x > 0)).toBe(true);
    expect(m('startedPerSec')?.samples[0]).toBeGreaterThan(0);
    // the same curve as the other layers: the working set against the pod count
    const curve = doc.density?.find((c) => c.labels.workloadKind === 'native');
    expect(curve?.count).toBe(4);
    expect(curve?.points.at(-1)?.footprintBytes).toBeGreaterThan(0);
    expect(await leftInCluster(client, doc.runId)).toEqual(before);
  }, 300_000);
});

describe('kubernetes layer, Wasm RuntimeClasses', () => {
  for (const c of wasmCases) {
    const name = c.name;
    needs(['cluster', c.need], c.skip).it(
      `${name} runs the wasm hello module in a pod`,
      async () => {
        const client = new KubeClient(choice!);
        const before = await leftInCluster(client);
        const scope = new Scope('test');
        const session = (await createKubernetesRunner().open(c.runtime as RuntimeInfo, ctxFor(newRunId(), scope))) as KubernetesSession;
        try {
          expect(session.supports('wasm')).toBeNull();
          if (c.runtime?.wasmVia) expect(session.supports('native')?.reason).toMatch(/native is measured as runc itself/);
          const run = await session.runOnce({ workload: { name: 'hello', kind: 'wasm', args: [] }, timeoutMs: 60_000 });
          expect(run.exitCode).toBe(0);
          expect(run.stdout).toContain('runbench-hello-ok');
        } finally {
          await session.close();
          expect(await scope.close()).toEqual([]);
        }
        expect(await leftInCluster(client)).toEqual(before);
      },
      180_000,
    );
  }
});
