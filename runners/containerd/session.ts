/**
 * The containerd runner: each runtime driven the way containerd drives it, through a
 * shim: runc, crun, youki, runsc, crun-wasmtime (or any OCI binary given as NAME=PATH)
 * behind `io.containerd.runc.v2` with the BinaryName option, and containerd shims of
 * their own (runwasi's `io.containerd.wasmtime.v1`) by name.
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
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { memoryCgroupFiles, parseMemoryPeak, parseOomKilled, sweepCgroups } from '../../core/cgroups.ts';
import { RuntimeFailure, errorMessage } from '../../core/errors.ts';
import { ociConfig, type BundleOptions, type OciConfig } from '../../core/oci-spec.ts';
import { cacheBinDir } from '../../core/paths.ts';
import { findBinary, kindUnsupported, wasmAnnotationsFor } from '../../core/runtimes.ts';
import { inImageArchive, inImageArgs } from '../../core/in-image.ts';
import { slug } from '../../core/slug.ts';
import type { RuntimeInfo, WorkloadKind } from '../../core/schema.ts';
import { ContainerdClient, SPEC_TYPE_URL, isNotFound, runcOptions, type ProtoAny } from './api.ts';
import { processesMatching, shimSocketPath, startContainerd, type Daemon } from './daemon.ts';
import { FifoReader } from './fifo.ts';
import { imageMissing, images, importImage, rootfsParent, type ImageRef } from './images.ts';
import { readOrEmpty } from '../shared/files.ts';
import { procStatusBytes } from '../shared/proc.ts';
import type { Capabilities, ChurnResult, RunRequest, RunnerContext, RunnerSession, TimedSample, Unsupported } from '../../core/runner.ts';

const RUNC_SHIM = 'io.containerd.runc.v2';
const CLEANUP_DEADLINE_MS = 15_000;

export interface ContainerdRunnerOptions {
  /** An existing containerd's socket; runbench starts its own when absent. */
  address?: string;
  snapshotter?: string;
}

/** Changes to the spec a session generates; the rootfs and cgroup stay the session's. */
export type SpecOverrides = Partial<Omit<BundleOptions, 'rootfs' | 'cgroupsPath'>>;

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

/** How one runtime is reached through containerd. */
export interface ShimConfig {
  /** The runtime name containerd resolves to a shim binary (or the shim's absolute path). */
  runtimeName: string;
  options: ProtoAny | null;
  /** runc-style shims take a `file://` URI for stdio; runwasi's take a plain path. */
  stdioUri: (path: string) => string;
  /** Directory to put on containerd's PATH so it finds the shim binary. */
  shimDir: string | null;
}

function now(): bigint {
  return process.hrtime.bigint();
}
function ns(a: bigint, b: bigint): number {
  return Number(b - a);
}

/** A shim binary is named containerd-shim-<name>-<version>; containerd calls it io.containerd.<name>.<version>. */
export function shimRuntimeName(binaryPath: string): string | null {
  const m = /^containerd-shim-(.+)-(v\d+)$/.exec(basename(binaryPath));
  return m ? `io.containerd.${m[1]}.${m[2]}` : null;
}

export function isShim(runtime: RuntimeInfo): boolean {
  return runtime.kind === 'containerd-shim' || (runtime.path !== null && shimRuntimeName(runtime.path) !== null);
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
  private readonly parents = new Map<WorkloadKind, string>();
  private readonly imageSkips = new Map<WorkloadKind, string>();
  private readonly live = new Set<string>();
  private readonly sockets = new Set<string>();
  private counter = 0;
  private baselineRss: number | null = null;
  private closed = false;
  private readonly slug: string;
  private readonly refs: Record<WorkloadKind, ImageRef>;
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
    this.refs = images(ctx.arch);
    const via = runtime.wasmVia;
    if (via) {
      // in-image: Wasm runs as an ordinary linux/<arch> container of the image carrying the Wasm runtime
      this.refs = {
        ...this.refs,
        wasm: {
          kind: 'wasm',
          archive: inImageArchive(via),
          name: via.image.name,
          platform: { os: 'linux', architecture: ctx.arch },
          entrypoint: (w) => `/wasm/${w}.wasm`,
        },
      };
    }
    this.capabilities = {
      oneShot: { name: this.oneShotName, run: (req) => this.runOnce(req) },
      lifecycle: { phases: this.lifecyclePhases, run: (req) => this.lifecycle(req) },
      churn: { run: (req, count, concurrency) => this.churn(req, count, concurrency) },
    };
  }

  get snapshotter(): string {
    return this.opts.snapshotter ?? 'overlayfs';
  }

  /** The containerd this session talks to (its pid is null when it is not runbench's own). */
  get daemonInfo(): { address: string; pid: number | null; owned: boolean } | null {
    return this.daemon ? { address: this.daemon.address, pid: this.daemon.pid, owned: this.daemon.owned } : null;
  }

  private shimConfig(): ShimConfig {
    const rt = this.runtime;
    if (!rt.path) throw new RuntimeFailure(rt.name, `${rt.name} has no binary`);
    if (isShim(rt)) {
      const name = shimRuntimeName(rt.path);
      if (!name) throw new RuntimeFailure(rt.name, `${rt.path} is not named containerd-shim-<name>-<version>`);
      return {
        // our own daemon finds it on PATH; someone else's gets the absolute path (containerd >= 1.6)
        runtimeName: this.opts.address ? rt.path : name,
        options: null,
        stdioUri: (p) => p,
        shimDir: dirname(rt.path),
      };
    }
    let binary = rt.path;
    if (rt.globalArgs.length > 0) {
      // BinaryName takes a path, not arguments: runsc's --platform etc. go in a wrapper.
      binary = join(this.dir, 'bin', rt.name);
      mkdirSync(dirname(binary), { recursive: true });
      const quoted = [rt.path, ...rt.globalArgs].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
      writeFileSync(binary, `#!/bin/sh\nexec ${quoted} "$@"\n`);
      chmodSync(binary, 0o755);
    }
    return {
      runtimeName: RUNC_SHIM,
      // runc's state for our containers under our directory, not /run/containerd/runc
      options: runcOptions({ binaryName: binary, root: join(this.dir, 'runc-root') }),
      stdioUri: (p) => `file://${p}`,
      shimDir: null,
    };
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
    mkdirSync(this.out, { recursive: true, mode: 0o700 });
    this.shim = this.shimConfig();
    const ctr = findBinary('ctr');
    if (!ctr) throw new RuntimeFailure(this.runtime.name, 'ctr not found on PATH (it imports the images)');
    if (this.opts.address) {
      this.daemon = { address: this.opts.address, pid: null, owned: false, logPath: null, stop: async () => undefined };
    } else {
      const binary = findBinary('containerd');
      if (!binary) throw new RuntimeFailure(this.runtime.name, 'containerd not found on PATH');
      this.daemon = await startContainerd({
        dir: join(this.dir, 'daemon'),
        binary,
        searchPath: [...(this.shim.shimDir ? [this.shim.shimDir] : []), cacheBinDir],
        readyTimeoutMs: 30_000,
      });
    }
    this.client = new ContainerdClient(this.daemon.address, this.namespace);
    await this.client.useLease(`runbench-${this.ctx.runId}`);
    for (const kind of ['native', 'wasm'] as const) {
      if (this.kindUnsupported(kind)) continue;
      const ref: ImageRef = this.refs[kind];
      const missing = imageMissing(ref);
      if (missing) {
        this.imageSkips.set(kind, missing);
        continue;
      }
      try {
        await importImage(ctr, this.daemon.address, this.namespace, ref, this.snapshotter);
        this.parents.set(kind, await rootfsParent(this.client, ref));
      } catch (e) {
        this.imageSkips.set(kind, `could not import ${ref.name}: ${errorMessage(e)}`);
      }
    }
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

  private wasmAnnotations(): Record<string, string> {
    if (isShim(this.runtime) || this.runtime.wasmVia) return {};
    return wasmAnnotationsFor(this.runtime);
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
    const { client, shim } = this.api();
    const kind = req.workload.kind;
    const parent = this.parents.get(kind);
    if (!parent) throw new RuntimeFailure(this.runtime.name, this.supports(kind)?.reason ?? `no ${kind} image`);
    const id = `rb-${this.ctx.runId}-${this.slug}-${++this.counter}`;
    const cgroupsPath = `${this.cgroupParent}/${id}`;
    const w = req.workload;
    const spec = ociConfig({
      args: kind === 'wasm' && this.runtime.wasmVia ? inImageArgs(this.runtime.wasmVia, w) : [this.refs[kind].entrypoint(w.name), ...w.args],
      rootfs: 'rootfs',
      cgroupsPath,
      ...(req.memoryLimitBytes !== undefined ? { memoryLimitBytes: req.memoryLimitBytes } : {}),
      ...(kind === 'wasm' ? { annotations: this.wasmAnnotations() } : {}),
      ...overrides,
    });
    asked?.(spec);
    const stdout = join(this.out, `${id}.out`);
    const stderr = join(this.out, `${id}.err`);
    let pipes: { out: FifoReader; err: FifoReader } | null = null;
    if (separateStdio) {
      const out = FifoReader.open(stdout);
      pipes = { out, err: FifoReader.open(stderr) };
    } else {
      writeFileSync(stdout, '');
      writeFileSync(stderr, '');
    }
    // a fifo is a plain path to every shim; a file is a log URI to the runc shim
    const stdio = (p: string) => (pipes ? p : shim.stdioUri(p));
    const deadline = req.timeoutMs;
    const mem = observe ? memoryCgroupFiles(cgroupsPath) : null;
    const rssBefore = observe && this.daemon?.pid ? procStatusBytes(this.daemon.pid, 'VmRSS') : null;
    this.live.add(id);
    this.sockets.add(shimSocketPath(client.address, this.namespace, id));
    let stage = 'container create';
    try {
      const t0 = now();
      const mounts = await client.prepareSnapshot(this.snapshotter, id, parent);
      await client.createContainer({
        id,
        image: this.refs[kind].name,
        labels: { 'runbench.run': this.ctx.runId },
        runtime: { name: shim.runtimeName, options: shim.options },
        spec: { type_url: SPEC_TYPE_URL, value: Buffer.from(JSON.stringify(spec)) },
        snapshotter: this.snapshotter,
        snapshot_key: id,
      });
      const t1 = now();
      stage = 'task create';
      await client.createTask({ container_id: id, rootfs: mounts, stdin: '', stdout: stdio(stdout), stderr: stdio(stderr), terminal: false }, deadline);
      const t2 = now();
      stage = 'task start';
      // Wait is asked before Start (as ctr does), so the exit cannot be missed.
      const waiting = client.waitTask(id, deadline);
      waiting.catch(() => undefined);
      await client.startTask(id, deadline);
      const t3 = now();
      stage = 'exit';
      const exited = await waiting;
      const t4 = now();

      let shimPeak: number | null = null;
      let cgroupPeak: number | null = null;
      let oomKilled: boolean | null = null;
      if (observe) {
        const shimPid = processesMatching(`-id ${id} `, client.address)[0];
        shimPeak = shimPid !== undefined ? procStatusBytes(shimPid, 'VmHWM') : null;
        if (mem) {
          cgroupPeak = parseMemoryPeak(readOrEmpty(mem.peak).trim());
          oomKilled = parseOomKilled(readOrEmpty(mem.oom));
        }
      }

      beforeCleanup?.(cgroupsPath);
      stage = 'cleanup';
      const t5 = now();
      await client.deleteTask(id, CLEANUP_DEADLINE_MS);
      await client.deleteContainer(id);
      await client.removeSnapshot(this.snapshotter, id);
      const t6 = now();
      this.live.delete(id);

      const rssAfter = observe && this.daemon?.pid ? procStatusBytes(this.daemon.pid, 'VmRSS') : null;
      const layerMemoryBytes: Record<string, number> = {};
      if (shimPeak !== null) layerMemoryBytes.shimPeakRssBytes = shimPeak;
      if (rssAfter !== null) layerMemoryBytes.containerdRssBytes = rssAfter;
      if (rssAfter !== null && this.baselineRss !== null) layerMemoryBytes.containerdRssGrowthBytes = rssAfter - this.baselineRss;
      void rssBefore;
      const status = exited.exit_status;
      return {
        totalNs: ns(t0, t4) + ns(t5, t6),
        phasesNs: {
          containerCreate: ns(t0, t1),
          taskCreate: ns(t1, t2),
          taskStart: ns(t2, t3),
          exit: ns(t3, t4),
          cleanup: ns(t5, t6),
        },
        exitCode: status,
        signal: status > 128 && status < 160 ? status - 128 : 0,
        stdout: pipes ? pipes.out.text() : readOrEmpty(stdout),
        stderr: pipes ? pipes.err.text() : readOrEmpty(stderr),
        runtimePeakRssBytes: null,
        initPeakRssBytes: null,
        cgroupPeakBytes: cgroupPeak,
        oomKilled,
        ...(observe ? { layerMemoryBytes } : {}),
      };
    } catch (e) {
      const detail = errorMessage(e).replace(/^\d+ [A-Z_]+: /, '');
      const err = (pipes ? pipes.err.text() : readOrEmpty(stderr)).trim().split('\n')[0] ?? '';
      throw new RuntimeFailure(this.runtime.name, `${this.runtime.name} via containerd: ${stage} failed: ${detail}${err ? `: ${err}` : ''}`);
    } finally {
      if (this.live.has(id)) await this.dispose(id);
      pipes?.out.close();
      pipes?.err.close();
      rmSync(stdout, { force: true });
      rmSync(stderr, { force: true });
    }
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

  async churn(req: RunRequest, count: number, concurrency: number): Promise<ChurnResult> {
    let next = 0;
    let completed = 0;
    let failed = 0;
    let firstError: string | null = null;
    const t0 = now();
    const worker = async () => {
      while (next < count) {
        next++;
        try {
          const s = await this.one(req, false);
          if (s.exitCode === 0) completed++;
          else {
            failed++;
            firstError ??= `exited ${s.exitCode}`;
          }
        } catch (e) {
          failed++;
          firstError ??= errorMessage(e);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
    return { wallNs: ns(t0, now()), completed, failed, firstError };
  }

  /** Removes one container whatever state it was left in; not-found is success. */
  private async dispose(id: string): Promise<void> {
    const client = this.client;
    if (!client) return;
    const quiet = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (e) {
        if (!isNotFound(e)) return e;
      }
      return null;
    };
    await quiet(client.killTask(id, 9, true));
    // a killed task needs a moment to be reaped before it can be deleted
    for (let i = 0; i < 50; i++) {
      const e = await quiet(client.deleteTask(id, CLEANUP_DEADLINE_MS));
      if (!e) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await quiet(client.deleteContainer(id));
    await quiet(client.removeSnapshot(this.snapshotter, id));
    this.live.delete(id);
  }

  /** Everything in our namespace, then the namespace itself; then our containerd and its directories. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const client = this.client;
    try {
      if (client) {
        const ids = new Set(this.live);
        try {
          for (const t of await client.listTasks()) ids.add(t.id);
          for (const c of await client.listContainers()) ids.add(c.id);
        } catch {
          /* daemon gone: the sweep below handles its leftovers */
        }
        for (const id of ids) await this.dispose(id);
        try {
          for (const s of await client.listSnapshots(this.snapshotter)) {
            if (s.kind !== 'COMMITTED') await client.removeSnapshot(this.snapshotter, s.name).catch(() => undefined);
          }
          for (const l of await client.listLeases()) await client.deleteLease(l.id).catch(() => undefined);
          for (const i of await client.listImages()) await client.deleteImage(i.name, true).catch(() => undefined);
          await client.deleteNamespace(this.namespace);
        } catch (e) {
          if (!this.daemon?.owned) throw new Error(`could not remove containerd namespace ${this.namespace}: ${errorMessage(e)}`);
        }
        client.close();
      }
    } finally {
      await this.daemon?.stop();
      // a shim killed rather than shut down leaves its socket in containerd's fixed directory
      for (const s of this.sockets) if (existsSync(s)) rmSync(s, { force: true });
      // runtimes remove their containers' cgroups; a killed one may not have
      await sweepCgroups(this.cgroupParent.slice(1));
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
