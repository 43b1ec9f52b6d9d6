/**
 * The OCI-CLI runner: drives any runtime that speaks the OCI command line (runc, crun,
 * youki, runsc, a user's NAME=PATH) with create / start / state / kill / delete.
 *
 * Each runtime gets its own `--root` state directory and a cgroup parent of its own
 * under runbench-<runId>, so runbench never sees or touches containers it did not
 * create, and a final sweep can find anything a misbehaving runtime left behind.
 */
import { closeSync, mkdirSync, openSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { execa, type Options } from 'execa';
import { memoryCgroupFiles, parseMemoryPeak, parseOomKilled, sweepCgroups } from '../../core/cgroups.ts';
import { RuntimeFailure } from '../../core/errors.ts';
import { ociConfig } from '../../core/oci-spec.ts';
import { rootfsDir } from '../../core/paths.ts';
import type { RuntimeInfo, WorkloadKind } from '../../core/schema.ts';
import { TimingHelper, type SeqReply, type Step, type StepResult } from '../../core/timing-helper.ts';
import { workloadEntrypoint } from '../../core/workloads.ts';
import { kindUnsupported, wasmAnnotationsFor } from '../../core/runtimes.ts';
import { inImageArgs, inImageRootfs, inImageRootfsMissing } from '../../core/in-image.ts';
import { slug } from '../../core/slug.ts';
import { readOrEmpty } from '../shared/files.ts';
import type { Capabilities, ChurnResult, RunRequest, RunnerContext, RunnerSession, TimedSample, Unsupported } from '../../core/runner.ts';

const CLEANUP_TIMEOUT_MS = 15_000;

export interface OciContainerSpec {
  id: string;
  bundle: string;
  pidFile: string;
  stdout: string;
  stderr: string;
  cgroupsPath: string;
}

function first(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find(Boolean) ?? ''
  );
}

function signalName(signal: number): string {
  return Object.entries(constants.signals).find(([, n]) => n === signal)?.[0] ?? `signal ${signal}`;
}

function kib(kb: number): number | null {
  return kb > 0 ? kb * 1024 : null;
}

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
    this.capabilities = {
      oneShot: { name: this.oneShotName, run: (req) => this.runOnce(req) },
      lifecycle: { phases: this.lifecyclePhases, run: (req) => this.lifecycle(req) },
      churn: { run: (req, count, concurrency) => this.churn(req, count, concurrency) },
    };
  }

  /** `RUNTIME [global args] --root STATE <args>` */
  argv(...args: string[]): string[] {
    return [this.runtime.path as string, ...this.runtime.globalArgs, '--root', this.stateRoot, ...args];
  }

  supports(kind: WorkloadKind): Unsupported {
    const via = kind === 'wasm' ? this.runtime.wasmVia : undefined;
    const why = kindUnsupported(this.runtime, kind) ?? (via ? inImageRootfsMissing(via, this.ctx.arch) : null);
    return why ? { reason: why } : null;
  }

  /** Writes a fresh bundle for one container; nothing here is timed. */
  prepare(req: RunRequest, overrides: Partial<Parameters<typeof ociConfig>[0]> = {}): OciContainerSpec {
    const id = `rb-${this.ctx.runId}-${this.slug}-${++this.counter}`;
    const bundle = join(this.bundles, id);
    mkdirSync(bundle, { recursive: true });
    const cgroupsPath = `${this.cgroupParent}/${id}`;
    const w = req.workload;
    // in-image: an ordinary container whose own wasmtime runs the module, no Wasm annotation
    const via = w.kind === 'wasm' ? this.runtime.wasmVia : undefined;
    const config = ociConfig({
      args: via ? inImageArgs(via, w) : [workloadEntrypoint(w), ...w.args],
      rootfs: via ? inImageRootfs(via, this.ctx.arch) : rootfsDir(this.ctx.arch),
      cgroupsPath,
      ...(req.memoryLimitBytes !== undefined ? { memoryLimitBytes: req.memoryLimitBytes } : {}),
      ...(w.kind === 'wasm' && !via ? { annotations: wasmAnnotationsFor(this.runtime) } : {}),
      ...overrides,
    });
    writeFileSync(join(bundle, 'config.json'), JSON.stringify(config, null, 2));
    this.live.add(id);
    return {
      id,
      bundle,
      pidFile: join(bundle, 'pid'),
      stdout: join(bundle, 'stdout'),
      stderr: join(bundle, 'stderr'),
      cgroupsPath,
    };
  }

  private failure(c: OciContainerSpec, reply: SeqReply, what: string): RuntimeFailure {
    const bad = reply.steps.find((s) => s.timedOut || s.exitCode !== 0 || s.error) ?? reply.steps[reply.steps.length - 1];
    const stderr = first(readOrEmpty(c.stderr));
    const detail = bad?.timedOut
      ? `'${bad.label}' hung and was killed`
      : bad && bad.signal !== 0 && bad.kind === 'EXEC'
        ? `'${bad.label}' was killed by ${signalName(bad.signal)}`
        : bad
          ? `'${bad.label}' ${bad.error ?? `exited ${bad.exitCode}`}`
          : (reply.error ?? 'no reply');
    return new RuntimeFailure(this.runtime.name, `${this.runtime.name} ${what}: ${detail}${stderr ? `: ${stderr}` : ''}`);
  }

  private crashed(c: OciContainerSpec, step: string, signal: number): RuntimeFailure {
    const stderr = first(readOrEmpty(c.stderr));
    return new RuntimeFailure(this.runtime.name, `${this.runtime.name} ${step} was killed by ${signalName(signal)}${stderr ? `: ${stderr}` : ''}`);
  }

  private sampleFrom(c: OciContainerSpec, cli: StepResult[], exit: StepResult | undefined): Omit<TimedSample, 'totalNs' | 'phasesNs'> {
    const rss = cli.map((s) => s.maxRssKb).filter((x) => x > 0);
    return {
      exitCode: exit?.exitCode ?? -1,
      signal: exit?.signal ?? 0,
      stdout: readOrEmpty(c.stdout),
      stderr: readOrEmpty(c.stderr),
      runtimePeakRssBytes: rss.length > 0 ? Math.max(...rss) * 1024 : null,
      initPeakRssBytes: null,
      cgroupPeakBytes: null,
      oomKilled: null,
    };
  }

  /** Where a container's and the runtime's output go: files, or /dev/null while timed. */
  private io(c: OciContainerSpec, discard: boolean) {
    const f = (path: string) => (discard ? '/dev/null' : path);
    return { stdout: f(c.stdout), stderr: f(c.stderr), start: f(`${c.stderr}.start`), delete: f(`${c.stderr}.delete`) };
  }

  /**
   * A sample taken with the output discarded has no error text to show: when one fails,
   * the same operation runs again with its output captured, for the diagnosis.
   */
  private async diagnose(req: RunRequest, op: 'runOnce' | 'lifecycle', first: RuntimeFailure): Promise<TimedSample> {
    const sample = await this[op]({ ...req, discardOutput: false });
    // It fails only when its output goes to /dev/null (youki 0.7 does): measure it with
    // its output captured from now on, and say so, rather than lose the runtime.
    this.discardFails = true;
    this.ctx.events.emit('log', {
      level: 'warn',
      message: `${this.runtime.name} fails with its output sent to /dev/null (${first.message}) and passes with it captured: its samples capture output to a file`,
    });
    return sample;
  }

  /**
   * One measured container: prepared, measured, and disposed of whatever happened. A
   * runtime that fails only with its output discarded is measured again with it captured.
   */
  private async measure(
    req: RunRequest,
    op: 'runOnce' | 'lifecycle',
    fn: (c: OciContainerSpec, discard: boolean, io: ReturnType<OciSession['io']>) => Promise<TimedSample>,
  ): Promise<TimedSample> {
    const c = this.prepare(req);
    const discard = req.discardOutput === true && !this.discardFails;
    try {
      return await fn(c, discard, this.io(c, discard));
    } catch (e) {
      if (discard && e instanceof RuntimeFailure && !/hung/.test(e.message)) {
        await this.dispose(c);
        return this.diagnose(req, op, e);
      }
      throw e;
    } finally {
      await this.dispose(c);
    }
  }

  async runOnce(req: RunRequest): Promise<TimedSample> {
    return this.measure(req, 'runOnce', async (c, discard, io) => {
      const reply = await this.helper.run(
        [{ kind: 'exec', label: 'run', argv: this.argv('run', '--bundle', c.bundle, c.id), stdout: io.stdout, stderr: io.stderr }],
        req.timeoutMs,
      );
      const run = reply.steps[0];
      if (!run || run.timedOut || run.error) throw this.failure(c, reply, 'run failed');
      // `run` reports the container's exit code as its own, so a non-zero exit is the
      // workload's; a signal, though, killed the runtime process itself.
      if (run.signal !== 0) throw this.crashed(c, 'run', run.signal);
      if (discard && run.exitCode !== 0) throw new RuntimeFailure(this.runtime.name, `${this.runtime.name} run exited ${run.exitCode}`);
      return {
        ...this.sampleFrom(c, [run], run),
        totalNs: run.endNs - run.startNs,
        phasesNs: { run: run.endNs - run.startNs },
        ...(discard ? { outputDiscarded: true } : {}),
      };
    });
  }

  async lifecycle(req: RunRequest): Promise<TimedSample> {
    return this.measure(req, 'lifecycle', async (c, discard, io) => {
      const mem = memoryCgroupFiles(c.cgroupsPath);
      const steps: Step[] = [
        { kind: 'exec', label: 'create', argv: this.argv('create', '--bundle', c.bundle, '--pid-file', c.pidFile, c.id), stdout: io.stdout, stderr: io.stderr },
        { kind: 'exec', label: 'start', argv: this.argv('start', c.id), stderr: io.start },
        { kind: 'waitpid', label: 'exit', pidFile: c.pidFile },
        ...(mem
          ? ([
              { kind: 'read', label: 'cgroupPeak', path: mem.peak },
              { kind: 'read', label: 'oom', path: mem.oom },
            ] as Step[])
          : []),
        { kind: 'exec', label: 'delete', argv: this.argv('delete', c.id), stderr: io.delete },
      ];
      const reply = await this.helper.run(steps, req.timeoutMs);
      if (reply.error) throw this.failure(c, reply, 'lifecycle failed');
      const by = (label: string) => reply.steps.find((s) => s.label === label);
      const create = by('create');
      const start = by('start');
      const exit = by('exit');
      const del = by('delete');
      if (!create || !start || !exit || !del) throw this.failure(c, reply, 'lifecycle incomplete');
      if (discard && exit.exitCode !== 0) throw new RuntimeFailure(this.runtime.name, `${req.workload.name} exited ${exit.exitCode}`);
      const peak = by('cgroupPeak');
      const sample = this.sampleFrom(c, [create, start, del], exit);
      return {
        ...sample,
        // the waited-for init reports its own peak; a polled one (not our child) cannot
        initPeakRssBytes: exit.value === 'polled' ? null : kib(exit.maxRssKb),
        cgroupPeakBytes: peak && !peak.error ? parseMemoryPeak(peak.value) : null,
        oomKilled: parseOomKilled(by('oom')?.value ?? ''),
        totalNs: del.endNs - create.startNs,
        phasesNs: {
          create: create.endNs - create.startNs,
          start: start.endNs - start.startNs,
          exit: exit.endNs - start.endNs,
          delete: del.endNs - del.startNs,
        },
        ...(discard ? { outputDiscarded: true } : {}),
      };
    });
  }

  async churn(req: RunRequest, count: number, concurrency: number): Promise<ChurnResult> {
    while (this.pool.length < concurrency) this.pool.push(TimingHelper.start());
    const specs = Array.from({ length: count }, () => this.prepare(req));
    let next = 0;
    let completed = 0;
    let failed = 0;
    let firstError: string | null = null;
    const t0 = process.hrtime.bigint();
    const worker = async (helper: TimingHelper) => {
      for (;;) {
        const c = specs[next++];
        if (!c) return;
        const reply = await helper.run(
          [{ kind: 'exec', label: 'run', argv: this.argv('run', '--bundle', c.bundle, c.id), stdout: c.stdout, stderr: c.stderr }],
          req.timeoutMs,
        );
        const run = reply.steps[0];
        if (run && !run.error && !run.timedOut && run.exitCode === 0) completed++;
        else {
          failed++;
          firstError ??= this.failure(c, reply, 'run failed').message;
        }
      }
    };
    try {
      await Promise.all(this.pool.slice(0, concurrency).map(worker));
      return { wallNs: Number(process.hrtime.bigint() - t0), completed, failed, firstError };
    } finally {
      for (const c of specs) await this.dispose(c);
    }
  }

  /** True when the runtime still has state for this id (run/delete normally remove it). */
  hasState(id: string): boolean {
    try {
      // exact id, or the id with a suffix (runsc's <id>_sandbox:<id>.state), never id-1 matching id-10
      return readdirSync(this.stateRoot).some((e) => e.startsWith(id) && !/^[0-9]/.test(e.slice(id.length)));
    } catch {
      return false;
    }
  }

  /** Removes one container and its bundle, forcefully if the runtime left it behind. */
  private async dispose(c: OciContainerSpec): Promise<void> {
    if (this.hasState(c.id)) await this.forceDelete(c.id);
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

  async forceDelete(id: string): Promise<void> {
    await execa(this.runtime.path as string, [...this.runtime.globalArgs, '--root', this.stateRoot, 'kill', id, 'KILL'], {
      reject: false,
      timeout: CLEANUP_TIMEOUT_MS,
    });
    await execa(this.runtime.path as string, [...this.runtime.globalArgs, '--root', this.stateRoot, 'delete', '--force', id], {
      reject: false,
      timeout: CLEANUP_TIMEOUT_MS,
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Anything the runtime still knows about under our --root is ours: remove it.
    let leftovers: string[] = [];
    try {
      leftovers = readdirSync(this.stateRoot).filter((e) => e.startsWith(`rb-${this.ctx.runId}-`));
    } catch {
      leftovers = [];
    }
    for (const id of new Set([...this.live, ...leftovers.map((e) => e.replace(/\.(state|json)$/, ''))])) {
      await this.forceDelete(id);
    }
    await Promise.all([this.helper, ...this.pool].map((h) => h.close()));
    // Whatever the runtime left in this session's cgroups (a crashed runtime's init) goes too.
    await sweepCgroups(this.cgroupParent.slice(1));
    rmSync(join(this.ctx.workDir, 'oci', this.slug), { recursive: true, force: true });
  }
}
