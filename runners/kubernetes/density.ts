/**
 * The density capability of this layer (suites/density.ts): idle pods, each timed from its
 * creation until all its containers started (the SIG Scalability SLI, from the watch), their
 * footprint as the kubelet's summary API reports it (working set; on this machine also the
 * pod's cgroup and its containerd shim), and their removal.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { cgroupCurrentBytes } from '../../core/cgroups.ts';
import { RuntimeFailure, errorMessage } from '../../core/errors.ts';
import type { Density, Footprint, IdleUnit, RunRequest } from '../../core/runner.ts';
import type { KubeClient } from './client.ts';
import { nodeSummary, podMemory, podShimPid, shimMemory } from './memory.ts';
import { nodeDaemonsPss, nodeShims, shimsDrained, type NodeDaemons } from './node-daemons.ts';
import { DEFAULT_DENSITY } from './options.ts';
import type { PodPlace } from './pod-run.ts';
import { startupLatencyNs } from './pods.ts';
import type { SessionPods } from './session-pods.ts';

export const POD_STARTUP_SLI =
  'SIG Scalability pod startup latency: pod creation (client hrtime at the create request) until all containers started, observed via watch (client hrtime at event receipt)';

/** Starts a long-running pod and waits until all its containers are started (the SLI). */
export async function startIdlePod(pods: SessionPods, runtime: string, req: RunRequest): Promise<IdleUnit> {
  const { name, timeline } = await pods.create(req);
  try {
    await pods.waitFor(name, 'started', (t) => t.startedNs !== undefined, req.timeoutMs);
  } catch (e) {
    const events = await pods.events(name);
    await pods.delete(name, true, 30_000).catch(() => pods.forget(name));
    throw new RuntimeFailure(runtime, `${errorMessage(e)}${events ? ` (${events})` : ''}`);
  }
  return { name, timeline, startNs: startupLatencyNs(timeline) ?? Number.NaN };
}

/**
 * The pods' footprint: the sum of their working sets from the summary API (a pod the
 * kubelet has no figure for yet counts as the mean of the others), and per pod the working
 * set, and on this machine the pod cgroup's usage and the shim's RSS; by process, when the
 * node is this machine, the PSS of the kubelet, the CRI's containerd, its shims and what runs
 * below them (none of which a working set counts), so their growth shows beside the curve.
 */
export async function podsFootprint(
  pods: SessionPods,
  client: KubeClient,
  place: (pod: V1Pod | null) => PodPlace,
  names: readonly string[],
  daemons: NodeDaemons | null = null,
): Promise<Footprint> {
  const byNode = new Map<string, string[]>();
  for (const n of names) {
    const node = pods.latest(n)?.spec?.nodeName;
    if (!node) continue;
    byNode.set(node, [...(byNode.get(node) ?? []), n]);
  }
  const ws: number[] = [];
  const cgroups: number[] = [];
  const shims: number[] = [];
  const sources = new Set<string>();
  for (const [node, onNode] of byNode) {
    const summary = await nodeSummary(client, node);
    for (const n of onNode) {
      const m = podMemory(summary, pods.namespace, n);
      if (m) {
        ws.push(m.workingSetBytes);
        sources.add(m.source);
      }
      const local = place(pods.latest(n));
      const cg = local.cgroup ? cgroupCurrentBytes(local.cgroup) : null;
      if (cg !== null) cgroups.push(cg);
      const pid = local.cgroup ? podShimPid(local.cgroup) : null;
      const shim = pid ? shimMemory(pid).rssBytes : null;
      if (shim !== null) shims.push(shim);
    }
  }
  const known = ws.reduce((a, b) => a + b, 0);
  const mean = ws.length > 0 ? known / ws.length : 0;
  const byProcess = daemons ? await nodeDaemonsPss(daemons) : undefined;
  return {
    bytes: known + mean * (names.length - ws.length),
    ...(byProcess ? { byProcess } : {}),
    cgroupBytes: cgroups.length > 0 ? cgroups.reduce((a, b) => a + b, 0) : null,
    perUnit: {
      podWorkingSetBytes: { bytes: ws, source: `kubelet summary API (${[...sources].join(',') || 'none'})` },
      podCgroupUsageBytes: { bytes: cgroups, source: 'pod memory cgroup usage on this machine (page cache included)' },
      shimRssBytes: { bytes: shims, source: "VmRSS of the pod's containerd shim on this machine" },
    },
  };
}

/** Why a pod that should idle no longer runs (it ended, or a container exited or restarted), or null while it runs or is unknown. */
export function podNotRunning(pod: V1Pod | null): string | null {
  if (!pod?.status) return null;
  const phase = pod.status.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return `the pod is ${phase}`;
  for (const cs of pod.status.containerStatuses ?? []) {
    const t = cs.state?.terminated;
    if (t) return `container ${cs.name} exited ${t.exitCode}${t.reason ? ` (${t.reason})` : ''}`;
    if ((cs.restartCount ?? 0) > 0) return `container ${cs.name} restarted ${cs.restartCount} times`;
  }
  return null;
}

/** Deletes pods and waits until the kubelet has removed them. */
export async function deletePods(pods: SessionPods, names: readonly string[], timeoutMs = 120_000): Promise<void> {
  await Promise.all(names.map((n) => pods.delete(n, false).catch(() => undefined)));
  await pods.awaitGone([...names], timeoutMs);
}

/** What the capability needs of its session. */
export interface PodDensityHost {
  runtime: string;
  limits: { budgetBytes?: number; maxPods?: number };
  pods(): SessionPods;
  client: KubeClient;
  place(pod: V1Pod | null): PodPlace;
  labels(): Record<string, string>;
  source(): string;
  /** The node's kubelet and containerd when the pods' node is this machine, else null. */
  daemons(): NodeDaemons | null;
}

export function podDensity(h: PodDensityHost): Density {
  // the node's shims when a fill begins (its baseline): its teardown ends when they are back to that
  let shimsBefore: number | null = null;
  return {
    startDefinition: POD_STARTUP_SLI,
    footprintOf: "the pods' working set (kubelet summary API)",
    defaults: () => ({
      budgetBytes: h.limits.budgetBytes ?? DEFAULT_DENSITY.budgetBytes,
      maxCount: h.limits.maxPods ?? DEFAULT_DENSITY.maxPods,
      concurrency: null,
      // the summary API's figures lag a pod's start
      settleMs: 2000,
    }),
    labels: () => h.labels(),
    source: () => h.source(),
    startIdle: (req) => startIdlePod(h.pods(), h.runtime, req),
    exited: async (names) =>
      names.flatMap((n) => {
        const why = podNotRunning(h.pods().latest(n) ?? null);
        return why ? [`${n}: ${why}`] : [];
      }),
    footprint: (names) => {
      const d = h.daemons();
      if (names.length === 0 && d) shimsBefore = nodeShims(d).length;
      return podsFootprint(h.pods(), h.client, (pod) => h.place(pod), names, d);
    },
    // the nodes are not this machine's to watch (the kubelet evicts before the OOM killer)
    headroom: async () => [],
    remove: async (names, deadlineMs) => {
      const pods = h.pods();
      await deletePods(pods, names, Math.max(1000, deadlineMs - Date.now()));
      const d = h.daemons();
      const left = d && shimsBefore !== null ? await shimsDrained(d, shimsBefore, Math.max(deadlineMs, Date.now() + 30_000)) : [];
      return { concurrency: names.length, leftovers: left };
    },
  };
}
