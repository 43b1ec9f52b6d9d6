/**
 * A session's pods in the cluster: each created from the session's manifest and followed
 * by the session's watch, waited for (ending early when the cluster records a sandbox or
 * a container that cannot be made), deleted, and whatever is left removed on close.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { RuntimeFailure } from '../../core/errors.ts';
import type { RunRequest } from '../../core/runner.ts';
import { apiMessage, isNotFound, type KubeClient } from './client.ts';
import { CONTAINER, type PodTimeline } from './pods.ts';
import type { PodWatcher } from './watch.ts';

/** Warnings after which a pod will not start however long the kubelet retries. */
const FATAL_EVENTS = ['FailedCreatePodSandBox', 'FailedCreatePodContainer', 'Failed'] as const;

export interface PodsOwner {
  /** The runtime's name, for errors. */
  runtime: string;
  /** Prefixes the pods' names and labels them as this session's. */
  sessionId: string;
  manifest(name: string, req: RunRequest): V1Pod;
}

export class SessionPods {
  private readonly live = new Set<string>();
  private counter = 0;
  private closed = false;

  constructor(
    private readonly client: KubeClient,
    private readonly watcher: PodWatcher,
    readonly namespace: string,
    private readonly owner: PodsOwner,
  ) {}

  private watch(): PodWatcher {
    if (this.closed) throw new RuntimeFailure(this.owner.runtime, 'kubernetes session is not open');
    return this.watcher;
  }

  private nextName(workload: string): string {
    this.counter += 1;
    return `${this.owner.sessionId}-${workload}-${this.counter}`.slice(0, 63).replace(/-+$/, '');
  }

  /** Creates a pod, returning its name and timeline (creation stamped just before the request). */
  async create(req: RunRequest, edit?: (pod: V1Pod) => void): Promise<{ name: string; timeline: PodTimeline }> {
    const w = this.watch();
    const name = this.nextName(req.workload.name);
    const body = this.owner.manifest(name, req);
    edit?.(body);
    const timeline = w.track(name);
    this.live.add(name);
    try {
      await this.client.core.createNamespacedPod({ namespace: this.namespace, body });
    } catch (e) {
      this.live.delete(name);
      w.forget(name);
      throw new RuntimeFailure(this.owner.runtime, `creating pod ${name}: ${apiMessage(e)}`);
    }
    return { name, timeline };
  }

  /** Requests deletion; with `wait`, resolves when the watch shows the pod gone (the kubelet confirmed). */
  async delete(name: string, wait: boolean, timeoutMs = 60_000): Promise<bigint | null> {
    const w = this.watch();
    const requested = process.hrtime.bigint();
    try {
      await this.client.core.deleteNamespacedPod({ name, namespace: this.namespace, gracePeriodSeconds: 1 });
    } catch (e) {
      if (!isNotFound(e)) throw new RuntimeFailure(this.owner.runtime, `deleting pod ${name}: ${apiMessage(e)}`);
    }
    if (!wait) return requested;
    try {
      await w.waitFor(name, 'deleted', (t) => t.deletedNs !== undefined, timeoutMs, undefined);
    } finally {
      this.live.delete(name);
      w.forget(name);
    }
    return requested;
  }

  /** The pod as the watch last saw it. */
  latest(name: string): V1Pod | null {
    return this.watcher.latest(name);
  }

  /** Stops following a pod that is gone or given up on. */
  forget(name: string): void {
    this.live.delete(name);
    this.watcher.forget(name);
  }

  async logs(name: string): Promise<string> {
    try {
      return await this.client.core.readNamespacedPodLog({ name, namespace: this.namespace, container: CONTAINER });
    } catch (e) {
      return `(no logs: ${apiMessage(e)})`;
    }
  }

  /**
   * Waits for a pod milestone; a pod still waiting after a few seconds has its events
   * checked every second, and a sandbox or container that cannot be created (an unknown
   * handler, a runtime that cannot run the pause sandbox) ends the wait with that reason
   * instead of the kubelet's endless retries.
   */
  async waitFor(name: string, what: string, done: (t: PodTimeline) => boolean, timeoutMs: number): Promise<PodTimeline> {
    const w = this.watch();
    const failed = new AbortController();
    let polling = true;
    const poll = async () => {
      await new Promise((r) => setTimeout(r, 3000));
      while (polling) {
        const warning = await this.events(name, FATAL_EVENTS);
        if (warning && polling) {
          failed.abort(new Error(`pod ${name}: ${warning}`));
          return;
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    };
    void poll().catch(() => undefined);
    try {
      return await w.waitFor(name, what, (t) => done(t), timeoutMs, failed.signal);
    } finally {
      polling = false;
    }
  }

  /** The warnings the cluster recorded for a pod (FailedCreatePodSandBox names the handler). */
  async events(name: string, reasons?: readonly string[]): Promise<string> {
    try {
      const list = await this.client.core.listNamespacedEvent({ namespace: this.namespace, fieldSelector: `involvedObject.name=${name}` });
      return list.items
        .filter((e) => e.type === 'Warning' && (!reasons || reasons.includes(e.reason ?? '')))
        .map((e) => `${e.reason ?? ''}: ${(e.message ?? '').split('\n')[0]}`)
        .slice(-2)
        .join('; ');
    } catch {
      return '';
    }
  }

  /** Waits (untimed) until the watch has seen the given pods deleted. */
  async awaitGone(names: string[], timeoutMs: number): Promise<void> {
    const w = this.watch();
    await Promise.all(
      names.map(async (n) => {
        try {
          await w.waitFor(n, 'deleted', (t) => t.deletedNs !== undefined, timeoutMs);
        } catch {
          /* reported by close() if it is still there */
        } finally {
          this.live.delete(n);
          w.forget(n);
        }
      }),
    );
  }

  /** Deletes the pods still live and waits for them to go, then stops the watch. */
  async close(): Promise<void> {
    const names = [...this.live];
    if (names.length > 0) {
      await Promise.all(names.map((n) => this.delete(n, false).catch(() => undefined)));
      await this.awaitGone(names, 30_000).catch(() => undefined);
    }
    this.closed = true;
    this.watcher.close();
  }
}
