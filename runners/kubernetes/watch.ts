/**
 * One watch over a session's pods: every event is stamped with process.hrtime the moment
 * it is received, folded into that pod's timeline, and wakes whoever waits for a milestone.
 * The watch is re-established (from the last resourceVersion) when the server closes it.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { errorMessage } from '../../core/errors.ts';
import type { KubeClient } from './client.ts';
import { observe, stuckReason, type PodTimeline } from './pods.ts';

interface Tracked {
  timeline: PodTimeline;
  pod: V1Pod | null;
  waiters: Set<() => void>;
}

export class PodWatcher {
  private readonly pods = new Map<string, Tracked>();
  private abort: AbortController | null = null;
  private resourceVersion: string | undefined;
  private closed = false;
  private lastError: string | null = null;

  constructor(
    private readonly client: KubeClient,
    private readonly namespace: string,
    private readonly labelSelector: string,
  ) {}

  /** Lists (for a starting resourceVersion) then watches; resolves once the watch is open. */
  async start(): Promise<void> {
    const list = await this.client.core.listNamespacedPod({ namespace: this.namespace, labelSelector: this.labelSelector });
    this.resourceVersion = list.metadata?.resourceVersion;
    await this.connect();
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const path = `/api/v1/namespaces/${this.namespace}/pods`;
    this.abort = await this.client.watch.watch(
      path,
      { labelSelector: this.labelSelector, resourceVersion: this.resourceVersion, allowWatchBookmarks: true },
      (type: string, obj: V1Pod) => this.onEvent(type, obj, process.hrtime.bigint()),
      (err: unknown) => {
        if (this.closed) return;
        if (err) this.lastError = errorMessage(err);
        // the server ends watches every few minutes; a 410 Gone restarts from now
        const gone = /410|Gone|too old/i.test(this.lastError ?? '');
        if (gone) this.resourceVersion = undefined;
        setTimeout(
          () => {
            this.connect().catch((e: unknown) => {
              this.lastError = errorMessage(e);
              this.wakeAll();
            });
          },
          err ? 200 : 0,
        );
      },
    );
  }

  private onEvent(type: string, obj: V1Pod, atNs: bigint): void {
    const rv = obj?.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
    if (type === 'BOOKMARK' || type === 'ERROR') return;
    const name = obj.metadata?.name;
    if (!name) return;
    const t = this.pods.get(name);
    if (!t) return;
    if (type === 'DELETED') t.timeline.deletedNs ??= atNs;
    else observe(t.timeline, obj, atNs);
    t.pod = obj;
    for (const w of [...t.waiters]) w();
  }

  private wakeAll(): void {
    for (const t of this.pods.values()) for (const w of [...t.waiters]) w();
  }

  /** Starts tracking a pod about to be created; its creation time is taken now. */
  track(name: string): PodTimeline {
    const timeline: PodTimeline = { createdNs: process.hrtime.bigint() };
    this.pods.set(name, { timeline, pod: null, waiters: new Set() });
    return timeline;
  }

  forget(name: string): void {
    this.pods.delete(name);
  }

  latest(name: string): V1Pod | null {
    return this.pods.get(name)?.pod ?? null;
  }

  /**
   * Resolves when `done` holds for the pod; rejects on the deadline, on an abort, or when
   * the pod is stuck (image missing, container cannot be created, unschedulable).
   */
  waitFor(name: string, what: string, done: (t: PodTimeline, pod: V1Pod | null) => boolean, timeoutMs: number, signal?: AbortSignal): Promise<PodTimeline> {
    const t = this.pods.get(name);
    if (!t) return Promise.reject(new Error(`pod ${name} is not tracked`));
    return new Promise<PodTimeline>((resolve, reject) => {
      const finish = (err: Error | null) => {
        clearTimeout(timer);
        t.waiters.delete(check);
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(t.timeline);
      };
      const check = () => {
        if (done(t.timeline, t.pod)) return finish(null);
        const stuck = t.pod ? stuckReason(t.pod) : null;
        if (stuck) return finish(new Error(`pod ${name}: ${stuck}`));
        if (t.timeline.deletedNs !== undefined) return finish(new Error(`pod ${name} was deleted before it was ${what}`));
      };
      const onAbort = () => finish(signal?.reason instanceof Error ? signal.reason : new Error(`interrupted while waiting for pod ${name} to be ${what}`));
      const timer = setTimeout(() => {
        const phase = t.pod?.status?.phase ?? 'not yet seen';
        const watchNote = this.lastError ? `; last watch error: ${this.lastError}` : '';
        finish(new Error(`pod ${name} not ${what} within ${timeoutMs} ms (phase ${phase})${watchNote}`));
      }, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      t.waiters.add(check);
      check();
    });
  }

  close(): void {
    this.closed = true;
    this.abort?.abort();
    this.abort = null;
    this.wakeAll();
  }
}
