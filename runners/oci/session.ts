/**
 * The OCI-CLI runner: drives any runtime that speaks the OCI command line (runc, crun,
 * youki, runsc, a user's NAME=PATH) with create / start / state / kill / delete.
 *
 * Each runtime gets its own `--root` state directory and a cgroup parent of its own
 * under runbench-<runId>, so runbench never sees or touches containers it did not
 * create, and a final sweep can find anything a misbehaving runtime left behind.
 */
import { closeSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa, type Options } from 'execa';
import { sweepCgroups } from '../../core/cgroups.ts';
import { RuntimeFailure } from '../../core/errors.ts';
import { inImageRootfsMissing } from '../../core/in-image.ts';
import { eachLimited } from '../../core/pool.ts';
import type { Capabilities, ChurnDeadline, ChurnResult, RunRequest, RunnerContext, RunnerSession, TimedSample, Unsupported } from '../../core/runner.ts';
import { kindUnsupported } from '../../core/runtimes.ts';
import { wasmModulesMissing } from '../../core/wasm-modules.ts';
import type { RuntimeInfo, WorkloadKind } from '../../core/schema.ts';
import { containerId, slug } from '../../core/slug.ts';
import { TimingHelper } from '../../core/timing-helper.ts';
import { readOrEmpty } from '../shared/files.ts';
import { writeBundle, type ConfigOverrides, type OciContainerSpec } from './bundle.ts';
import { churn } from './churn.ts';
import { OciDensity } from './density.ts';
import { hasStateEntry, killAndDelete, leftoverIds } from './cleanup.ts';
import { timedLifecycle, timedRun, type Timed } from './timed.ts';

/** A timed operation on a prepared container, with its output discarded or captured. */
type Measured = (c: OciContainerSpec, discard: boolean) => Promise<TimedSample>;

export class OciSession implements RunnerSession {
  readonly layer = 'oci' as const;
  readonly lifecyclePhases = ['create', 'start', 'exit', 'delete'] as const;
  readonly oneShotName: string;
  private readonly stateRoot: string;
  private readonly bundles: string;
  private readonly cgroupParent: string;
  private readonly helper: TimingHelper;
  private readonly pool: TimingHelper[] = [];
  private counter = 0;
  private readonly live = new Set<string>();
  private closed = false;
  /** Set once the runtime is seen to fail only when its output goes to /dev/null. */
  private discardFails = false;
  private readonly slug: string;
  private readonly density: OciDensity;
  /** The conformance capability is added by the layer's index, which also knows the target. */
  readonly capabilities: Partial<Capabilities>;

  constructor(
    readonly runtime: RuntimeInfo,
    private readonly ctx: RunnerContext,
  ) {
    if (!runtime.path) throw new RuntimeFailure(runtime.name, `${runtime.name} has no binary`);
    this.oneShotName = `${runtime.name} run`;
    // a display name may hold a slash (runc/wasmtime-in-image): paths, ids and cgroups take its slug
    this.slug = slug(runtime.name);
    const base = join(ctx.workDir, 'oci', this.slug);
    this.stateRoot = join(base, 'state');
    this.bundles = join(base, 'bundles');
    mkdirSync(this.stateRoot, { recursive: true, mode: 0o700 });
    mkdirSync(this.bundles, { recursive: true });
    this.cgroupParent = `/runbench-${ctx.runId}/${this.slug}`;
    this.helper = TimingHelper.start();
    ctx.scope.defer(`oci session ${runtime.name}`, () => this.close());
    this.density = new OciDensity({
      runtime: runtime.name,
      argv: (...args) => this.argv(...args),
      prepare: (req) => this.prepare(req),
      release: (c) => this.dispose(c),
      hasState: (id) => this.hasState(id),
    });
    this.capabilities = {
      oneShot: { name: this.oneShotName, run: (req) => this.runOnce(req) },
      lifecycle: { phases: this.lifecyclePhases, run: (req) => this.lifecycle(req) },
      churn: { run: (req, count, concurrency, deadline) => this.churn(req, count, concurrency, deadline) },
      density: this.density,
    };
  }

  /** `RUNTIME [global args] --root STATE <args>` */
  argv(...args: string[]): string[] {
    return [this.runtime.path as string, ...this.runtime.globalArgs, '--root', this.stateRoot, ...args];
  }

  supports(kind: WorkloadKind): Unsupported {
    const via = kind === 'wasm' ? this.runtime.wasmVia : undefined;
    const modules = kind === 'wasm' ? this.runtime.wasmModules : undefined;
    const why =
      kindUnsupported(this.runtime, kind) ??
      (via ? inImageRootfsMissing(via, this.ctx.arch) : null) ??
      (modules ? wasmModulesMissing(modules, this.ctx.arch) : null);
    return why ? { reason: why } : null;
  }

  /** Writes a fresh bundle for one container; nothing here is timed. */
  prepare(req: RunRequest, overrides: ConfigOverrides = {}): OciContainerSpec {
    const id = containerId(this.ctx.runId, this.slug, ++this.counter);
    const c = writeBundle({
      id,
      dir: join(this.bundles, id),
      cgroupsPath: `${this.cgroupParent}/${id}`,
      runtime: this.runtime,
      arch: this.ctx.arch,
      req,
      overrides,
    });
    this.live.add(id);
    return c;
  }

  /** What the timed operations (timed.ts) use of this session. */
  private get timed(): Timed {
    return { helper: this.helper, argv: (...args) => this.argv(...args), runtime: this.runtime.name };
  }

  /**
   * A sample taken with the output discarded has no error text to show: when one fails,
   * the same operation runs again with its output captured, for the diagnosis, and then
   * once more to /dev/null. Only a runtime that fails again that way fails because of
   * /dev/null (youki 0.7 does): it is measured with its output captured from then on, and
   * says so. One that passes the second time failed once, and that failure stands: it is a
   * failed attempt of its series (the retries are diagnosis, not samples).
   */
  private async diagnose(req: RunRequest, op: 'runOnce' | 'lifecycle', fn: Measured, first: RuntimeFailure): Promise<TimedSample> {
    const captured = await this.attempt(req, fn, false);
    try {
      await this.attempt(req, fn, true);
    } catch (again) {
      if (!(again instanceof RuntimeFailure) || again.hung) throw again;
      this.discardFails = true;
      this.ctx.events.emit('log', {
        level: 'warn',
        message: `${this.runtime.name} fails with its output sent to /dev/null (${first.message}) and passes with it captured: its samples capture output to a file`,
      });
      return captured;
    }
    throw new RuntimeFailure(
      this.runtime.name,
      `${first.message} (${op === 'runOnce' ? 'run' : 'lifecycle'} failed once: the same operation passed right after, with its output captured and to /dev/null)`,
      { hung: first.hung },
    );
  }

  /** One measured container: prepared, measured, and disposed of whatever happened. */
  private async attempt(req: RunRequest, fn: Measured, discard: boolean): Promise<TimedSample> {
    const c = this.prepare(req);
    let failed = true;
    try {
      const s = await fn(c, discard);
      failed = false;
      return s;
    } finally {
      await this.dispose(c, failed);
    }
  }

  private async measure(req: RunRequest, op: 'runOnce' | 'lifecycle', fn: Measured): Promise<TimedSample> {
    const discard = req.discardOutput === true && !this.discardFails;
    try {
      return await this.attempt(req, fn, discard);
    } catch (e) {
      if (discard && e instanceof RuntimeFailure && !e.hung) return this.diagnose(req, op, fn, e);
      throw e;
    }
  }

  async runOnce(req: RunRequest): Promise<TimedSample> {
    return this.measure(req, 'runOnce', (c, discard) => timedRun(this.timed, c, req, discard));
  }

  async lifecycle(req: RunRequest): Promise<TimedSample> {
    return this.measure(req, 'lifecycle', (c, discard) => timedLifecycle(this.timed, c, req, discard));
  }

  async churn(req: RunRequest, count: number, concurrency: number, deadline?: ChurnDeadline): Promise<ChurnResult> {
    while (this.pool.length < concurrency) this.pool.push(TimingHelper.start());
    const session = {
      runtime: this.runtime.name,
      argv: (...args: string[]) => this.argv(...args),
      prepare: (r: RunRequest) => this.prepare(r),
      dispose: (c: OciContainerSpec, failed: boolean) => this.dispose(c, failed),
    };
    return churn(session, this.pool.slice(0, concurrency), req, count, deadline);
  }

  /** True when the runtime still has state for this id (run/delete normally remove it). */
  hasState(id: string): boolean {
    return hasStateEntry(this.stateRoot, id);
  }

  /**
   * Removes one container and its bundle, forcefully if the runtime left it behind. After a
   * failure its cgroup is swept too: a process a hung or crashed runtime left in it would
   * otherwise run on into the next sample's timing.
   */
  private async dispose(c: OciContainerSpec, failed = false): Promise<void> {
    if (this.hasState(c.id)) await this.forceDelete(c.id);
    if (failed) await sweepCgroups(c.cgroupsPath.slice(1));
    rmSync(c.bundle, { recursive: true, force: true });
    this.live.delete(c.id);
  }

  /** Removes a container made by `prepare` once a caller is done with it (as runOnce does). */
  async release(c: OciContainerSpec): Promise<void> {
    await this.dispose(c);
  }

  /**
   * One runtime subcommand with this session's --root, untimed: for callers that drive the
   * lifecycle step by step (conformance). Output goes to files so a container holding the
   * runtime's stdio cannot keep the call waiting.
   */
  async cli(
    args: string[],
    opts: { stdout?: string; stderr?: string; timeoutMs?: number } = {},
  ): Promise<{ exitCode: number; signal: string | null; timedOut: boolean; stdout: string; stderr: string }> {
    const [file, ...rest] = this.argv(...args);
    // Plain descriptors, not execa's file option (a pipe the container would hold open).
    const out = opts.stdout ? openSync(opts.stdout, 'w') : null;
    const err = opts.stderr ? openSync(opts.stderr, 'w') : null;
    const r = await execa(file as string, rest, {
      reject: false,
      timeout: opts.timeoutMs ?? 30_000,
      stdin: 'ignore',
      stdout: out ?? 'pipe',
      stderr: err ?? 'pipe',
    } as Options).finally(() => {
      if (out !== null) closeSync(out);
      if (err !== null) closeSync(err);
    });
    return {
      exitCode: r.exitCode ?? -1,
      signal: r.signal ?? null,
      timedOut: r.timedOut,
      stdout: opts.stdout ? readOrEmpty(opts.stdout) : String(r.stdout ?? ''),
      stderr: opts.stderr ? readOrEmpty(opts.stderr) : String(r.stderr ?? ''),
    };
  }

  /** Kills and deletes a container the runtime still has, ignoring failures. */
  async forceDelete(id: string): Promise<void> {
    await killAndDelete((...args) => this.argv(...args), id);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // an interrupted density fill: its containers go first, all their processes at once
    await this.density.close().catch(() => undefined);
    // Anything the runtime still knows about under our --root is ours: remove it.
    await eachLimited([...new Set([...this.live, ...leftoverIds(this.stateRoot, this.ctx.runId)])], 8, (id) => this.forceDelete(id), Date.now() + 120_000);
    await Promise.all([this.helper, ...this.pool].map((h) => h.close()));
    // Whatever the runtime left in this session's cgroups (a crashed runtime's init) goes too.
    await sweepCgroups(this.cgroupParent.slice(1));
    rmSync(join(this.ctx.workDir, 'oci', this.slug), { recursive: true, force: true });
  }
}
