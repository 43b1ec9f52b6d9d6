/** The node-side timeline: containerd's recorded events for one pod, decoded and joined with the watch. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../runners/containerd/api.ts';
import type { PodTimeline } from '../../core/runner.ts';
import { decodeEnvelope, identityOf, protoFields, type ContainerIdentity, type NodeEvent } from '../../runners/kubernetes/node-events.ts';
import { joinedPhases, NODE_PHASES, nodeMarks, type NodeMarks } from '../../runners/kubernetes/node-timeline.ts';
import { phaseDurations } from '../../runners/kubernetes/pods.ts';

interface Fixture {
  podUid: string;
  containerName: string;
  envelopes: { topic: string; namespace: string; timestamp: { seconds: number; nanos: number }; event: { type_url: string; value: string } }[];
  labels: Record<string, Record<string, string>>;
}
const fx = JSON.parse(readFileSync(new URL('../fixtures-data/containerd-events-pod.json', import.meta.url), 'utf8')) as Fixture;
const envelopes: EventEnvelope[] = fx.envelopes.map((e) => ({ ...e, event: { type_url: e.event.type_url, value: Buffer.from(e.event.value, 'base64') } }));
const wall = (e: { seconds: number; nanos: number }) => BigInt(e.seconds) * 1_000_000_000n + BigInt(e.nanos);
/** A clock offset as node-events measures it: events land on the watch's clock 1 s after an origin. */
const OFFSET = wall(fx.envelopes[0]!.timestamp) - 1_000_000_000n;

function containers(): { identity: ContainerIdentity; events: NodeEvent[] }[] {
  const byId = new Map<string, NodeEvent[]>();
  for (const e of envelopes) {
    const d = decodeEnvelope(e);
    if (!d) continue;
    byId.set(d.containerId, [...(byId.get(d.containerId) ?? []), { topic: d.topic, containerId: d.containerId, atNs: d.wallNs - OFFSET }]);
  }
  return [...byId].flatMap(([id, events]) => {
    const identity = identityOf(fx.labels[id] ?? {});
    return identity ? [{ identity, events }] : [];
  });
}

describe('decodeEnvelope', () => {
  it("reads every recorded envelope's container id, and a task exit's time from its exited_at", () => {
    const decoded = envelopes.map(decodeEnvelope);
    expect(decoded.every((d) => d !== null && /^[0-9a-f]{64}$/.test(d.containerId))).toBe(true);
    const exit = envelopes.findIndex((e) => e.topic === '/tasks/exit');
    const d = decoded[exit]!;
    const exitedAt = protoFields(envelopes[exit]!.event!.value).get(5);
    expect(exitedAt).toBeInstanceOf(Buffer);
    // exited_at is the shim's reaping time, taken before it published the event
    expect(d.wallNs).toBeLessThanOrEqual(wall(fx.envelopes[exit]!.timestamp));
    expect(wall(fx.envelopes[exit]!.timestamp) - d.wallNs).toBeLessThan(50_000_000n);
  });

  it('ignores topics it does not join', () => {
    expect(decodeEnvelope({ ...envelopes[0]!, topic: '/snapshot/prepare' })).toBeNull();
  });
});

describe('identityOf', () => {
  it("maps the CRI's labels to the pod and the kind, and refuses containers of no pod", () => {
    const ids = Object.values(fx.labels).map(identityOf);
    expect(ids.map((i) => i?.kind).sort()).toEqual(['container', 'sandbox']);
    expect(ids.every((i) => i?.podUid === fx.podUid)).toBe(true);
    expect(identityOf({ 'io.cri-containerd.kind': 'sandbox' })).toBeNull();
  });
});

describe('nodeMarks and joinedPhases', () => {
  const marks = nodeMarks(containers(), fx.containerName) as NodeMarks;

  it('orders the recorded marks: sandbox created, its task created and started, container created, task created, started, exited', () => {
    expect('missing' in marks).toBe(false);
    const seq = [marks.sandboxCreatedNs, marks.sandboxTaskCreatedNs, marks.sandboxTaskStartedNs, marks.containerCreatedNs, marks.taskCreatedNs, marks.taskStartedNs, marks.exitedNs];
    expect([...seq].sort((a, b) => (a < b ? -1 : 1))).toEqual(seq);
    expect(marks.sandboxCreatedNs).toBe(1_000_000_000n);
  });

  it('joins the watch and the node into phases that add up to the pod to completion, and stages that add up to startup', () => {
    // the watch: created 80 ms before the sandbox, scheduled 30 ms later, completed 900 ms after the exit
    const t: PodTimeline = { createdNs: 920_000_000n, scheduledNs: 950_000_000n, startedNs: marks.exitedNs + 900_000_000n, completedNs: marks.exitedNs + 900_000_000n, deletedNs: marks.exitedNs + 950_000_000n };
    const { phasesNs, derived } = joinedPhases(t, marks);
    expect(Object.keys(phasesNs)).toEqual(NODE_PHASES.map((p) => p.name));
    const sum = Object.values(phasesNs).reduce((a, b) => a + b, 0);
    expect(sum).toBe(Number(t.deletedNs! - t.createdNs));
    expect(phasesNs.scheduled).toBe(30_000_000);
    expect(phasesNs.sandboxCreated).toBe(50_000_000);
    expect(phasesNs.exitObserved).toBe(900_000_000);
    expect(derived.stageApiScheduler! + derived.stageKubeletCri! + derived.stageRuntime!).toBe(derived.nodeStartup);
    expect(derived.runtimeShareNode).toBeCloseTo(derived.stageRuntime! / derived.nodeStartup!, 12);
    expect(derived.runtimeShare).toBeGreaterThan(0);
    expect(derived.runtimeShare).toBeLessThan(derived.runtimeShareNode!);
  });

  it('says which event is missing instead of joining a partial timeline', () => {
    const partial = containers().map((c) => (c.identity.kind === 'container' ? { ...c, events: c.events.filter((e) => e.topic !== '/tasks/exit') } : c));
    expect(nodeMarks(partial, fx.containerName)).toEqual({ missing: 'no event for exited' });
    expect(nodeMarks(containers(), 'other')).toEqual({ missing: 'no container other seen' });
  });
});

describe('phaseDurations (watch only)', () => {
  it('gives no figure, not 0, for a phase whose two milestones came in one watch event', () => {
    const p = phaseDurations({ createdNs: 0n, scheduledNs: 10n, sandboxReadyNs: 50n, startedNs: 50n, completedNs: 50n });
    expect(p.sandboxReady).toBe(40);
    expect(p.containerStarted).toBeNaN();
    expect(p.completed).toBeNaN();
  });
});
