/**
 * What one run sets up in a cluster, once for all its sessions: the namespace
 * `runbench-<runId>`, one RuntimeClass per handler (an existing one with that handler is
 * reused and left alone), and the node facts. Both are owned by the run's Scope: the
 * namespace (with every pod in it) is deleted on success, failure and Ctrl-C alike, the
 * RuntimeClasses runbench created too unless asked to keep them.
 */
import { networkInterfaces, hostname } from 'node:os';
import type { V1Node, V1RuntimeClass } from '@kubernetes/client-node';
import type { LedgerEntry } from '../../core/recovery.ts';
import { errorMessage } from '../../core/errors.ts';
import type { Scope } from '../../core/scope.ts';
import { apiMessage, isConflict, isNotFound, type KubeClient } from './client.ts';
import { MANAGED_BY, RUN_LABEL } from './pods.ts';

export interface NodeFacts {
  name: string;
  arch: string;
  os: string;
  kubeletVersion: string;
  /** e.g. containerd://1.6.20 */
  containerRuntimeVersion: string;
  kernelVersion: string;
  internalIP: string | null;
  ready: boolean;
  schedulable: boolean;
  /** The node is this machine: its cgroups and shim processes can be read directly. */
  local: boolean;
}

function localAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (!a.internal) out.add(a.address);
  return out;
}

export function nodeFacts(n: V1Node, local: Set<string> = localAddresses(), host: string = hostname()): NodeFacts {
  const info = n.status?.nodeInfo;
  const addrs = n.status?.addresses ?? [];
  const internalIP = addrs.find((a) => a.type === 'InternalIP')?.address ?? null;
  const name = n.metadata?.name ?? '';
  const ready = (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  return {
    name,
    arch: n.metadata?.labels?.['kubernetes.io/arch'] ?? info?.architecture ?? 'unknown',
    os: n.metadata?.labels?.['kubernetes.io/os'] ?? info?.operatingSystem ?? 'unknown',
    kubeletVersion: info?.kubeletVersion ?? 'unknown',
    containerRuntimeVersion: info?.containerRuntimeVersion ?? 'unknown',
    kernelVersion: info?.kernelVersion ?? 'unknown',
    internalIP,
    ready,
    schedulable: !n.spec?.unschedulable,
    local: (internalIP !== null && local.has(internalIP)) || name === host.toLowerCase(),
  };
}

export async function listNodes(client: KubeClient): Promise<NodeFacts[]> {
  const list = await client.core.listNode();
  return list.items.map((n) => nodeFacts(n));
}

/** The architectures of the Ready, schedulable nodes. */
export function nodeArchs(nodes: NodeFacts[]): string[] {
  return [...new Set(nodes.filter((n) => n.ready && n.schedulable).map((n) => n.arch))].sort();
}

/** One run's footprint in a cluster, shared by its sessions. */
export class RunCluster {
  readonly namespace: string;
  private readonly classes = new Map<string, Promise<string>>();
  private nsReady: Promise<void> | null = null;

  constructor(
    readonly client: KubeClient,
    readonly runId: string,
    private readonly scope: Scope,
    private readonly keepRuntimeClasses: boolean,
    readonly nodes: NodeFacts[],
    /** Notes what the run makes in the cluster in its ledger (core/recovery.ts). */
    private readonly ledger: (entry: LedgerEntry) => void = () => undefined,
  ) {
    this.namespace = `runbench-${runId}`;
  }

  /** Creates the namespace (once) and waits for its default service account, which pods need. */
  ensureNamespace(): Promise<void> {
    this.nsReady ??= (async () => {
      const name = this.namespace;
      // if this process dies, `runbench clean` finds the run's namespace and RuntimeClasses by this
      this.ledger({ layer: 'kubernetes', kind: 'cluster', value: { kubeconfig: this.client.kubeconfig.path, runId: this.runId } });
      await this.client.core.createNamespace({ body: { metadata: { name, labels: { [MANAGED_BY]: 'runbench', [RUN_LABEL]: this.runId } } } });
      this.scope.defer(`namespace ${name}`, () => this.deleteNamespace());
      const deadline = Date.now() + 60_000;
      for (;;) {
        try {
          await this.client.core.readNamespacedServiceAccount({ name: 'default', namespace: name });
          return;
        } catch (e) {
          if (!isNotFound(e)) throw e;
          if (Date.now() > deadline) throw new Error(`namespace ${name} got no default service account in 60 s: is kube-controller-manager running?`);
          await sleep(200);
        }
      }
    })();
    return this.nsReady;
  }

  /** Pods first (the kubelet confirms each), then the namespace; waits until it is gone. */
  private async deleteNamespace(): Promise<void> {
    const ns = this.namespace;
    try {
      await this.client.core.deleteCollectionNamespacedPod({ namespace: ns, gracePeriodSeconds: 1 });
    } catch (e) {
      if (!isNotFound(e)) throw new Error(`deleting the pods of ${ns}: ${apiMessage(e)}`);
    }
    const podsGone = await until(30_000, async () => (await this.client.core.listNamespacedPod({ namespace: ns })).items.length === 0);
    if (!podsGone) {
      // a kubelet that does not confirm: remove the API objects regardless
      await this.client.core.deleteCollectionNamespacedPod({ namespace: ns, gracePeriodSeconds: 0 }).catch(() => undefined);
    }
    try {
      await this.client.core.deleteNamespace({ name: ns });
    } catch (e) {
      if (isNotFound(e)) return;
      throw new Error(`deleting namespace ${ns}: ${apiMessage(e)}`);
    }
    const gone = await until(60_000, async () => {
      try {
        await this.client.core.readNamespace({ name: ns });
        return false;
      } catch (e) {
        if (isNotFound(e)) return true;
        throw e;
      }
    });
    if (!gone) throw new Error(`namespace ${ns} still terminating after 60 s`);
  }

  /**
   * The RuntimeClass for a CRI handler: one named `preferName` (a runtime given as a
   * RuntimeClass), else one that already names the handler, is reused and never deleted;
   * otherwise runbench-<handler> is created and deleted when the run ends.
   */
  runtimeClassFor(handler: string, preferName?: string): Promise<string> {
    const key = `${preferName ?? ''}/${handler}`;
    let p = this.classes.get(key);
    if (!p) {
      p = this.createOrReuse(handler, preferName);
      this.classes.set(key, p);
    }
    return p;
  }

  private async createOrReuse(handler: string, preferName?: string): Promise<string> {
    const items = (await this.client.node.listRuntimeClass()).items;
    const named = preferName ? items.find((rc: V1RuntimeClass) => rc.metadata?.name === preferName) : undefined;
    if (named?.metadata?.name) return named.metadata.name;
    const existing = items.find((rc: V1RuntimeClass) => rc.handler === handler);
    if (existing?.metadata?.name) return existing.metadata.name;
    const name = `runbench-${handler}`;
    try {
      await this.client.node.createRuntimeClass({
        body: {
          apiVersion: 'node.k8s.io/v1',
          kind: 'RuntimeClass',
          metadata: { name, labels: { [MANAGED_BY]: 'runbench', [RUN_LABEL]: this.runId } },
          handler,
        },
      });
    } catch (e) {
      if (isConflict(e)) {
        const rc = await this.client.node.readRuntimeClass({ name });
        if (rc.handler === handler) return name;
        throw new Error(`RuntimeClass ${name} exists with handler ${rc.handler}, not ${handler}`);
      }
      throw new Error(`creating RuntimeClass ${name}: ${apiMessage(e)}`);
    }
    if (!this.keepRuntimeClasses) {
      this.scope.defer(`RuntimeClass ${name}`, async () => {
        try {
          await this.client.node.deleteRuntimeClass({ name });
        } catch (e) {
          if (!isNotFound(e)) throw new Error(`deleting RuntimeClass ${name}: ${errorMessage(e)}`);
        }
      });
    }
    return name;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function until(timeoutMs: number, test: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await test()) return true;
    await sleep(250);
  }
  return false;
}
