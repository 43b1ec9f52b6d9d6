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
import type { V1Pod } from '@kubernetes/client-node';
import { basename } from 'node:path';
import { RuntimeFailure, errorMessage } from '../../core/errors.ts';
import { inImageArgs } from '../../core/in-image.ts';
import { kindUnsupported } from '../../core/runtimes.ts';
import { handlerAnnotations, variantAnnotations } from '../../core/wasm-annotations.ts';
import type { RuntimeInfo, WorkloadKind } from '../../core/schema.ts';
import { apiMessage, isNotFound, KubeClient, type KubeconfigChoice } from './client.ts';
import { listNodes, RunCluster, type NodeFacts } from './cluster.ts';
import { cgroupCurrentBytes, cgroupPeakBytes } from '../../core/cgroups.ts';
import { nodeSummary, podCgroupDir, podMemory, podShimPid, shimMemory, type PodMemory } from './memory.ts';
import { CONTAINER, entrypoint, phaseDurations, podManifest, POD_PHASES, SESSION_LABEL, startupLatencyNs, termination, type PodTimeline } from './pods.ts';
import { PodWatcher } from './watch.ts';
import type { Capabilities, ChurnResult, RunRequest, RunnerContext, RunnerSession, TimedSample, Unsupported } from '../../core/runner.ts';

export interface KubernetesRunnerOptions {
  /** A kubeconfig path; default $KUBECONFIG, then the local cluster's. */
  kubeconfig?: string;
  /** Leave the RuntimeClasses runbench created in the cluster. */
  keepRuntimeClasses?: boolean;
  /** Image names on the nodes, by workload kind ({arch} is replaced). */
  images?: Partial<Record<WorkloadKind, string>>;
  /** Density suite: stop adding idle pods at this much pod working set, or at this many pods. */
  densityBudgetBytes?: number;
  densityMaxPods?: number;
}

export const DEFAULT_DENSITY = { budgetBytes: 2 * 1024 ** 3, maxPods: 50 } as const;

export const DEFAULT_IMAGES: Record<WorkloadKind, string> = {
  native: 'docker.io/runbench/native:latest',
  // the wasm image re-labelled linux/<arch> (cluster/images.sh): containerd 1.6's CRI only sees images of its platform
  wasm: 'docker.io/runbench/wasm:k8s-{arch}',
};

/**
 * The CRI handler a runtime is reached through: a shim's own name (io.containerd.wasmtime.v1
 * -> wasmtime); for a Wasm runtime in the image, the OCI runtime that runs its container
 * (runc/wasmtime-in-image -> runc); else the runtime's name.
 */
export function handlerFor(runtime: RuntimeInfo): string {
  if (runtime.wasmVia) return runtime.path ? basename(runtime.path) : (runtime.name.split('/')[0] ?? runtime.name);
  const m = runtime.path ? /containerd-shim-(.+)-v\d+$/.exec(runtime.path) : null;
  if (m?.[1]) return m[1];
  const t = /^io\.containerd\.(.+)\.v\d+$/.exec(runtime.name);
  if (t?.[1]) return t[1];
  return runtime.name;
}

/** Runs its Wasm module from the rootfs through a Wasm-aware shim (runwasi) rather than an OCI runtime's handler. */
function isWasmShim(runtime: RuntimeInfo): boolean {
  return runtime.kind === 'containerd-shim' || (runtime.path !== null && /containerd-shim-/.test(runtime.path));
}

/**
 * Annotations a Wasm pod carries. containerd passes pod annotations to every container
 * of the pod, the pause sandbox included, so an OCI runtime's handler has to be told in
 * the form that leaves non-Wasm executables alone: crun's `compat-smart` variant checks
 * the executable's magic; youki's handler takes `run.oci.handler` only.
 */
export function wasmPodAnnotations(runtime: RuntimeInfo): Record<string, string> {
  // an ordinary container: its image's Wasm runtime is the process
  if (isWasmShim(runtime) || runtime.wasmVia) return {};
  if (runtime.kind === 'runtime-class') return { ...(runtime.wasmAnnotations ?? {}) };
  if (runtime.name.startsWith('crun')) return variantAnnotations('compat-smart');
  return { ...(runtime.wasmAnnotations ?? handlerAnnotations()) };
}

function wasmCapable(runtime: RuntimeInfo): boolean {
  // a RuntimeClass named in the config says nothing about Wasm: its probe pod decides
  return (
    runtime.kind === 'runtime-class' ||
    isWasmShim(runtime) ||
    runtime.wasmVia !== undefined ||
    runtime.wasmHandlers.length > 0 ||
    runtime.wasmAnnotations !== undefined
  );
}

interface RunPodOptions {
  logs: boolean;
  waitDeleted: boolean;
  edit?: (pod: V1Pod) => void;
  inspect?: (pod: V1Pod, node: NodeFacts | null) => Promise<void>;
}

/** Warnings after which a pod will not start however long the kubelet retries. */
const FATAL_EVENTS = ['FailedCreatePodSandBox', 'FailedCreatePodContainer', 'Failed'] as const;

/** One run's cluster state, by run id: shared by the sessions of all runtimes and archs. */
const runs = new Map<string, Promise<RunCluster>>();

export class KubernetesSession implements RunnerSession {
  readonly layer = 'kubernetes' as const;
  readonly lifecyclePhases = POD_PHASES;
  readonly oneShotName = 'pod to completion (create, watch until Succeeded)';
  readonly handler: string;
  private cluster: RunCluster | null = null;
  private watcher: PodWatcher | null = null;
  private runtimeClass = '';
  private nodes: NodeFacts[] = [];
  private readonly skips = new Map<WorkloadKind, string>();
  private readonly live = new Set<string>();
  private counter = 0;
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
      oneShot: { name: this.oneShotName, run: (req) => this.runOnce(req) },
      lifecycle: { phases: this.lifecyclePhases, run: (req) => this.lifecycle(req) },
      churn: { run: (req, count, concurrency) => this.churn(req, count, concurrency) },
      density: {
        limits: this.density,
        labels: () => ({ nodes: this.nodeSummaryText(), runtimeClass: this.runtimeClassName, handler: this.handler }),
        source: () => `kubeconfig ${this.kubeconfig.path} (${this.kubeconfig.source})`,
        startIdle: (req) => this.startIdlePod(req),
        memory: (names) => this.podsMemory(names),
        remove: (names) => this.deletePods(names),
      },
    };
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

  get density(): { budgetBytes: number; maxPods: number } {
    return { budgetBytes: this.opts.densityBudgetBytes ?? DEFAULT_DENSITY.budgetBytes, maxPods: this.opts.densityMaxPods ?? DEFAULT_DENSITY.maxPods };
  }

  get kubeconfig(): KubeconfigChoice {
    return this.client.kubeconfig;
  }

  async open(): Promise<void> {
    this.ctx.scope.defer(`kubernetes session ${this.runtime.name}/${this.ctx.arch}`, () => this.close());
    let shared = runs.get(this.ctx.runId);
    if (!shared) {
      shared = (async () => new RunCluster(this.client, this.ctx.runId, this.ctx.scope, this.opts.keepRuntimeClasses ?? false, await listNodes(this.client)))();
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
    this.runtimeClass = await this.cluster.runtimeClassFor(this.handler, this.runtime.kind === 'runtime-class' ? this.runtime.name : undefined);
    this.watcher = new PodWatcher(this.client, this.cluster.namespace, `${SESSION_LABEL}=${this.sessionId}`);
    await this.watcher.start();
    if (!wasmCapable(this.runtime)) this.skips.set('wasm', `${this.runtime.name} has no Wasm handler`);
    if (isWasmShim(this.runtime)) this.skips.set('native', `${this.runtime.name} is a Wasm shim`);
    const nativeNot = this.runtime.wasmVia ? kindUnsupported(this.runtime, 'native') : null;
    if (nativeNot) this.skips.set('native', nativeNot);
    // A probe pod per kind: an unknown handler, a missing image or a handler that cannot run
    // the pod sandbox shows here, once, as the reason for skipping.
    const probe = async (kind: WorkloadKind) => {
      try {
        const s = await this.runPod({ workload: { name: 'noop', kind, args: [] }, timeoutMs: 120_000 }, { logs: true, waitDeleted: true });
        const said = s.stderr.replace(/\s+/g, ' ').trim().slice(0, 300);
        if (s.exitCode !== 0) this.skips.set(kind, `a ${kind} probe pod with RuntimeClass ${this.runtimeClass} exited ${s.exitCode}${said ? `: ${said}` : ''}`);
      } catch (e) {
        this.skips.set(kind, `a ${kind} probe pod with RuntimeClass ${this.runtimeClass} (handler ${this.handler}) failed: ${errorMessage(e)}`);
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
    return (this.opts.images?.[kind] ?? DEFAULT_IMAGES[kind]).replace('{arch}', this.ctx.arch);
  }

  private nextName(workload: string): string {
    this.counter += 1;
    return `${this.sessionId}-${workload}-${this.counter}`.slice(0, 63).replace(/-+$/, '');
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

  private requireWatcher(): PodWatcher {
    if (!this.watcher || this.closed) throw new RuntimeFailure(this.runtime.name, 'kubernetes session is not open');
    return this.watcher;
  }

  /** Creates a pod, returning its name and timeline (creation stamped just before the request). */
  async createPod(req: RunRequest, edit?: (pod: V1Pod) => void): Promise<{ name: string; timeline: PodTimeline }> {
    const w = this.requireWatcher();
    const name = this.nextName(req.workload.name);
    const body = this.manifest(name, req);
    edit?.(body);
    const timeline = w.track(name);
    this.live.add(name);
    try {
      await this.client.core.createNamespacedPod({ namespace: this.namespace, body });
    } catch (e) {
      this.live.delete(name);
      w.forget(name);
      throw new RuntimeFailure(this.runtime.name, `creating pod ${name}: ${apiMessage(e)}`);
    }
    return { name, timeline };
  }

  /** Requests deletion; with `wait`, resolves when the watch shows the pod gone (the kubelet confirmed). */
  async deletePod(name: string, wait: boolean, timeoutMs = 60_000): Promise<bigint | null> {
    const w = this.requireWatcher();
    const requested = process.hrtime.bigint();
    try {
      await this.client.core.deleteNamespacedPod({ name, namespace: this.namespace, gracePeriodSeconds: 1 });
    } catch (e) {
      if (!isNotFound(e)) throw new RuntimeFailure(this.runtime.name, `deleting pod ${name}: ${apiMessage(e)}`);
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

  private async logs(name: string): Promise<string> {
    try {
      return await this.client.core.readNamespacedPodLog({ name, namespace: this.namespace, container: CONTAINER });
    } catch (e) {
      return `(no logs: ${apiMessage(e)})`;
    }
  }

  private localPod(pod: V1Pod | null): { node: NodeFacts | null; cgroup: string | null } {
    const node = this.nodes.find((n) => n.name === pod?.spec?.nodeName) ?? null;
    const uid = pod?.metadata?.uid;
    if (!node?.local || !uid) return { node, cgroup: null };
    return { node, cgroup: podCgroupDir(uid) };
  }

  /**
   * One pod through its life: created, watched to completion, its logs read, its memory
   * figures read (on this machine), then deleted; `waitDeleted` times the deletion too.
   */
  private async runPod(req: RunRequest, o: RunPodOptions): Promise<TimedSample & { timeline: PodTimeline }> {
    const w = this.requireWatcher();
    const { name, timeline } = await this.createPod(req, o.edit);
    let pod: V1Pod | null = null;
    // The kubelet stops the sandbox (and its shim) of a finished pod at once: the shim is
    // found once the sandbox is up and its VmHWM read at every event while it lives.
    let shimPid: number | null = null;
    let shimPeak: number | null = null;
    let local: { node: NodeFacts | null; cgroup: string | null } | null = null;
    const trackShim = (t: PodTimeline) => {
      if (t.sandboxReadyNs === undefined) return;
      if (shimPid === null) {
        if (local?.node && !local.node.local) return;
        local = this.localPod(w.latest(name));
        if (local.cgroup) shimPid = podShimPid(local.cgroup);
      }
      if (shimPid !== null) {
        const peak = shimMemory(shimPid).peakRssBytes;
        if (peak !== null) shimPeak = Math.max(shimPeak ?? 0, peak);
      }
    };
    try {
      await this.waitPod(
        name,
        'completed',
        (t) => {
          trackShim(t);
          return t.completedNs !== undefined;
        },
        req.timeoutMs,
      );
      pod = w.latest(name);
      const where = this.localPod(pod);
      const cgroupPeak = where.cgroup ? cgroupPeakBytes(where.cgroup) : null;
      const stdout = o.logs ? await this.logs(name) : '';
      const term = pod ? termination(pod) : null;
      if (o.inspect && pod) await o.inspect(pod, where.node);
      if (o.waitDeleted) await this.deletePod(name, true);
      else void this.deletePod(name, false).catch(() => undefined);
      const layerMemoryBytes: Record<string, number> = {};
      if (shimPeak !== null) layerMemoryBytes.shimPeakRssBytes = shimPeak;
      const completed = timeline.completedNs ?? timeline.createdNs;
      const end = o.waitDeleted && timeline.deletedNs !== undefined ? timeline.deletedNs : completed;
      return {
        totalNs: Number(end - timeline.createdNs),
        phasesNs: phaseDurations(timeline),
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
      const events = await this.podEvents(name);
      void this.deletePod(name, false).catch(() => undefined);
      this.live.delete(name);
      w.forget(name);
      throw new RuntimeFailure(this.runtime.name, `${why}${events ? ` (${events})` : ''}`);
    }
  }

  /**
   * Waits for a pod milestone; a pod still waiting after a few seconds has its events
   * checked every second, and a sandbox or container that cannot be created (an unknown
   * handler, a runtime that cannot run the pause sandbox) ends the wait with that reason
   * instead of the kubelet's endless retries.
   */
  private async waitPod(name: string, what: string, done: (t: PodTimeline) => boolean, timeoutMs: number): Promise<PodTimeline> {
    const w = this.requireWatcher();
    const failed = new AbortController();
    let polling = true;
    const poll = async () => {
      await new Promise((r) => setTimeout(r, 3000));
      while (polling) {
        const warning = await this.podEvents(name, FATAL_EVENTS);
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
  async podEvents(name: string, reasons?: readonly string[]): Promise<string> {
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
    const w = this.requireWatcher();
    let next = 0;
    let completed = 0;
    let failed = 0;
    let firstError: string | null = null;
    const names: string[] = [];
    const t0 = process.hrtime.bigint();
    const worker = async () => {
      while (next < count) {
        next += 1;
        try {
          const { name } = await this.createPod(req);
          names.push(name);
          await this.waitPod(name, 'completed', (t) => t.completedNs !== undefined, req.timeoutMs);
          const term = termination(w.latest(name) ?? {});
          if (term && term.exitCode === 0) completed += 1;
          else {
            failed += 1;
            firstError ??= `pod ${name} ended ${term ? `with exit code ${term.exitCode} (${term.reason})` : 'without a container status'}`;
          }
          void this.deletePod(name, false).catch(() => undefined);
        } catch (e) {
          failed += 1;
          firstError ??= errorMessage(e);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
    const wallNs = Number(process.hrtime.bigint() - t0);
    await this.awaitGone(names, 60_000);
    return { wallNs, completed, failed, firstError };
  }

  /** Waits (untimed) until the watch has seen the given pods deleted. */
  async awaitGone(names: string[], timeoutMs: number): Promise<void> {
    const w = this.requireWatcher();
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

  // ----- figures only this layer has (suites/density.ts) -----

  /** Starts a long-running pod and waits until all its containers are started (the SLI). */
  async startIdlePod(req: RunRequest): Promise<{ name: string; timeline: PodTimeline; startupNs: number }> {
    this.requireWatcher();
    const { name, timeline } = await this.createPod(req);
    try {
      await this.waitPod(name, 'started', (t) => t.startedNs !== undefined, req.timeoutMs);
    } catch (e) {
      const events = await this.podEvents(name);
      void this.deletePod(name, false).catch(() => undefined);
      throw new RuntimeFailure(this.runtime.name, `${errorMessage(e)}${events ? ` (${events})` : ''}`);
    }
    return { name, timeline, startupNs: startupLatencyNs(timeline) ?? Number.NaN };
  }

  /** Memory of running pods: the summary API's figure, and on this machine the cgroup's and the shim's. */
  async podsMemory(
    names: string[],
  ): Promise<Map<string, { summary: PodMemory | null; cgroupBytes: number | null; shimRssBytes: number | null; node: string }>> {
    const w = this.requireWatcher();
    const byNode = new Map<string, string[]>();
    for (const n of names) {
      const node = w.latest(n)?.spec?.nodeName;
      if (!node) continue;
      byNode.set(node, [...(byNode.get(node) ?? []), n]);
    }
    const out = new Map<string, { summary: PodMemory | null; cgroupBytes: number | null; shimRssBytes: number | null; node: string }>();
    for (const [node, pods] of byNode) {
      const summary = await nodeSummary(this.client, node);
      for (const n of pods) {
        const local = this.localPod(w.latest(n));
        const pid = local.cgroup ? podShimPid(local.cgroup) : null;
        out.set(n, {
          summary: podMemory(summary, this.namespace, n),
          cgroupBytes: local.cgroup ? cgroupCurrentBytes(local.cgroup) : null,
          shimRssBytes: pid ? shimMemory(pid).rssBytes : null,
          node,
        });
      }
    }
    return out;
  }

  /** Deletes pods and waits until the kubelet has removed them. */
  async deletePods(names: string[], timeoutMs = 120_000): Promise<void> {
    await Promise.all(names.map((n) => this.deletePod(n, false).catch(() => undefined)));
    await this.awaitGone(names, timeoutMs);
  }

  /** A description of the nodes for notes and facts. */
  nodeSummaryText(): string {
    return this.archNodes
      .map((n) => `${n.name} ${n.os}/${n.arch} kubelet ${n.kubeletVersion} ${n.containerRuntimeVersion}${n.local ? ' (this machine)' : ''}`)
      .join('; ');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const names = [...this.live];
    if (this.watcher && names.length > 0) {
      await Promise.all(names.map((n) => this.deletePod(n, false).catch(() => undefined)));
      await this.awaitGone(names, 30_000).catch(() => undefined);
    }
    this.closed = true;
    this.watcher?.close();
    this.watcher = null;
  }
}
