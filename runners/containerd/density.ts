/**
 * Density at the containerd layer (suites/density.ts): idle tasks made with the RPCs `ctr
 * run -d` makes (snapshot prepare, container create, task create, task start), each timed
 * on the client's clock. The footprint is the PSS of runbench's own containerd (its growth
 * counts: the baseline is taken before the first container), of every shim serving the
 * session's containers and of everything below the shims (the containers' processes;
 * runsc's sandbox and gofer). The teardown removes 16 containers at a time (task killed and
 * deleted, container deleted, snapshot removed).
 */
import { join } from 'node:path';
import { cgroupCurrentBytes, memoryCgroupDir, sweepCgroups } from '../../core/cgroups.ts';
import { DEFAULT_DENSITY_MAX, defaultBudget, fdGauge, hostGauges, type Gauge } from '../../core/density.ts';
import { RuntimeFailure, errorMessage } from '../../core/errors.ts';
import { eachLimited } from '../../core/pool.ts';
import { isRunning, pssOf, settledDescendants } from '../../core/procfs.ts';
import type { Density, DensityDefaults, Footprint, IdleUnit, RunRequest } from '../../core/runner.ts';
import { SPEC_TYPE_URL, type ContainerdClient } from './api.ts';
import { removeContainer } from './cleanup.ts';
import { processesMatching } from './daemon.ts';
import { imageOf, type ImageRef } from './images.ts';
import type { ShimConfig } from './shim.ts';
import { containerSpec } from './spec.ts';
import { ContainerStdio } from './stdio.ts';

const REMOVE_CONCURRENCY = 16;

/** What the capability needs of its session, once the session is open. */
export interface ContainerdDensityHost {
  runtime: string;
  api(): { client: ContainerdClient; shim: ShimConfig };
  /** The committed snapshot of the kind's image, and the image. */
  image(kind: RunRequest['workload']['kind']): { parent: string; ref: ImageRef };
  spec: (ref: ImageRef, req: RunRequest, cgroupsPath: string) => ReturnType<typeof containerSpec>;
  /** A fresh container id and its cgroup path; the shim's socket is recorded in the run's ledger. */
  next(): { id: string; cgroupsPath: string };
  snapshotter: string;
  runId: string;
  /** Where the containers' output files go. */
  outDir: string;
  daemonPid(): number | null;
  /** How runbench's own containerd ended, once it has (null while it runs, or when it is not runbench's). */
  daemonGone(): string | null;
  /** Checks, untimed, what a started container's image left in the content store (precompiled code). */
  started(image: string): Promise<void>;
}

interface Unit {
  cgroupsPath: string;
  stdio: ContainerStdio;
}

export class ContainerdDensity implements Density {
  readonly startDefinition = 'snapshot prepare, container create, task create and task start (the RPCs of `ctr run -d`), on the client clock';
  readonly footprintOf = 'PSS of containerd, the shims and every process below them';
  private readonly units = new Map<string, Unit>();

  constructor(private readonly host: ContainerdDensityHost) {}

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
    const { client, shim } = this.host.api();
    const { parent, ref } = this.host.image(req.workload.kind);
    const { id, cgroupsPath } = this.host.next();
    const image = imageOf(ref, req.workload.name);
    const spec = this.host.spec(ref, req, cgroupsPath);
    const stdio = new ContainerStdio(this.host.outDir, id, false, shim);
    this.units.set(id, { cgroupsPath, stdio });
    let stage = 'container create';
    try {
      const t0 = process.hrtime.bigint();
      const mounts = await client.prepareSnapshot(this.host.snapshotter, id, parent);
      await client.createContainer({
        id,
        image,
        labels: { 'runbench.run': this.host.runId },
        runtime: { name: shim.runtimeName, options: shim.options },
        spec: { type_url: SPEC_TYPE_URL, value: Buffer.from(JSON.stringify(spec)) },
        snapshotter: this.host.snapshotter,
        snapshot_key: id,
      });
      stage = 'task create';
      await client.createTask({ container_id: id, rootfs: mounts, stdin: '', stdout: stdio.stdout, stderr: stdio.stderr, terminal: false }, req.timeoutMs);
      stage = 'task start';
      await client.startTask(id, req.timeoutMs);
      const startNs = Number(process.hrtime.bigint() - t0);
      stage = 'check for precompiled code';
      await this.host.started(image);
      return { name: id, startNs };
    } catch (e) {
      const detail = errorMessage(e).replace(/^\d+ [A-Z_]+: /, '');
      const err = stdio.firstErrorLine();
      const gone = await this.goneNow();
      await this.removeOne(id).catch(() => undefined);
      throw new RuntimeFailure(this.host.runtime, `${this.host.runtime} via containerd: idle ${stage} failed: ${detail}${err ? `: ${err}` : ''}${gone ? ` (${gone})` : ''}`);
    }
  }

  /** How containerd ended, if it has: a call failing as it dies may be seen before its exit is, so a dead pid gets a second to be. */
  private async goneNow(): Promise<string | null> {
    const pid = this.host.daemonPid();
    for (let i = 0; i < 20 && pid !== null && !this.host.daemonGone() && !isRunning(pid); i++) await new Promise((r) => setTimeout(r, 50));
    return this.host.daemonGone();
  }

  /** containerd (when it is runbench's own) and its shims: the shims are daemons (reparented away), found by the address they serve. */
  private roots(): number[] {
    const daemon = this.host.daemonPid();
    return [...(daemon === null ? [] : [daemon]), ...processesMatching('-address', this.host.api().client.address)];
  }

  async footprint(names: readonly string[]): Promise<Footprint> {
    const pss = pssOf(await settledDescendants(this.roots()));
    const memoryRoot = memoryCgroupDir('');
    const cgroups = names.flatMap((n) => {
      const u = this.units.get(n);
      const bytes = u && memoryRoot ? cgroupCurrentBytes(join(memoryRoot, u.cgroupsPath)) : null;
      return bytes === null ? [] : [bytes];
    });
    return {
      bytes: pss.totalBytes,
      byProcess: Object.fromEntries(Object.entries(pss.byName).map(([k, v]) => [k, v.bytes])),
      cgroupBytes: cgroups.length > 0 ? cgroups.reduce((a, b) => a + b, 0) : null,
      perUnit: { idleCgroupBytes: { bytes: cgroups, source: "each container's memory cgroup usage (kernel memory and page cache included)" } },
    };
  }

  /** The tasks containerd no longer has running (stopped: the workload exited; missing: gone with its shim). */
  async exited(names: readonly string[]): Promise<string[]> {
    // with runbench's containerd gone no task can be asked about: the fill's next start fails and says why
    if (this.host.daemonGone()) return [];
    const tasks = await this.host
      .api()
      .client.listTasks()
      .catch((e: unknown) => {
        if (this.host.daemonGone()) return null;
        throw e;
      });
    if (!tasks) return [];
    const status = new Map(tasks.map((t) => [t.id, t.status]));
    return names.flatMap((n) => {
      const s = status.get(n);
      if (s === 'RUNNING') return [];
      return [`${n}: ${s === undefined ? 'containerd has no task for it' : `its task is ${s.toLowerCase()}`}`];
    });
  }

  async headroom(): Promise<Gauge[]> {
    return [...hostGauges(), ...fdGauge(process.pid, 'runbench'), ...fdGauge(this.host.daemonPid(), 'containerd')];
  }

  private async removeOne(id: string): Promise<void> {
    const { client } = this.host.api();
    await removeContainer(client, this.host.snapshotter, id);
    this.units.get(id)?.stdio.close();
    this.units.delete(id);
  }

  async remove(names: readonly string[], deadlineMs: number): Promise<{ concurrency: number; leftovers: string[] }> {
    const { failed, notStarted } = await eachLimited(names, REMOVE_CONCURRENCY, (id) => this.removeOne(id), deadlineMs);
    let still: string[] = [];
    try {
      const { client } = this.host.api();
      const tasks = new Set((await client.listTasks()).map((t) => t.id));
      const containers = new Set((await client.listContainers()).map((c) => c.id));
      still = names.filter((n) => tasks.has(n) || containers.has(n)).map((n) => `${n}: containerd still lists it`);
    } catch (e) {
      still = [`containerd could not list what is left: ${errorMessage(e)}`];
    }
    const gone = await this.goneNow();
    if (gone) return { concurrency: REMOVE_CONCURRENCY, leftovers: await this.sweepAfter(gone, names) };
    const said = new Set(still.map((s) => s.split(':')[0]));
    return {
      concurrency: REMOVE_CONCURRENCY,
      leftovers: [
        ...still,
        ...failed.filter((f) => !said.has(f.item)).map((f) => `${f.item}: ${f.error}`),
        ...notStarted.filter((n) => !said.has(n)).map((n) => `${n}: not removed before the deadline`),
      ],
    };
  }

  /**
   * containerd died under the containers: nobody removes them through it any more. Its
   * shims are killed (they name its address) and the containers' cgroups swept, with
   * whatever runs in them; the rest (mounts, its directory) goes when the session closes.
   */
  private async sweepAfter(gone: string, names: readonly string[]): Promise<string[]> {
    const shims = processesMatching('-address', this.host.api().client.address);
    for (const pid of shims) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    const left: string[] = [];
    for (const n of names) {
      const u = this.units.get(n);
      if (!u) continue;
      const swept = await sweepCgroups(u.cgroupsPath.slice(1));
      if (swept.remaining.length > 0) left.push(`${n}: cgroup ${swept.remaining[0]} could not be removed`);
      u.stdio.close();
      this.units.delete(n);
    }
    return [`${gone} during the teardown: ${shims.length} shims killed, the containers' cgroups swept`, ...left];
  }

  /** Removes what an interrupted fill left. */
  async close(): Promise<void> {
    if (this.units.size > 0) await this.remove([...this.units.keys()], Date.now() + 120_000).catch(() => undefined);
  }
}
