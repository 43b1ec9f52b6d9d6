/**
 * The containerd runner: each runtime driven the way containerd drives it, through a
 * shim: runc, crun, youki, runsc, crun-wasmtime (or any OCI binary given as NAME=PATH)
 * behind `io.containerd.runc.v2` with the BinaryName option, and containerd shims of
 * their own (runwasi's `io.containerd.wasmtime.v1`, `io.containerd.wasmer.v1`) by name.
 *
 * Why the gRPC API and not `ctr`: measured on a 2-core host under load, one `ctr
 * version` (a Go binary start plus one RPC) takes 9-24 ms (median ~15 ms), while the
 * same Version RPC from an open gRPC channel takes 0.55-1.25 ms (median ~0.7 ms). A
 * lifecycle driven through ctr needs four or more of those process starts, tens of
 * milliseconds of harness inside figures of 100-250 ms, and ctr cannot separate task
 * create from task start at all (`ctr task start` does both). Speaking the API, each
 * phase is the RPCs containerd itself serves for `ctr run --rm` (snapshot prepare +
 * container create, task create, wait + start, exit, task delete + container delete +
 * snapshot remove), timed around the calls; `calibrate` measures the round trip.
 * `ctr` is used only to import the images, which is never timed.
 *
 * By default runbench starts its own containerd per session (generated config, own
 * root, state and sockets under the run's work directory); `--containerd-address`
 * uses an existing one. Either way everything lives in a namespace of its own,
 * `runbench-<runId>-<runtime>`, removed with all it holds when the session closes.
 */
import { chmodSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { memoryCgroupFiles, sweepCgroups } from '../../core/cgroups.ts';
import { RuntimeFailure, errorMessage } from '../../core/errors.ts';
import { eachLimited } from '../../core/pool.ts';
import { recordInLedger } from '../../core/recovery.ts';
import type { OciConfig } from '../../core/oci-spec.ts';
import { cacheBinDir } from '../../core/paths.ts';
import type { Capabilities, ChurnResult, RunRequest, RunnerContext, RunnerSession, TimedSample, Unsupported } from '../../core/runner.ts';
import { findBinary, kindUnsupported } from '../../core/runtimes.ts';
import type { RuntimeInfo, WorkloadKind } from '../../core/schema.ts';
import { containerId, slug } from '../../core/slug.ts';
import { procStatusBytes } from '../shared/proc.ts';
import { ContainerdClient } from './api.ts';
import { churn } from './churn.ts';
import { ContainerdDensity } from './density.ts';
import { deleteNamespace, namespaceIds, removeContainer } from './cleanup.ts';
import { openDaemon, shimSocketPath, type Daemon } from './daemon.ts';
import { imageOf, importImages, type ImageRef } from './images.ts';
import { layerMemory, memoryAtExit } from './memory.ts';
import { PRECOMPILED_LABEL_PREFIX, precompiledCode } from './precompiled.ts';
import { isShim, runwasiStateDir, shimConfig, type ShimConfig } from './shim.ts';
import { containerSpec, sessionImages, type SpecOverrides } from './spec.ts';
import { ContainerStdio } from './stdio.ts';
import { containerSample, runToExit, timedCleanup } from './timed.ts';

export interface ContainerdRunnerOptions {
  /** An existing containerd's socket; runbench starts its own when absent. */
  address?: string;
  snapshotter?: string;
}

/** What a conformance run adds to a plain one. */
interface ProbeOptions {
  overrides?: SpecOverrides;
  /** Receives the spec the container is created with. */
  asked?: (spec: OciConfig) => void;
  /** stdout and stderr through fifos of their own, not one log file. */
  separateStdio?: boolean;
  /** Called after the exit and before cleanup, with the container's cgroup path. */
  beforeCleanup?: (cgroupsPath: string) => void;
}

export class ContainerdSession implements RunnerSession {
  readonly layer = 'containerd' as const;
  readonly lifecyclePhases = ['containerCreate', 'taskCreate', 'taskStart', 'exit', 'cleanup'] as const;
  readonly oneShotName = 'ctr run --rm (containerd API: create, start, wait, delete)';
  readonly namespace: string;
  private readonly dir: string;
  private readonly out: string;
  private readonly cgroupParent: string;
  private daemon: Daemon | null = null;
  private client: ContainerdClient | null = null;
  private shim: ShimConfig | null = null;
  private parents = new Map<WorkloadKind, string>();
  private imageSkips = new Map<WorkloadKind, string>();
  private readonly live = new Set<string>();
  /** Images whose precompiled code was seen in the content store (checkPrecompiled). */
  private readonly precompiled = new Set<string>();
  private readonly sockets = new Set<string>();
  /** The namespace's directory of runwasi's state for a Wasm shim, or null for other shims. */
  private get shimState(): string | null {
    return runwasiStateDir(this.runtime, this.namespace);
  }
  private counter = 0;
  private baselineRss: number | null = null;
  private closed = false;
  /** Why runbench's own containerd is gone, once it is: no later container can run. */
  private lost: string | null = null;
  private readonly slug: string;
  private readonly refs: Record<WorkloadKind, ImageRef>;
  private readonly density: ContainerdDensity;
  /** The conformance capability is added by the layer's index, which also knows the target. */
  readonly capabilities: Partial<Capabilities>;

  constructor(
    readonly runtime: RuntimeInfo,
    private readonly ctx: RunnerContext,
    private readonly opts: ContainerdRunnerOptions,
  ) {
    // a display name may hold a slash (runc/wasmtime-in-image): namespaces, paths and ids take its slug
    this.slug = slug(runtime.name);
    this.namespace = `runbench-${ctx.runId}-${this.slug}`;
    this.dir = join(ctx.workDir, 'containerd', this.slug);
    this.out = join(this.dir, 'out');
    this.cgroupParent = `/runbench-${ctx.runId}/containerd-${this.slug}`;
    this.refs = sessionImages(runtime, ctx.arch);
    this.density = new ContainerdDensity({
      runtime: runtime.name,
      api: () => this.api(),
      image: (kind) => {
        const parent = this.parents.get(kind);
        if (parent === undefined) throw new RuntimeFailure(runtime.name, this.supports(kind)?.reason ?? `no ${kind} image`);
        return { parent, ref: this.refs[kind] };
      },
      spec: (ref, req, cgroupsPath) => containerSpec(runtime, ref, req, cgroupsPath, {}),
      next: () => this.nextContainer(),
      snapshotter: this.snapshotter,
      runId: ctx.runId,
      outDir: this.out,
      daemonPid: () => this.daemon?.pid ?? null,
      daemonGone: () => this.lost,
      started: (image) => this.checkPrecompiled(this.api().client, image),
    });
    this.capabilities = {
      oneShot: { name: this.oneShotName, run: (req) => this.runOnce(req) },
      lifecycle: { phases: this.lifecyclePhases, run: (req) => this.lifecycle(req) },
      churn: { run: (req, count, concurrency) => this.churn(req, count, concurrency) },
      density: this.density,
    };
  }

  get snapshotter(): string {
    return this.opts.snapshotter ?? 'overlayfs';
  }

  /** The containerd this session talks to (its pid is null when it is not runbench's own). */
  get daemonInfo(): { address: string; pid: number | null; owned: boolean } | null {
    return this.daemon ? { address: this.daemon.address, pid: this.daemon.pid, owned: this.daemon.owned } : null;
  }

  async open(): Promise<void> {
    this.ctx.scope.defer(`containerd session ${this.runtime.name}`, () => this.close());
    try {
      await this.start();
    } catch (e) {
      await this.close();
      throw e;
    }
  }

  private async start(): Promise<void> {
    // traversable down to the daemon's state directory (see startContainerd); outputs stay private
    mkdirSync(this.dir, { recursive: true, mode: 0o711 });
    chmodSync(join(this.dir, '..'), 0o711);
    chmodSync(this.dir, 0o711);
    mkdirSync(this.out, { recursive: true, mode: 0o700 });
    this.shim = shimConfig(this.runtime, this.dir, this.opts.address);
    const ctr = findBinary('ctr');
    if (!ctr) throw new RuntimeFailure(this.runtime.name, 'ctr not found on PATH (it imports the images)');
    this.daemon = await openDaemon({
      runtime: this.runtime.name,
      address: this.opts.address,
      dir: join(this.dir, 'daemon'),
      searchPath: [...(this.shim.shimDir ? [this.shim.shimDir] : []), cacheBinDir],
    });
    const { address } = this.daemon;
    void this.daemon.gone.then((why) => {
      this.lost = why;
    });
    // a containerd that is not ours keeps our namespace if this process dies: `runbench clean` removes it
    if (!this.daemon.owned)
      recordInLedger(this.ctx.workDir, {
        layer: 'containerd',
        kind: 'namespace',
        value: { address, namespace: this.namespace, snapshotter: this.snapshotter },
      });
    // runwasi's library leaves its namespace directory behind: removed at close, or by `runbench clean`
    if (this.shimState) recordInLedger(this.ctx.workDir, { layer: 'containerd', kind: 'shim-state', value: { path: this.shimState } });
    this.client = new ContainerdClient(address, this.namespace);
    await this.client.useLease(`runbench-${this.ctx.runId}`);
    const kinds = (['native', 'wasm'] as const).filter((k) => !this.kindUnsupported(k));
    const into = { ctr, address, namespace: this.namespace, client: this.client, snapshotter: this.snapshotter, gone: this.daemon.gone };
    ({ parents: this.parents, skips: this.imageSkips } = await importImages(into, this.refs, kinds));
    if (this.daemon.pid !== null) this.baselineRss = procStatusBytes(this.daemon.pid, 'VmRSS');
  }

  private kindUnsupported(kind: WorkloadKind): string | null {
    // a shim found by its binary name (NAME=PATH) without a definition: assume it runs both
    if (isShim(this.runtime) && this.runtime.kind !== 'containerd-shim') return null;
    return kindUnsupported(this.runtime, kind);
  }

  supports(kind: WorkloadKind): Unsupported {
    const why = this.kindUnsupported(kind) ?? this.imageSkips.get(kind) ?? null;
    return why ? { reason: why } : null;
  }

  private api(): { client: ContainerdClient; shim: ShimConfig } {
    if (!this.client || !this.shim || this.closed) throw new Error('containerd session is not open');
    return { client: this.client, shim: this.shim };
  }

  /**
   * One container through its whole life. `observe` adds the untimed reads between exit
   * and cleanup (shim and cgroup high-water marks); the one-shot path skips them.
   */
  private async one(req: RunRequest, observe: boolean, probe: ProbeOptions = {}): Promise<TimedSample> {
    const { overrides = {}, asked, separateStdio = false, beforeCleanup } = probe;
    if (this.lost) throw new RuntimeFailure(this.runtime.name, `${this.runtime.name} via containerd: ${this.lost}`, { sessionLost: true });
    const { client, shim } = this.api();
    const kind = req.workload.kind;
    // '' is a parent too: the empty rootfs of an image of Wasm layers
    const parent = this.parents.get(kind);
    if (parent === undefined) throw new RuntimeFailure(this.runtime.name, this.supports(kind)?.reason ?? `no ${kind} image`);
    const { id, cgroupsPath } = this.nextContainer();
    const ref: ImageRef = this.refs[kind];
    const image = imageOf(ref, req.workload.name);
    const spec = containerSpec(this.runtime, ref, req, cgroupsPath, overrides);
    asked?.(spec);
    const stdio = new ContainerStdio(this.out, id, separateStdio, shim);
    const mem = observe ? memoryCgroupFiles(cgroupsPath) : null;
    const rssBefore = observe && this.daemon?.pid ? procStatusBytes(this.daemon.pid, 'VmRSS') : null;
    this.live.add(id);
    let stage = 'container create';
    try {
      const run = { id, parent, image, spec, runId: this.ctx.runId, snapshotter: this.snapshotter, shim, stdio, deadlineMs: req.timeoutMs };
      const { exitStatus, marks } = await runToExit(client, run, (name) => (stage = name));
      const memory = observe ? memoryAtExit(client.address, id, mem) : { shimPeak: null, cgroupPeak: null, oomKilled: null };
      beforeCleanup?.(cgroupsPath);
      stage = 'cleanup';
      const cleanup = await timedCleanup(client, id, this.snapshotter);
      this.live.delete(id);
      stage = 'check for precompiled code';
      await this.checkPrecompiled(client, image);
      const rssAfter = observe && this.daemon?.pid ? procStatusBytes(this.daemon.pid, 'VmRSS') : null;
      void rssBefore;
      const layerMemoryBytes = observe ? layerMemory(memory.shimPeak, rssAfter, this.baselineRss) : null;
      return containerSample(marks, cleanup, exitStatus, stdio.text(), memory, layerMemoryBytes);
    } catch (e) {
      const detail = errorMessage(e).replace(/^\d+ [A-Z_]+: /, '');
      const err = stdio.firstErrorLine();
      const lost = this.lost ? ` (${this.lost})` : '';
      throw new RuntimeFailure(this.runtime.name, `${this.runtime.name} via containerd: ${stage} failed: ${detail}${err ? `: ${err}` : ''}${lost}`, {
        sessionLost: this.lost !== null,
      });
    } finally {
      // still live: it failed. Removed now, with whatever its runtime left in its cgroup, so the
      // next sample starts clean; with containerd gone, close() sweeps what is left.
      if (this.live.has(id) && !this.lost) {
        await this.dispose(id);
        await sweepCgroups(cgroupsPath.slice(1));
      }
      stdio.close();
    }
  }

  /**
   * An ahead-of-time runtime on images of Wasm layers: once the first task of an image is
   * created (the library compiles then), the content store must hold the code it compiled (every
   * later container is handed that code), or the figures are those of a module compiled on
   * start. Untimed, once per image; the density fill asks too, after a unit has started.
   */
  private async checkPrecompiled(client: ContainerdClient, image: string): Promise<void> {
    if (!this.runtime.wasmLayers || this.runtime.engine?.mode !== 'aot' || this.precompiled.has(image)) return;
    if (!(await precompiledCode(client, image)))
      throw new Error(
        `no precompiled code for ${image} in containerd's content store (no ${PRECOMPILED_LABEL_PREFIX} label): not ahead of time (a shim without a compiler? scripts/setup.sh --tier wasm rebuilds it)`,
      );
    this.precompiled.add(image);
  }

  /** A fresh container id and its cgroup; its shim's socket is noted for the cleanup and in the run's ledger. */
  private nextContainer(): { id: string; cgroupsPath: string } {
    const { client } = this.api();
    const id = containerId(this.ctx.runId, this.slug, ++this.counter);
    const socket = shimSocketPath(client.address, this.namespace, id);
    this.sockets.add(socket);
    // a shim killed with this process leaves its socket in containerd's fixed directory
    recordInLedger(this.ctx.workDir, { layer: 'containerd', kind: 'socket', value: { path: socket } });
    return { id, cgroupsPath: `${this.cgroupParent}/${id}` };
  }

  /**
   * One untimed run with the spec changed by `overrides` (what a conformance check asks
   * for): the spec containerd was given, and what came of it.
   */
  async runWith(
    req: RunRequest,
    overrides: SpecOverrides,
    beforeCleanup?: (cgroupsPath: string) => void,
  ): Promise<{ requested: OciConfig; sample: TimedSample; error: null } | { requested: OciConfig; sample: null; error: RuntimeFailure }> {
    const asked: { spec?: OciConfig } = {};
    const keep = (spec: OciConfig) => {
      asked.spec = spec;
    };
    try {
      const sample = await this.one(req, false, { overrides, asked: keep, separateStdio: true, ...(beforeCleanup ? { beforeCleanup } : {}) });
      if (!asked.spec) throw new Error('containerd session made no spec');
      return { requested: asked.spec, sample, error: null };
    } catch (e) {
      // a container containerd or the shim refused still had a spec: the check judges the refusal
      if (e instanceof RuntimeFailure && asked.spec) return { requested: asked.spec, sample: null, error: e };
      throw e;
    }
  }

  async runOnce(req: RunRequest): Promise<TimedSample> {
    const s = await this.one(req, false);
    return { ...s, phasesNs: { run: s.totalNs } };
  }

  lifecycle(req: RunRequest): Promise<TimedSample> {
    return this.one(req, true);
  }

  churn(req: RunRequest, count: number, concurrency: number): Promise<ChurnResult> {
    return churn(this.runtime.name, () => this.one(req, false), count, concurrency);
  }

  /** Removes one container whatever state it was left in; not-found is success. */
  private async dispose(id: string): Promise<void> {
    const client = this.client;
    if (!client) return;
    await removeContainer(client, this.snapshotter, id);
    this.live.delete(id);
  }

  /** Everything in our namespace, then the namespace itself; then our containerd and its directories. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const client = this.client;
    try {
      if (client) {
        // an interrupted density fill first, then whatever else the namespace still holds
        await this.density.close();
        await eachLimited([...(await namespaceIds(client, this.live))], 16, (id) => this.dispose(id), Date.now() + 120_000);
        try {
          await deleteNamespace(client, this.namespace, this.snapshotter);
        } catch (e) {
          if (!this.daemon?.owned) throw new Error(`could not remove containerd namespace ${this.namespace}: ${errorMessage(e)}`);
        }
        client.close();
      }
    } finally {
      await this.daemon?.stop();
      // a shim killed rather than shut down leaves its socket in containerd's fixed directory
      for (const s of this.sockets) if (existsSync(s)) rmSync(s, { force: true });
      if (this.shimState) rmSync(this.shimState, { recursive: true, force: true });
      // runtimes remove their containers' cgroups; a killed one may not have
      await sweepCgroups(this.cgroupParent.slice(1));
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
