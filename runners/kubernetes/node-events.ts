/**
 * The node's side of a pod's life: containerd's own event stream on the node (namespace
 * k8s.io, where the CRI keeps its containers), read while the kubernetes layer's pods run.
 * Only possible when the node is this machine and its containerd socket can be opened.
 *
 * Each event carries containerd's timestamp (the shim's for task events, and the exit time
 * the shim recorded for /tasks/exit), a wall-clock time. The pod watch stamps its events
 * with process.hrtime (a monotonic clock), so every event time is moved onto that clock by
 * an offset measured against containerd itself (see measureOffset), and the offset's
 * uncertainty travels with the figures.
 *
 * A container id is mapped to its pod and kind through the labels the CRI gives it
 * (io.kubernetes.pod.uid, io.cri-containerd.kind sandbox|container), read once per
 * container when its /containers/create event arrives.
 */
import { ContainerdClient, type EventEnvelope } from '../containerd/api.ts';
import { errorMessage } from '../../core/errors.ts';

export const CRI_NAMESPACE = 'k8s.io';
export const NODE_TOPICS = ['/containers/create', '/tasks/create', '/tasks/start', '/tasks/exit'] as const;
export type NodeTopic = (typeof NODE_TOPICS)[number];
const CLOCK_TOPIC = '/runbench/clock';

/** One event of one container, its time on the watch's clock (hrtime ns). */
export interface NodeEvent {
  topic: NodeTopic;
  containerId: string;
  atNs: bigint;
}

/** What the CRI's labels say a container is. */
export interface ContainerIdentity {
  podUid: string;
  podName: string;
  kind: 'sandbox' | 'container';
  containerName: string;
}

/** wall clock (ns since the epoch) minus hrtime (ns), and how far it may be off. */
export interface ClockOffset {
  offsetNs: bigint;
  uncertaintyNs: number;
}

// ----- a minimal protobuf reader: the few fields of containerd's event messages we need -----

function varint(buf: Buffer, pos: number): [bigint, number] {
  let out = 0n;
  let shift = 0n;
  for (;;) {
    const b = buf[pos];
    if (b === undefined) throw new Error('truncated varint');
    pos += 1;
    out |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [out, pos];
    shift += 7n;
  }
}

/** Top-level fields of a message: number -> the last value (varint as bigint, length-delimited as Buffer). */
export function protoFields(buf: Buffer): Map<number, bigint | Buffer> {
  const out = new Map<number, bigint | Buffer>();
  let pos = 0;
  while (pos < buf.length) {
    const [key, p1] = varint(buf, pos);
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const [v, p2] = varint(buf, p1);
      out.set(field, v);
      pos = p2;
    } else if (wire === 2) {
      const [len, p2] = varint(buf, p1);
      out.set(field, buf.subarray(p2, p2 + Number(len)));
      pos = p2 + Number(len);
    } else if (wire === 1) pos = p1 + 8;
    else if (wire === 5) pos = p1 + 4;
    else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
  return out;
}

/** A google.protobuf.Timestamp as ns since the epoch. */
function timestampNs(buf: Buffer): bigint {
  const f = protoFields(buf);
  const s = f.get(1);
  const n = f.get(2);
  return (typeof s === 'bigint' ? s : 0n) * 1_000_000_000n + (typeof n === 'bigint' ? n : 0n);
}

/**
 * The container id and wall-clock time (ns) of one envelope of NODE_TOPICS, or null for other
 * topics. Every message's field 1 is the container id; a task exit's time is its exited_at.
 */
export function decodeEnvelope(e: EventEnvelope): { topic: NodeTopic; containerId: string; wallNs: bigint } | null {
  const topic = NODE_TOPICS.find((t) => t === e.topic);
  if (!topic || !e.event || !e.timestamp) return null;
  const f = protoFields(e.event.value);
  const id = f.get(1);
  if (!(id instanceof Buffer)) return null;
  let wallNs = BigInt(e.timestamp.seconds) * 1_000_000_000n + BigInt(e.timestamp.nanos);
  const exitedAt = topic === '/tasks/exit' ? f.get(5) : undefined;
  if (exitedAt instanceof Buffer) wallNs = timestampNs(exitedAt);
  return { topic, containerId: id.toString('utf8'), wallNs };
}

/** The CRI's labels on a containerd container, or null when they do not name a pod. */
export function identityOf(labels: Record<string, string>): ContainerIdentity | null {
  const podUid = labels['io.kubernetes.pod.uid'];
  const kind = labels['io.cri-containerd.kind'];
  if (!podUid || (kind !== 'sandbox' && kind !== 'container')) return null;
  return { podUid, podName: labels['io.kubernetes.pod.name'] ?? '', kind, containerName: labels['io.kubernetes.container.name'] ?? '' };
}

/** Sockets where a node's containerd may listen on this machine: scripts/cluster.sh's, then the default. */
export const NODE_CONTAINERD_SOCKETS = ['/run/runbench-cluster/containerd/containerd.sock', '/run/containerd/containerd.sock'];

/** The node containerd's events of the pods runbench watches, kept by container id. */
export class NodeEvents {
  private readonly client: ContainerdClient;
  private readonly events = new Map<string, NodeEvent[]>();
  private readonly identities = new Map<string, Promise<ContainerIdentity | null>>();
  private subscription: { cancel(): void } | null = null;
  private waiter: ((e: EventEnvelope) => void) | null = null;
  lastError: string | null = null;
  clock: ClockOffset | null = null;

  constructor(readonly socket: string) {
    this.client = new ContainerdClient(socket, CRI_NAMESPACE, 15_000);
  }

  /** Subscribes and measures the clock offset; throws when containerd cannot be reached. */
  async start(): Promise<void> {
    await this.client.ready(3_000);
    const filters = [`namespace==${CRI_NAMESPACE},topic~="^/(containers/create|tasks/(create|start|exit))$"`, `topic=="${CLOCK_TOPIC}"`];
    this.subscription = this.client.subscribe(
      filters,
      (e) => this.onEnvelope(e),
      (err) => {
        if (err) this.lastError = errorMessage(err);
      },
    );
    this.clock = await this.measureOffset();
  }

  private onEnvelope(e: EventEnvelope): void {
    if (e.topic === CLOCK_TOPIC) {
      this.waiter?.(e);
      return;
    }
    const d = decodeEnvelope(e);
    if (!d || !this.clock) return;
    const list = this.events.get(d.containerId) ?? [];
    list.push({ topic: d.topic, containerId: d.containerId, atNs: d.wallNs - this.clock.offsetNs });
    this.events.set(d.containerId, list);
    if (d.topic === '/containers/create' && !this.identities.has(d.containerId)) {
      this.identities.set(d.containerId, this.identify(d.containerId));
    }
  }

  /** The CRI's labels of a container just created; asked twice (a loaded host may miss one deadline). */
  private async identify(id: string): Promise<ContainerIdentity | null> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        return identityOf((await this.client.getContainer(id)).labels);
      } catch (e) {
        this.lastError = `labels of container ${id.slice(0, 12)}: ${errorMessage(e)}`;
      }
    }
    return null;
  }

  /**
   * NTP's way: publish a probe event, which containerd stamps with its wall clock on receipt,
   * between two hrtime readings; the offset is the stamp minus their midpoint, within half the
   * round trip. Of ten probes that come back, the one with the shortest round trip is kept
   * (the first ones may be lost: the subscription is live only some time after it is asked for).
   */
  private async measureOffset(): Promise<ClockOffset> {
    let best: ClockOffset | null = null;
    let echoed = 0;
    for (let i = 0; i < 40 && echoed < 10; i++) {
      const seen = new Promise<EventEnvelope | null>((resolve) => {
        const timer = setTimeout(() => resolve(null), 250);
        this.waiter = (e) => {
          clearTimeout(timer);
          resolve(e);
        };
      });
      const before = process.hrtime.bigint();
      await this.client.publish(CLOCK_TOPIC, { type_url: 'google.protobuf.Empty', value: Buffer.alloc(0) });
      const after = process.hrtime.bigint();
      const ts = (await seen)?.timestamp;
      this.waiter = null;
      if (!ts) continue;
      echoed += 1;
      const wall = BigInt(ts.seconds) * 1_000_000_000n + BigInt(ts.nanos);
      const o = { offsetNs: wall - (before + after) / 2n, uncertaintyNs: Number(after - before) / 2 };
      if (!best || o.uncertaintyNs < best.uncertaintyNs) best = o;
    }
    if (!best) throw new Error(`containerd at ${this.socket} echoed none of 40 clock probe events${this.lastError ? ` (${this.lastError})` : ''}`);
    return best;
  }

  /** Every event so far of the containers the CRI labels as the pod's, with their identities. */
  async ofPod(podUid: string): Promise<{ identity: ContainerIdentity; events: NodeEvent[] }[]> {
    const out: { identity: ContainerIdentity; events: NodeEvent[] }[] = [];
    for (const [id, pending] of this.identities) {
      const identity = await pending;
      if (identity?.podUid === podUid) out.push({ identity, events: [...(this.events.get(id) ?? [])] });
    }
    return out;
  }

  /** Drops what is kept of a pod's containers once its timeline has been read. */
  async forgetPod(podUid: string): Promise<void> {
    for (const [id, pending] of [...this.identities]) {
      if ((await pending)?.podUid === podUid) {
        this.identities.delete(id);
        this.events.delete(id);
      }
    }
  }

  close(): void {
    this.subscription?.cancel();
    this.subscription = null;
    this.client.close();
  }
}
