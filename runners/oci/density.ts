/**
 * Density at the oci layer (suites/density.ts): idle containers made with `RUNTIME create`
 * and `RUNTIME start` through a timing helper of their own. That helper is a child
 * subreaper, so whatever the runtime leaves running (a container's init; runsc's sandbox,
 * gofer and the processes they start; nothing else, since runc, crun and youki leave no
 * monitor process) is reparented to it: the footprint is the PSS of everything below it,
 * and removing the containers starts with one KILLALL that kills and reaps all of it at
 * once, before `RUNTIME delete --force` removes each container's state and cgroups, eight at
 * a time. If runbench dies, the helper (PR_SET_PDEATHSIG) kills the same processes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { cgroupCurrentBytes, memoryCgroupDir } from '../../core/cgroups.ts';
import { DEFAULT_DENSITY_MAX, defaultBudget, fdGauge, hostGauges } from '../../core/density.ts';
import { eachLimited } from '../../core/pool.ts';
import { descendants, isRunning, processTable, pssOf, settledDescendants } from '../../core/procfs.ts';
import type { Density, DensityDefaults, Footprint, IdleUnit, RunRequest } from '../../core/runner.ts';
import { TimingHelper } from '../../core/timing-helper.ts';
import type { OciContainerSpec } from './bundle.ts';
import { stepFailure } from './failure.ts';

/** Containers removed at once: `delete` is short, and the host has few cores. */
const REMOVE_CONCURRENCY = 8;

/** What the capability needs of its session. */
export interface OciDensityHost {
  runtime: string;
  argv(...args: string[]): string[];
  prepare(req: RunRequest): OciContainerSpec;
  /** Removes a container's bundle (and the container, if the runtime still has it). */
  release(c: OciContainerSpec): Promise<void>;
  hasState(id: string): boolean;
}

export class OciDensity implements Density {
  readonly startDefinition = '`RUNTIME create` until `RUNTIME start` returned (both timed by rb-exec)';
  readonly footprintOf = 'PSS of every process the containers left running';
  private helper: TimingHelper | null = null;
  private readonly units = new Map<string, OciContainerSpec>();
  /** Each container's init as the runtime's --pid-file gave it, to tell whether it still runs. */
  private readonly pids = new Map<string, number>();

  constructor(private readonly host: OciDensityHost) {}

  defaults(): DensityDefaults {
    return { budgetBytes: defaultBudget(), maxCount: DEFAULT_DENSITY_MAX, concurrency: 1, settleMs: 0 };
  }

  labels(): Record<string, string> {
    return {};
  }

  source(): string | null {
    return null;
  }

  async startIdle(req: RunRequest): Promise<IdleUnit> {
    this.helper ??= TimingHelper.start();
    const c = this.host.prepare(req);
    const reply = await this.helper.run(
      [
        { kind: 'exec', label: 'create', argv: this.host.argv('create', '--bundle', c.bundle, '--pid-file', c.pidFile, c.id), stdout: c.stdout, stderr: c.stderr },
        { kind: 'exec', label: 'start', argv: this.host.argv('start', c.id), stderr: c.stderr },
      ],
      req.timeoutMs,
    );
    const [create, start] = reply.steps;
    const ok = (s: typeof create) => s && !s.error && !s.timedOut && s.exitCode === 0 && s.signal === 0;
    if (reply.error || !ok(create) || !ok(start) || !create || !start) {
      const failure = stepFailure(this.host.runtime, c, reply, 'idle container failed to start');
      await this.host.release(c);
      throw failure;
    }
    this.units.set(c.id, c);
    const pid = Number(readPidFile(c.pidFile));
    if (Number.isInteger(pid) && pid > 0) this.pids.set(c.id, pid);
    return { name: c.id, startNs: start.endNs - create.startNs };
  }

  /** The containers whose init (the --pid-file's pid) no longer runs: it exited, or is a zombie rb-exec has yet to reap. */
  async exited(names: readonly string[]): Promise<string[]> {
    return names.flatMap((n) => {
      const pid = this.pids.get(n);
      return pid !== undefined && !isRunning(pid) ? [`${n}: its init (pid ${pid}) no longer runs`] : [];
    });
  }

  async footprint(names: readonly string[]): Promise<Footprint> {
    const root = this.helper?.pid;
    const pids = root ? (await settledDescendants([root])).filter((p) => p !== root) : [];
    const pss = pssOf(pids);
    const memoryRoot = memoryCgroupDir('');
    const cgroups = names.flatMap((n) => {
      const c = this.units.get(n);
      const bytes = c && memoryRoot ? cgroupCurrentBytes(join(memoryRoot, c.cgroupsPath)) : null;
      return bytes === null ? [] : [bytes];
    });
    return {
      bytes: pss.totalBytes,
      byProcess: Object.fromEntries(Object.entries(pss.byName).map(([k, v]) => [k, v.bytes])),
      cgroupBytes: cgroups.length > 0 ? cgroups.reduce((a, b) => a + b, 0) : null,
      perUnit: { idleCgroupBytes: { bytes: cgroups, source: "each container's memory cgroup usage (kernel memory and page cache included)" } },
    };
  }

  async headroom() {
    return [...hostGauges(), ...fdGauge(process.pid, 'runbench'), ...fdGauge(this.helper?.pid, 'rb-exec')];
  }

  /**
   * Every process the runtimes left, killed and reaped at once. rb-exec reaps for a short
   * while after its kill; a thousand sandboxes take longer to die, and a runtime takes a
   * zombie it was not given back for alive: it is asked again until nothing is below it.
   */
  private async killAll(): Promise<void> {
    const helper = this.helper;
    const pid = helper?.pid;
    if (!helper || !pid) return;
    for (let i = 0; i < 50; i++) {
      await helper.killAll().catch(() => undefined);
      if (descendants(processTable(), [pid]).length <= 1) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async remove(names: readonly string[], deadlineMs: number): Promise<{ concurrency: number; leftovers: string[] }> {
    const specs = names.flatMap((n) => this.units.get(n) ?? []);
    await this.killAll();
    const { failed, notStarted } = await eachLimited(
      specs,
      REMOVE_CONCURRENCY,
      async (c) => {
        // crun 1.21 has refused 2 of 989 such deletes ("open pidfd: No such file or directory")
        // and a second try is cheap: three, the last without --force
        let why = '';
        for (const force of [true, true, false]) {
          const [file, ...args] = this.host.argv('delete', ...(force ? ['--force'] : []), c.id);
          const r = await execa(file as string, args, { reject: false, timeout: 15_000 });
          if (!this.host.hasState(c.id)) break;
          why ||= r.timedOut ? 'hung and was killed' : `exited ${r.exitCode ?? r.signal}: ${String(r.stderr).trim().split('\n')[0] ?? ''}`;
          await new Promise((res) => setTimeout(res, 100));
        }
        const left = this.host.hasState(c.id);
        await this.host.release(c);
        this.units.delete(c.id);
        this.pids.delete(c.id);
        if (left) throw new Error(`\`${this.host.runtime} delete --force\` ${why}; the runtime still has its state`);
      },
      deadlineMs,
    );
    const leftovers = [
      ...failed.map((f) => `${f.item.id}: ${f.error}`),
      ...notStarted.map((c) => `${c.id}: not removed before the deadline`),
    ];
    return { concurrency: REMOVE_CONCURRENCY, leftovers };
  }

  /** Removes what is left (an interrupted fill) and stops the helper. */
  async close(): Promise<void> {
    if (this.units.size > 0) await this.remove([...this.units.keys()], Date.now() + 120_000);
    await this.helper?.close();
    this.helper = null;
  }
}

function readPidFile(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}
