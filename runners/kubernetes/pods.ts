/**
 * Pods as the kubernetes layer runs them, and what a watch tells about their progress.
 *
 * Pod startup latency follows SIG Scalability's definition (ClusterLoader2's
 * pod_startup_latency): from the pod's creation until all its containers are reported
 * started, as observed through a watch. The API's own timestamps have one-second
 * resolution, so every milestone here is the client's process.hrtime at the moment the
 * watch event carrying it was received, and creation is the moment the create request
 * was sent.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { PodTimeline } from '../../core/runner.ts';
import type { WorkloadKind } from '../../core/schema.ts';

export const MANAGED_BY = 'app.kubernetes.io/managed-by';
export const RUN_LABEL = 'runbench.dev/run';
export const SESSION_LABEL = 'runbench.dev/session';
export const CONTAINER = 'workload';

export interface PodSpecInput {
  name: string;
  namespace: string;
  runId: string;
  session: string;
  runtimeClassName: string;
  arch: string;
  image: string;
  command: string[];
  args: string[];
  /** Pod annotations (the Wasm handler's, passed through by containerd to the OCI spec). */
  annotations: Record<string, string>;
  memoryLimitBytes?: number;
  /** Never for images loaded onto the nodes beforehand; IfNotPresent to let a registry serve them. */
  imagePullPolicy: 'Never' | 'IfNotPresent' | 'Always';
}

/** A bare pod: no service account token, no service links, no DNS, no restarts. */
export function podManifest(p: PodSpecInput): V1Pod {
  const limits = p.memoryLimitBytes ? { memory: String(p.memoryLimitBytes) } : undefined;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: p.name,
      namespace: p.namespace,
      labels: { [MANAGED_BY]: 'runbench', [RUN_LABEL]: p.runId, [SESSION_LABEL]: p.session },
      ...(Object.keys(p.annotations).length > 0 ? { annotations: { ...p.annotations } } : {}),
    },
    spec: {
      // '' : no RuntimeClass, the node's default handler
      ...(p.runtimeClassName ? { runtimeClassName: p.runtimeClassName } : {}),
      nodeSelector: { 'kubernetes.io/arch': p.arch },
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      dnsPolicy: 'Default',
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: CONTAINER,
          image: p.image,
          imagePullPolicy: p.imagePullPolicy,
          command: p.command,
          args: p.args,
          ...(limits ? { resources: { limits, requests: limits } } : {}),
        },
      ],
    },
  };
}

/** Milestones of one pod, as hrtime (ns) at watch event receipt; absent until observed. */
export type { PodTimeline };

export const POD_PHASES = ['scheduled', 'sandboxReady', 'containerStarted', 'completed', 'deleted'] as const;

function condition(pod: V1Pod, type: string): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

/** Updates a timeline with one observed state of its pod; a milestone is only set once. */
export function observe(t: PodTimeline, pod: V1Pod, atNs: bigint): void {
  if (t.scheduledNs === undefined && (condition(pod, 'PodScheduled') || pod.spec?.nodeName)) t.scheduledNs = atNs;
  const hasReadyToStart = (pod.status?.conditions ?? []).some((c) => c.type === 'PodReadyToStartContainers');
  if (t.sandboxReadyNs === undefined && (hasReadyToStart ? condition(pod, 'PodReadyToStartContainers') : condition(pod, 'Initialized'))) {
    t.sandboxReadyNs = atNs;
  }
  const statuses = pod.status?.containerStatuses ?? [];
  const containers = pod.spec?.containers.length ?? 1;
  if (
    t.startedNs === undefined &&
    statuses.length >= containers &&
    statuses.every((s) => s.state?.running !== undefined || (s.state?.terminated !== undefined && s.state.terminated.startedAt !== undefined))
  ) {
    t.startedNs = atNs;
  }
  const phase = pod.status?.phase;
  if (t.completedNs === undefined && (phase === 'Succeeded' || phase === 'Failed')) {
    t.completedNs = atNs;
    // a milestone not seen on its own arrived in the same status update
    t.scheduledNs ??= atNs;
    t.sandboxReadyNs ??= atNs;
    t.startedNs ??= atNs;
  }
}

/**
 * Durations between consecutive milestones, named by POD_PHASES (missing ones as NaN). Two
 * milestones first seen in the same watch event (the kubelet reports sandbox and container
 * start in one status update) have no duration between them that the watch measured: that
 * phase is NaN too, not 0 (a 0 printed as "0.0 µs" and ranked by a ratio of NaN).
 */
export function phaseDurations(t: PodTimeline): Record<string, number> {
  const marks = [t.createdNs, t.scheduledNs, t.sandboxReadyNs, t.startedNs, t.completedNs, t.deletedNs];
  const out: Record<string, number> = {};
  POD_PHASES.forEach((name, i) => {
    const a = marks[i];
    const b = marks[i + 1];
    out[name] = a !== undefined && b !== undefined && b !== a ? Number(b - a) : Number.NaN;
  });
  return out;
}

/** Pod startup latency (SIG Scalability): creation until all containers started. */
export function startupLatencyNs(t: PodTimeline): number | null {
  return t.startedNs === undefined ? null : Number(t.startedNs - t.createdNs);
}

export interface Termination {
  exitCode: number;
  signal: number;
  reason: string;
  /** The runtime's or the kubelet's message (StartError carries the runtime's error). */
  message: string;
  oomKilled: boolean;
}

export function termination(pod: V1Pod): Termination | null {
  const s = (pod.status?.containerStatuses ?? []).find((c) => c.name === CONTAINER);
  const term = s?.state?.terminated;
  if (!term) return null;
  const reason = term.reason ?? '';
  const oomKilled = reason === 'OOMKilled';
  // the kubelet reports a SIGKILLed container as exit code 137 and no signal
  const signal = term.signal ?? (oomKilled || term.exitCode === 137 ? 9 : 0);
  return { exitCode: term.exitCode, signal, reason, message: term.message ?? '', oomKilled };
}

/** Why a pod cannot make progress (image missing, handler unknown, ...), or null while it may still. */
export function stuckReason(pod: V1Pod): string | null {
  for (const s of pod.status?.containerStatuses ?? []) {
    const w = s.state?.waiting;
    if (
      w?.reason &&
      [
        'ErrImageNeverPull',
        'ErrImagePull',
        'ImagePullBackOff',
        'InvalidImageName',
        'CreateContainerConfigError',
        'CreateContainerError',
        'RunContainerError',
      ].includes(w.reason)
    ) {
      return `${w.reason}: ${w.message ?? ''}`.trim();
    }
  }
  const unschedulable = (pod.status?.conditions ?? []).find((c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable');
  if (unschedulable) return `Unschedulable: ${unschedulable.message ?? ''}`.trim();
  return null;
}

/** Where a workload is inside the images this layer runs. */
export function entrypoint(kind: WorkloadKind, workload: string): string {
  return kind === 'native' ? `/bin/${workload}` : `/${workload}.wasm`;
}
