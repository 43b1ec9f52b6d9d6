/**
 * The Kubernetes runner: each runtime reached the way a cluster reaches it, through a
 * RuntimeClass naming its CRI handler. Works against any cluster a kubeconfig names
 * (`--kubeconfig`, else $KUBECONFIG, else the local cluster of scripts/cluster.sh).
 *
 * Pods run in the run's own namespace `runbench-<runId>`, pinned to the session's
 * architecture with a `kubernetes.io/arch` node selector. Every milestone of a pod is
 * the client's hrtime at the receipt of the watch event that showed it (see pods.ts), so
 * phases are what a cluster user observes: scheduling, sandbox creation (CNI included),
 * container start, completion, and deletion as confirmed by the kubelet.
 *
 * Images are not pulled: the native and wasm images must be on the nodes already
 * (scripts/cluster.sh imports them); a pod that cannot find its image is a skip with
 * that reason, found by a probe pod when the session opens.
 */
import { existsSync } from 'node:fs';
import type { V1Pod } from '@kubernetes/client-node';
import { RuntimeFailure, errorMessage } from '../../core/errors.ts';
import { recordInLedger } from '../../core/recovery.ts';
import { inImageArgs } from '../../core/in-image.ts';
import type {
  Capabilities,
  ChurnResult,
  RunRequest,
  RunnerContext,
  RunnerSession,
  TimedSample,
  Unsupported,
} from '../../core/runner.ts';
import { kindUnsupported } from '../../core/runtimes.ts';
import type { RuntimeInfo, WorkloadKind } from '../../core/schema.ts';
import { churn } from './churn.ts';
import { apiMessage, type KubeClient, type KubeconfigChoice } from './client.ts';
import { listNodes, RunCluster, type NodeFacts } from './cluster.ts';
import { podDensity } from './density.ts';
import { handlerFor, isWasmShim, wasmCapable, wasmPodAnnotations } from './handler.ts';
import { podCgroupDir } from './memory.ts';
import { DEFAULT_IMAGES, type KubernetesRunnerOptions } from './options.ts';
import { runPod, type PodPlace, type RunPodOptions } from './pod-run.ts';
import { entrypoint, podManifest, POD_PHASES, SESSION_LABEL, type PodTimeline } from './pods.ts';
import { SessionPods } from './session-pods.ts';
import { PodWatcher } from './watch.ts';
import { describeNodeDaemons, nodeDaemons, type NodeDaemons } from './node-daemons.ts';
import { NODE_CONTAINERD_SOCKETS, NodeEvents } from './node-events.ts';
import { KubeletMetrics } from './kubelet-metrics.ts';
import { DERIVED, NODE_PHASES, SOURCE_WATCH } from './node-timeline.ts';

/** One run's cluster state, by run id: shared by the sessions of all runtimes and archs. */
const runs = new Map<string, Promise<RunCluster>>();

export class KubernetesSession implements RunnerSession {
  readonly layer = 'kubernetes' as const;
  private nodeEvents: NodeEvents | null = null;
  /** The kubelet and the CRI's containerd, when a node of this session is this machine. */
  private daemons: NodeDaemons | null = null;
  /** Why the node's events are not read (a remote node, no socket, an error), once the session is open. */
  nodeEventsNote = 'not tried';
  /** The kubelets' histograms around each timed pod, when the node's events are not read. */
  private kubeletMetrics: KubeletMetrics | null = null;
  /** Why the kubelets' metrics are not read either, or how they are. */
  kubeletMetricsNote = 'not tried';
  readonly oneShotName = 'pod to completion (create, watch until Succeeded)';
  readonly handler: string;
  private cluster: RunCluster | null = null;
  private pods: SessionPods | null = null;
  private runtimeClass = '';
  private nodes: NodeFacts[] = [];
  private readonly skips = new Map<WorkloadKind, string>();
  private readonly sessionId: string;
  private closed = false;
  /** The conformance capability is added by the layer's index, which also knows the target. */
  readonly capabilities: Partial<Capabilities>;

  constructor(
    readonly runtime: RuntimeInfo,
    private readonly ctx: RunnerContext,
    private readonly client: KubeClient,
    private readonly opts: KubernetesRunnerOptions,
  ) {
    this.handler = handlerFor(runtime);
    this.sessionId = `${runtime.name}-${ctx.arch}`
      .toLowerCase()
      .replace(/[^a-z0-9.-]/g, '-')
      .slice(0, 60);
    this.capabilities = {
      oneShot: { name: this.oneShotName, source: `${SOURCE_WATCH}: create request sent to Succeeded seen`, run: (req) => this.runOnce(req) },
      lifecycle: this.lifecycleCapability(),
      churn: { run: (req, count, concurrency) => this.churn(req, count, concurrency) },
      density: podDensity({
        runtime: runtime.name,
        limits: { budgetBytes: opts.densityBudgetBytes, maxPods: opts.densityMaxPods },
        pods: () => this.requirePods(),
        client,
        place: (pod) => this.localPod(pod),
        labels: () => ({
          nodes: this.nodeSummaryText(),
          runtimeClass: this.runtimeClassName,
          handler: this.handler,
          nodeDaemons: this.daemons ? describeNodeDaemons(this.daemons) : 'not read: no node of this arch is this machine, or no containerd socket',
        }),
        source: () => `kubeconfig ${this.kubeconfig.path} (${this.kubeconfig.source})`,
        daemons: () => this.daemons,
      }),
    };
  }

  /** POD_PHASES from the watch alone, or NODE_PHASES when the node's containerd events are read. */
  get lifecyclePhases(): readonly string[] {
    return this.nodeEvents ? NODE_PHASES.map((p) => p.name) : POD_PHASES;
  }

  private lifecycleCapability(): Capabilities['lifecycle'] {
    const self = this;
    return {
      source: `${SOURCE_WATCH}: create request sent to deletion seen`,
      get phases() {
        return self.lifecyclePhases;
      },
      get phaseSources() {
        if (self.nodeEvents) return Object.fromEntries(NODE_PHASES.map((p) => [p.name, p.source]));
        return Object.fromEntries(POD_PHASES.map((p) => [p, `${SOURCE_WATCH}; containerd events not read: ${self.nodeEventsNote}`]));
      },
      get phaseNotes(): Record<string, string | number> {
        const c = self.nodeEvents?.clock;
        if (!c) return { kubeletMetrics: self.kubeletMetricsNote };
        return {
          nodeEvents: `containerd ${self.nodeEvents?.socket}, namespace k8s.io`,
          clockOffset: 'containerd wall clock minus client hrtime, from probe events containerd stamps (shortest round trip of 10)',
          clockOffsetUncertaintyUs: Math.round(c.uncertaintyNs / 100) / 10,
        };
      },
      get derived() {
        return self.nodeEvents ? DERIVED : [];
      },
      seriesFacts: (kind) => this.kubeletMetrics?.facts(kind) ?? [],
      // a timed sample (its output discarded) runs between two scrapes of the kubelets' metrics
      run: (req) => (this.kubeletMetrics && req.discardOutput ? this.kubeletMetrics.around(req.workload.kind, () => this.lifecycle(req)) : this.lifecycle(req)),
    };
  }

  /**
   * Without the node's events, the kubelets' histograms through the API server's node proxy:
   * one scrape now says whether the pages can be read.
   */
  private async openKubeletMetrics(): Promise<void> {
    const m = new KubeletMetrics(this.client, this.archNodes.map((n) => n.name), this.handler);
    try {
      // a kubelet that has started no pod yet has none of the histograms: readable is enough
      await m.scrape();
      this.kubeletMetrics = m;
      this.kubeletMetricsNote = `histograms from ${m.nodes.map((n) => m.path(n)).join(', ')} around each timed pod (facts of the startup suite)`;
    } catch (e) {
      this.kubeletMetricsNote = `not read: ${errorMessage(e)}`;
    }
  }

  /** Reads the node containerd's events when a node of this session is this machine. */
  private async openNodeEvents(): Promise<void> {
    if (this.opts.nodeEvents === false) {
      this.nodeEventsNote = 'turned off in the runner options';
      return;
    }
    if (!this.archNodes.some((n) => n.local)) {
      this.nodeEventsNote = 'no node of this arch is this machine';
      return;
    }
    const socket = NODE_CONTAINERD_SOCKETS.find((p) => existsSync(p));
    if (!socket) {
      this.nodeEventsNote = `no containerd socket at ${NODE_CONTAINERD_SOCKETS.join(' or ')}`;
      return;
    }
    const n = new NodeEvents(socket);
    try {
      await n.start();
      this.nodeEvents = n;
      this.nodeEventsNote = `read from ${socket}`;
    } catch (e) {
      n.close();
      this.nodeEventsNote = `containerd at ${socket}: ${errorMessage(e)}`;
    }
  }

  get namespace(): string {
    return this.cluster?.namespace ?? `runbench-${this.ctx.runId}`;
  }

  /** The Ready nodes this session's pods may land on. */
  get archNodes(): NodeFacts[] {
    return this.nodes.filter((n) => n.arch === this.ctx.arch && n.ready && n.schedulable);
  }

  get runtimeClassName(): string {
    return this.runtimeClass;
  }

  /** "RuntimeClass runbench-crun", or what a pod with none runs on. */
  private get classText(): string {
    return this.runtimeClass ? `RuntimeClass ${this.runtimeClass}` : "no RuntimeClass (the node's default handler)";
  }

  get kubeconfig(): KubeconfigChoice {
    return this.client.kubeconfig;
  }

  async open(): Promise<void> {
    this.ctx.scope.defer(`kubernetes session ${this.runtime.name}/${this.ctx.arch}`, () => this.close());
    let shared = runs.get(this.ctx.runId);
    if (!shared) {
      shared = (async () =>
        new RunCluster(this.client, this.ctx.runId, this.ctx.scope, this.opts.keepRuntimeClasses ?? false, await listNodes(this.client), (e) =>
          recordInLedger(this.ctx.workDir, e),
        ))();
      runs.set(this.ctx.runId, shared);
      this.ctx.scope.defer('kubernetes run state', () => void runs.delete(this.ctx.runId));
    }
    try {
      this.cluster = await shared;
    } catch (e) {
      runs.delete(this.ctx.runId);
      const hint = this.client.kubeconfig.source === 'local cluster' ? '; start it with scripts/cluster.sh up' : '';
      throw new RuntimeFailure(
        this.runtime.name,
        `cannot reach the cluster at ${this.client.server} (${this.client.kubeconfig.source} ${this.client.kubeconfig.path}): ${apiMessage(e)}${hint}`,
      );
    }
    this.nodes = this.cluster.nodes;
    if (this.archNodes.length === 0) {
      const have = [...new Set(this.nodes.map((n) => n.arch))].join(', ') || 'none';
      for (const k of ['native', 'wasm'] as const) this.skips.set(k, `no Ready node of arch ${this.ctx.arch} in the cluster (nodes' archs: ${have})`);
      return;
    }
    await this.cluster.ensureNamespace();
    // a runtime given as a RuntimeClass uses the one of that name when the cluster has it
    // a runtime given as a RuntimeClass of no name runs on the node's default handler
    const rc = this.runtime.kind === 'runtime-class';
    this.runtimeClass = rc && this.handler === '' ? '' : await this.cluster.runtimeClassFor(this.handler, rc ? this.handler : undefined);
    const watcher = new PodWatcher(this.client, this.cluster.namespace, `${SESSION_LABEL}=${this.sessionId}`);
    const owner = { runtime: this.runtime.name, sessionId: this.sessionId, manifest: (name: string, req: RunRequest) => this.manifest(name, req) };
    this.pods = new SessionPods(this.client, watcher, this.cluster.namespace, owner);
    await watcher.start();
    await this.openNodeEvents();
    const socket = NODE_CONTAINERD_SOCKETS.find((p) => existsSync(p));
    if (socket && this.archNodes.some((n) => n.local)) this.daemons = nodeDaemons(socket);
    if (!this.nodeEvents) await this.openKubeletMetrics();
    if (!wasmCapable(this.runtime)) this.skips.set('wasm', `${this.runtime.name} has no Wasm handler`);
    if (isWasmShim(this.runtime)) this.skips.set('native', `${this.runtime.name} is a Wasm shim`);
    // a node's CRI unpacks what it runs, and containerd before 1.6.25 / 1.7.7 cannot unpack a Wasm layer
    if (this.runtime.wasmLayers) this.skips.set('wasm', `${this.runtime.name} runs the workloads as OCI Wasm layers, which cluster/images.sh does not load into the node (containerd before 1.6.25 / 1.7.7 cannot unpack them): containerd layer only`);
    const nativeNot = this.runtime.wasmVia || this.runtime.wasmModules ? kindUnsupported(this.runtime, 'native') : null;
    if (nativeNot) this.skips.set('native', nativeNot);
    // A probe pod per kind: an unknown handler, a missing image or a handler that cannot run
    // the pod sandbox shows here, once, as the reason for skipping.
    const probe = async (kind: WorkloadKind) => {
      try {
        const s = await this.runPod({ workload: { name: 'noop', kind, args: [] }, timeoutMs: 120_000 }, { logs: true, waitDeleted: true });
        const said = s.stderr.replace(/\s+/g, ' ').trim().slice(0, 300);
        if (s.exitCode !== 0) this.skips.set(kind, `a ${kind} probe pod with ${this.classText} exited ${s.exitCode}${said ? `: ${said}` : ''}`);
      } catch (e) {
        this.skips.set(kind, `a ${kind} probe pod with ${this.classText}${this.handler ? ` (handler ${this.handler})` : ''} failed: ${errorMessage(e)}`);
      }
    };
    await Promise.all((['native', 'wasm'] as const).filter((k) => !this.skips.has(k)).map(probe));
  }

  supports(kind: WorkloadKind): Unsupported {
    const why = this.skips.get(kind);
    return why ? { reason: why } : null;
  }

  image(kind: WorkloadKind): string {
    // in-image: the image carrying the Wasm runtime, a linux image of the node's arch
    if (kind === 'wasm' && this.runtime.wasmVia) return this.runtime.wasmVia.image.name;
    // modules compiled otherwise (ahead of time): their own Wasm image
    if (kind === 'wasm' && this.runtime.wasmModules) return this.runtime.wasmModules.image.name;
    return (this.opts.images?.[kind] ?? DEFAULT_IMAGES[kind]).replace('{arch}', this.ctx.arch);
  }

  manifest(name: string, req: RunRequest): V1Pod {
    const { kind, name: workload, args } = req.workload;
    return podManifest({
      name,
      namespace: this.namespace,
      runId: this.ctx.runId,
      session: this.sessionId,
      runtimeClassName: this.runtimeClass,
      arch: this.ctx.arch,
      image: this.image(kind),
      ...(kind === 'wasm' && this.runtime.wasmVia
        ? { command: inImageArgs(this.runtime.wasmVia, req.workload), args: [] }
        : { command: [entrypoint(kind, workload)], args }),
      annotations: kind === 'wasm' ? wasmPodAnnotations(this.runtime) : {},
      ...(req.memoryLimitBytes ? { memoryLimitBytes: req.memoryLimitBytes } : {}),
      imagePullPolicy: 'Never',
    });
  }

  /** The session's pods, once the session is open and until it is closed. */
  private requirePods(): SessionPods {
    if (!this.pods || this.closed) throw new RuntimeFailure(this.runtime.name, 'kubernetes session is not open');
    return this.pods;
  }

  private localPod(pod: V1Pod | null): PodPlace {
    const node = this.nodes.find((n) => n.name === pod?.spec?.nodeName) ?? null;
    const uid = pod?.metadata?.uid;
    if (!node?.local || !uid) return { node, cgroup: null };
    return { node, cgroup: podCgroupDir(uid) };
  }

  private async runPod(req: RunRequest, o: RunPodOptions): Promise<TimedSample & { timeline: PodTimeline }> {
    return runPod(this.requirePods(), (pod) => this.localPod(pod), this.runtime.name, req, { nodeEvents: this.nodeEvents, ...o });
  }

  /**
   * One pod for a conformance check: `edit` changes its manifest, `inspect` reads the
   * finished pod (and the node it ran on) before it is deleted; the deletion is awaited.
   */
  async runInspected(req: RunRequest, edit: (pod: V1Pod) => void, inspect: (pod: V1Pod, node: NodeFacts | null) => Promise<void>): Promise<TimedSample> {
    const { timeline: _t, ...s } = await this.runPod(req, { logs: true, waitDeleted: true, edit, inspect });
    return s;
  }

  /** A kubelet setting of a node, from its configz endpoint (through the API server). */
  async kubeletConfig(node: string): Promise<Record<string, unknown>> {
    const raw = await this.client.core.connectGetNodeProxyWithPath({ name: node, path: 'configz' });
    const parsed: unknown = typeof raw === 'string' ? JSON.parse(raw) : raw;
    const cfg = (parsed as { kubeletconfig?: Record<string, unknown> } | null)?.kubeletconfig;
    if (!cfg) throw new Error(`node ${node}'s configz has no kubeletconfig`);
    return cfg;
  }

  /** Pod to completion: the figure is creation until the watch shows it Succeeded. */
  async runOnce(req: RunRequest): Promise<TimedSample> {
    const { timeline: _t, ...s } = await this.runPod(req, { logs: true, waitDeleted: false });
    return s;
  }

  /** Pod to completion and deletion, phase by phase (POD_PHASES). */
  async lifecycle(req: RunRequest): Promise<TimedSample> {
    const { timeline: _t, ...s } = await this.runPod(req, { logs: true, waitDeleted: true });
    return s;
  }

  /** N pods at concurrency P, each created, watched to completion and deletion requested. */
  async churn(req: RunRequest, count: number, concurrency: number): Promise<ChurnResult> {
    return churn(this.runtime.name, this.requirePods(), req, count, concurrency);
  }

  /** A description of the nodes for notes and facts. */
  nodeSummaryText(): string {
    return this.archNodes
      .map((n) => `${n.name} ${n.os}/${n.arch} kubelet ${n.kubeletVersion} ${n.containerRuntimeVersion}${n.local ? ' (this machine)' : ''}`)
      .join('; ');
  }

  /** Deletes the pods still live and stops the watch. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.pods?.close();
    this.nodeEvents?.close();
    this.nodeEvents = null;
    this.closed = true;
    this.pods = null;
  }
}
