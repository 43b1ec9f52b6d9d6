/**
 * What only this layer measures (suites/density.ts): idle pods started until a budget or
 * a cap, with the pod startup latency of each, their memory from the kubelet's summary
 * API (and, on this machine, from the pod's cgroup and its shim), and their removal.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { cgroupCurrentBytes } from '../../core/cgroups.ts';
import { RuntimeFailure, errorMessage } from '../../core/errors.ts';
import type { IdleMemory, IdleStart, RunRequest } from '../../core/runner.ts';
import type { KubeClient } from './client.ts';
import { nodeSummary, podMemory, podShimPid, shimMemory } from './memory.ts';
import type { PodPlace } from './pod-run.ts';
import { startupLatencyNs } from './pods.ts';
import type { SessionPods } from './session-pods.ts';

/** Starts a long-running pod and waits until all its containers are started (the SLI). */
export async function startIdlePod(pods: SessionPods, runtime: string, req: RunRequest): Promise<IdleStart> {
  const { name, timeline } = await pods.create(req);
  try {
    await pods.waitFor(name, 'started', (t) => t.startedNs !== undefined, req.timeoutMs);
  } catch (e) {
    const events = await pods.events(name);
    await pods.delete(name, true, 30_000).catch(() => pods.forget(name));
    throw new RuntimeFailure(runtime, `${errorMessage(e)}${events ? ` (${events})` : ''}`);
  }
  return { name, timeline, startupNs: startupLatencyNs(timeline) ?? Number.NaN };
}

/** Memory of running pods: the summary API's figure, and on this machine the cgroup's and the shim's. */
export async function podsMemory(
  pods: SessionPods,
  client: KubeClient,
  place: (pod: V1Pod | null) => PodPlace,
  names: string[],
): Promise<Map<string, IdleMemory>> {
  const byNode = new Map<string, string[]>();
  for (const n of names) {
    const node = pods.latest(n)?.spec?.nodeName;
    if (!node) continue;
    byNode.set(node, [...(byNode.get(node) ?? []), n]);
  }
  const out = new Map<string, IdleMemory>();
  for (const [node, onNode] of byNode) {
    const summary = await nodeSummary(client, node);
    for (const n of onNode) {
      const local = place(pods.latest(n));
      const pid = local.cgroup ? podShimPid(local.cgroup) : null;
      out.set(n, {
        summary: podMemory(summary, pods.namespace, n),
        cgroupBytes: local.cgroup ? cgroupCurrentBytes(local.cgroup) : null,
        shimRssBytes: pid ? shimMemory(pid).rssBytes : null,
        node,
      });
    }
  }
  return out;
}

/** Deletes pods and waits until the kubelet has removed them. */
export async function deletePods(pods: SessionPods, names: string[], timeoutMs = 120_000): Promise<void> {
  await Promise.all(names.map((n) => pods.delete(n, false).catch(() => undefined)));
  await pods.awaitGone(names, timeoutMs);
}
