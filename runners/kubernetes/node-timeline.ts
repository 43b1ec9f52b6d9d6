/**
 * One pod's life joined from both ends: the pod watch (the client's hrtime at each event's
 * receipt) and the node containerd's events (containerd's or the shim's own timestamps,
 * moved onto the watch's clock; node-events.ts). Pure functions, so the join is tested on
 * recorded events.
 *
 *   created ─ scheduled ─ sandbox container created ─ sandbox task created ─ sandbox task
 *   started ─ container created ─ task created ─ task started ─ process exited ─ completed
 *   (observed through the watch) ─ deleted
 *
 * Two observers meet at the ends of sandboxCreated and exitObserved: the kubelet may see a
 * binding before this client's watch does, so sandboxCreated can be slightly negative; and
 * the shim stamps /tasks/start after the runtime's start returns, by which time a short
 * workload may have exited, so `exited` can be too. Both are kept as measured.
 *
 * Each phase is named by the mark it ends at, and says what it holds. A phase is honest
 * about its contents: "container created → task created" is the CRI's StartContainer work,
 * the shim's and the OCI runtime's `create` together; nothing on the node separates them.
 */
import type { PodTimeline } from '../../core/runner.ts';
import type { ContainerIdentity, NodeEvent } from './node-events.ts';

/** Marks the node's events give, hrtime ns on the watch's clock. */
export interface NodeMarks {
  sandboxCreatedNs: bigint;
  sandboxTaskCreatedNs: bigint;
  sandboxTaskStartedNs: bigint;
  containerCreatedNs: bigint;
  taskCreatedNs: bigint;
  taskStartedNs: bigint;
  exitedNs: bigint;
}

/** Where the timestamps at each end of a phase come from. */
export const SOURCE_WATCH = 'watch (client hrtime at event receipt)';
export const SOURCE_NODE = 'containerd events (containerd/shim wall clock, moved onto the watch clock)';
export const SOURCE_NODE_TO_WATCH = 'containerd event to watch';
export const SOURCE_WATCH_TO_NODE = 'watch to containerd event';

/** Groups phases add up to: the layers a pod's startup and completion pass through. */
export const STAGES = {
  apiScheduler: 'API server + scheduler',
  kubeletCri: 'kubelet + CRI (sandbox setup incl. CNI, CreateContainer)',
  runtime: 'CRI + shim + OCI runtime (create and start, sandbox and container)',
  workload: 'workload (task started to process exited)',
  exitObserved: 'kubelet notices the exit (PLEG) + API server + watch',
} as const;
export type Stage = keyof typeof STAGES;

export interface PhaseDef {
  name: string;
  /** What lies between its two marks. */
  holds: string;
  stage: Stage | null;
  source: string;
}

/** The kubernetes layer's phases when the node's events are read, in order. */
export const NODE_PHASES: readonly PhaseDef[] = [
  { name: 'scheduled', holds: 'API server admission and storage, scheduler, binding', stage: 'apiScheduler', source: SOURCE_WATCH },
  { name: 'sandboxCreated', holds: "kubelet's pod worker, CRI RunPodSandbox up to the sandbox's container record (netns, CNI)", stage: 'kubeletCri', source: SOURCE_WATCH_TO_NODE },
  { name: 'sandboxTaskCreated', holds: "CRI, shim start and the OCI runtime's create of the pause container", stage: 'runtime', source: SOURCE_NODE },
  { name: 'sandboxTaskStarted', holds: "the OCI runtime's start of the pause container, via the shim", stage: 'runtime', source: SOURCE_NODE },
  { name: 'containerCreated', holds: 'kubelet (RunPodSandbox returns, image check, CreateContainer) and the CRI', stage: 'kubeletCri', source: SOURCE_NODE },
  { name: 'taskCreated', holds: "kubelet's StartContainer, the CRI, the shim and the OCI runtime's create", stage: 'runtime', source: SOURCE_NODE },
  { name: 'taskStarted', holds: "the OCI runtime's start, via the shim and the CRI", stage: 'runtime', source: SOURCE_NODE },
  { name: 'exited', holds: 'the workload runs (its exit time as the shim recorded it)', stage: 'workload', source: SOURCE_NODE },
  { name: 'exitObserved', holds: "kubelet's PLEG notices the exit, status update through the API server, watch", stage: 'exitObserved', source: SOURCE_NODE_TO_WATCH },
  { name: 'deleted', holds: 'deletion until the watch shows the pod gone', stage: null, source: SOURCE_WATCH },
];

/** Figures derived per sample from the joined timeline. */
export const DERIVED = [
  { name: 'podStartup', unit: 'ns', source: `${SOURCE_WATCH}; the kubelet reports container start in its status (startedAt has 1 s resolution and is not used)`, description: 'pod startup as the SLI defines it: created until the watch shows every container started' },
  { name: 'nodeStartup', unit: 'ns', source: `watch (created) to containerd event (task started)`, description: "created until the workload's task started on the node" },
  { name: 'stageApiScheduler', unit: 'ns', source: SOURCE_WATCH, description: STAGES.apiScheduler },
  { name: 'stageKubeletCri', unit: 'ns', source: `${SOURCE_WATCH_TO_NODE}, ${SOURCE_NODE}`, description: STAGES.kubeletCri },
  { name: 'stageRuntime', unit: 'ns', source: SOURCE_NODE, description: STAGES.runtime },
  { name: 'stageExitObserved', unit: 'ns', source: SOURCE_NODE_TO_WATCH, description: STAGES.exitObserved },
  { name: 'runtimeShare', unit: 'ratio', source: 'stageRuntime / podStartup', description: "the runtime stage's share of pod startup (SLI)", better: 'lower' },
  { name: 'runtimeShareNode', unit: 'ratio', source: 'stageRuntime / nodeStartup', description: "the runtime stage's share of created → task started", better: 'lower' },
] as const;

function first(events: readonly NodeEvent[], topic: NodeEvent['topic']): bigint | undefined {
  let out: bigint | undefined;
  for (const e of events) if (e.topic === topic && (out === undefined || e.atNs < out)) out = e.atNs;
  return out;
}

/**
 * The node marks of a pod from its containers' events: its first sandbox, and the container
 * named `container`. Null, with why, when an event is missing (a sandbox retried, an event lost).
 */
export function nodeMarks(containers: readonly { identity: ContainerIdentity; events: readonly NodeEvent[] }[], container: string): NodeMarks | { missing: string } {
  const sandboxes = containers.filter((c) => c.identity.kind === 'sandbox');
  const sandbox = sandboxes.map((c) => ({ c, at: first(c.events, '/containers/create') })).sort((a, b) => (a.at ?? 0n) < (b.at ?? 0n) ? -1 : 1)[0]?.c;
  const work = containers.find((c) => c.identity.kind === 'container' && c.identity.containerName === container);
  if (!sandbox) return { missing: 'no sandbox container seen' };
  if (!work) return { missing: `no container ${container} seen` };
  const marks = {
    sandboxCreatedNs: first(sandbox.events, '/containers/create'),
    sandboxTaskCreatedNs: first(sandbox.events, '/tasks/create'),
    sandboxTaskStartedNs: first(sandbox.events, '/tasks/start'),
    containerCreatedNs: first(work.events, '/containers/create'),
    taskCreatedNs: first(work.events, '/tasks/create'),
    taskStartedNs: first(work.events, '/tasks/start'),
    exitedNs: first(work.events, '/tasks/exit'),
  };
  const absent = Object.entries(marks).filter(([, v]) => v === undefined).map(([k]) => k.replace(/Ns$/, ''));
  if (absent.length > 0) return { missing: `no event for ${absent.join(', ')}` };
  return marks as NodeMarks;
}

/** Durations of NODE_PHASES, in ns (NaN where a mark is missing), and the derived figures. */
export function joinedPhases(t: PodTimeline, m: NodeMarks): { phasesNs: Record<string, number>; derived: Record<string, number> } {
  const marks: (bigint | undefined)[] = [
    t.createdNs,
    t.scheduledNs,
    m.sandboxCreatedNs,
    m.sandboxTaskCreatedNs,
    m.sandboxTaskStartedNs,
    m.containerCreatedNs,
    m.taskCreatedNs,
    m.taskStartedNs,
    m.exitedNs,
    t.completedNs,
    t.deletedNs,
  ];
  const phasesNs: Record<string, number> = {};
  NODE_PHASES.forEach((p, i) => {
    const a = marks[i];
    const b = marks[i + 1];
    phasesNs[p.name] = a !== undefined && b !== undefined ? Number(b - a) : Number.NaN;
  });
  const stage = (s: Stage) => NODE_PHASES.filter((p) => p.stage === s).reduce((sum, p) => sum + (phasesNs[p.name] ?? Number.NaN), 0);
  const podStartup = t.startedNs === undefined ? Number.NaN : Number(t.startedNs - t.createdNs);
  const nodeStartup = Number(m.taskStartedNs - t.createdNs);
  const runtime = stage('runtime');
  const derived: Record<string, number> = {
    podStartup,
    nodeStartup,
    stageApiScheduler: stage('apiScheduler'),
    stageKubeletCri: stage('kubeletCri'),
    stageRuntime: runtime,
    stageExitObserved: stage('exitObserved'),
    runtimeShare: runtime / podStartup,
    runtimeShareNode: runtime / nodeStartup,
  };
  return { phasesNs, derived };
}
