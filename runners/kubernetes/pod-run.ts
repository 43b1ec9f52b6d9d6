/**
 * One pod through its life, timed by the session's watch: created, watched to completion,
 * its logs and memory figures read (on this machine), then deleted; the deletion is part
 * of the figure when it is waited for. A failure carries the warnings the cluster recorded.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { cgroupPeakBytes } from '../../core/cgroups.ts';
import { RuntimeFailure, errorMessage } from '../../core/errors.ts';
import type { RunRequest, TimedSample } from '../../core/runner.ts';
import type { NodeFacts } from './cluster.ts';
import { podShimPid, shimMemory } from './memory.ts';
import type { NodeEvents } from './node-events.ts';
import { joinedPhases, NODE_PHASES, nodeMarks, DERIVED, type NodeMarks } from './node-timeline.ts';
import { CONTAINER, phaseDurations, termination, type PodTimeline } from './pods.ts';
import type { SessionPods } from './session-pods.ts';

export interface RunPodOptions {
  logs: boolean;
  waitDeleted: boolean;
  edit?: (pod: V1Pod) => void;
  inspect?: (pod: V1Pod, node: NodeFacts | null) => Promise<void>;
  /** The node containerd's events, when the pods' node is this machine and its socket answered. */
  nodeEvents?: NodeEvents | null;
}

/**
 * The sample's phases: joined with the node's events when they are read (NODE_PHASES, a
 * phase whose event is missing as NaN), else the watch's own (POD_PHASES).
 */
async function nodeMarksOf(o: RunPodOptions, pod: V1Pod | null): Promise<NodeMarks | { missing: string } | null> {
  const uid = pod?.metadata?.uid;
  if (!o.nodeEvents) return null;
  if (!uid) return { missing: 'the pod has no uid' };
  try {
    return nodeMarks(await o.nodeEvents.ofPod(uid), CONTAINER);
  } finally {
    await o.nodeEvents.forgetPod(uid);
  }
}

function phasesOf(marks: NodeMarks | { missing: string } | null, timeline: PodTimeline): { phasesNs: Record<string, number>; derived?: Record<string, number> } {
  if (marks === null) return { phasesNs: phaseDurations(timeline) };
  if ('missing' in marks) {
    return {
      phasesNs: Object.fromEntries(NODE_PHASES.map((p) => [p.name, Number.NaN])),
      derived: Object.fromEntries(DERIVED.map((d) => [d.name, Number.NaN])),
    };
  }
  return joinedPhases(timeline, marks);
}

/** Where a pod runs: its node, and its cgroup directory when the node is this machine. */
export interface PodPlace {
  node: NodeFacts | null;
  cgroup: string | null;
}

export async function runPod(
  pods: SessionPods,
  place: (pod: V1Pod | null) => PodPlace,
  runtime: string,
  req: RunRequest,
  o: RunPodOptions,
): Promise<TimedSample & { timeline: PodTimeline }> {
  const { name, timeline } = await pods.create(req, o.edit);
  let pod: V1Pod | null = null;
  // The kubelet stops the sandbox (and its shim) of a finished pod at once: the shim is
  // found once the sandbox is up and its VmHWM read at every event while it lives.
  let shimPid: number | null = null;
  let shimPeak: number | null = null;
  let local: PodPlace | null = null;
  const trackShim = (t: PodTimeline) => {
    if (t.sandboxReadyNs === undefined) return;
    if (shimPid === null) {
      if (local?.node && !local.node.local) return;
      local = place(pods.latest(name));
      if (local.cgroup) shimPid = podShimPid(local.cgroup);
    }
    if (shimPid !== null) {
      const peak = shimMemory(shimPid).peakRssBytes;
      if (peak !== null) shimPeak = Math.max(shimPeak ?? 0, peak);
    }
  };
  try {
    await pods.waitFor(
      name,
      'completed',
      (t) => {
        trackShim(t);
        return t.completedNs !== undefined;
      },
      req.timeoutMs,
    );
    pod = pods.latest(name);
    const where = place(pod);
    const cgroupPeak = where.cgroup ? cgroupPeakBytes(where.cgroup) : null;
    const stdout = o.logs ? await pods.logs(name) : '';
    const term = pod ? termination(pod) : null;
    if (o.inspect && pod) await o.inspect(pod, where.node);
    // the exit event is in by now (the kubelet reported the pod finished after it); read
    // before the deletion, while the pod's containers and their labels still exist
    const marks = await nodeMarksOf(o, pod);
    if (o.waitDeleted) await pods.delete(name, true);
    else void pods.delete(name, false).catch(() => undefined);
    const phases = phasesOf(marks, timeline);
    const layerMemoryBytes: Record<string, number> = {};
    if (shimPeak !== null) layerMemoryBytes.shimPeakRssBytes = shimPeak;
    const completed = timeline.completedNs ?? timeline.createdNs;
    const end = o.waitDeleted && timeline.deletedNs !== undefined ? timeline.deletedNs : completed;
    return {
      totalNs: Number(end - timeline.createdNs),
      ...phases,
      exitCode: term?.exitCode ?? -1,
      signal: term?.signal ?? 0,
      stdout,
      stderr: term && term.exitCode !== 0 ? `${term.reason}${term.message ? `: ${term.message}` : ''} ${stdout}`.trim() : '',
      runtimePeakRssBytes: null,
      initPeakRssBytes: null,
      cgroupPeakBytes: cgroupPeak,
      oomKilled: term ? term.oomKilled : null,
      layerMemoryBytes,
      timeline,
    };
  } catch (e) {
    const why = errorMessage(e);
    const events = await pods.events(name);
    // a failed or hung pod is gone before the next sample starts (untimed); the namespace's removal covers a stuck one
    await pods.delete(name, true, 30_000).catch(() => pods.forget(name));
    throw new RuntimeFailure(runtime, `${why}${events ? ` (${events})` : ''}`);
  }
}
