/**
 * The kubelet-metrics fallback against the local cluster: with the node's containerd events
 * turned off, timed pods run between two scrapes of the kubelet's /metrics through the API
 * server's node proxy, and the session's facts count exactly those pods.
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
import { localClusterWhy } from '../helpers/cluster.ts';
import { realRuntime } from '../helpers/real.ts';
import { needs } from '../helpers/require.ts';

const host = hostFacts();
const why = await localClusterWhy();
const runc = await realRuntime('runc');
const hello = { workload: { name: 'hello', kind: 'native' as const, args: [] }, timeoutMs: 90_000 };
const OPS = 'kubelet_runtime_operations_duration_seconds';

needs(['cluster', 'runc'], why ?? runc.skip).describe("kubernetes layer: the kubelet's metrics when the node's events are not read", () => {
  it('counts the timed pods between scrapes, and labels each quantile with its bucket and source', async () => {
    const scope = new Scope('test');
    const runId = `20000103${Math.floor(Math.random() * 0xffffff).toString(16).padStart(6, '0')}`;
    const workDir = mkdtempSync(join(tmpdir(), `runbench-k8s-${runId}-`));
    const ctx = { runId, host, arch: host.arch, scope, events: new EventBus(), workDir };
    const session = (await createKubernetesRunner({ nodeEvents: false }).open(runc.runtime as RuntimeInfo, ctx)) as KubernetesSession;
    try {
      const life = session.capabilities.lifecycle;
      expect(session.kubeletMetricsNote).toMatch(/^histograms from \/api\/v1\/nodes\/.+\/proxy\/metrics/);
      expect(life?.phaseNotes?.kubeletMetrics).toBe(session.kubeletMetricsNote);
      // a pod whose output is captured (a warmup, the check run) is outside the windows
      expect((await life?.run(hello))?.exitCode).toBe(0);
      expect(life?.seriesFacts?.('native')).toEqual([]);
      for (let i = 0; i < 2; i++) expect((await life?.run({ ...hello, discardOutput: true }))?.exitCode).toBe(0);
      const facts = new Map((life?.seriesFacts?.('native') ?? []).map((f) => [f.name, f]));
      expect(facts.get(`${OPS}{operation_type="start_container"} count`)?.value).toBe(2);
      expect(facts.get(`${OPS}{operation_type="run_podsandbox"} count`)?.value).toBe(2);
      // hello exits at once: the kubelet counts a pod in its SLI only when its watch saw it Running; with none, the fact says why
      const sli = facts.get('kubelet_pod_start_sli_duration_seconds count');
      expect(sli?.value).toBeLessThanOrEqual(2);
      if (sli?.value === 0) expect(sli.detail).toMatch(/no observation in the windows: .*Running|none: .*Running/);
      expect(facts.get('kubelet_run_podsandbox_duration_seconds{runtime_handler="runc"} count')?.value).toBe(2);
      const p50 = facts.get(`${OPS}{operation_type="start_container"} P50 (s)`);
      expect(p50?.value).toBeGreaterThan(0);
      expect(p50?.detail).toMatch(/^resolution: the bucket \(.*\] s; .*GET \/api\/v1\/nodes\/.+\/proxy\/metrics before and after each of 2 timed pods/);
      expect(facts.get(`${OPS}{operation_type="start_container"} mean (s)`)?.detail).toMatch(/^exact: /);
    } finally {
      await session.close();
      expect(await scope.close()).toEqual([]);
      rmSync(workDir, { recursive: true, force: true });
    }
  }, 300_000);
});
