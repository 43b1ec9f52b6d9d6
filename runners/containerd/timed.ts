/**
 * The containerd layer's timed calls: the RPCs containerd serves for `ctr run --rm`,
 * timed on the client's clock around the calls. The phases are container create (snapshot
 * prepare + container create), task create, task start (with the wait asked first), the
 * exit, and cleanup (task delete, container delete, snapshot remove).
 */
import type { OciConfig } from '../../core/oci-spec.ts';
import type { TimedSample } from '../../core/runner.ts';
import { SPEC_TYPE_URL, type ContainerdClient } from './api.ts';
import { CLEANUP_DEADLINE_MS } from './cleanup.ts';
import type { ExitMemory } from './memory.ts';
import type { ShimConfig } from './shim.ts';
import type { ContainerStdio } from './stdio.ts';

/** One container to run: its id, what it is made of and how it is reached. */
export interface ContainerRun {
  id: string;
  /** The committed snapshot its rootfs is prepared from ('': an empty rootfs). */
  parent: string;
  image: string;
  spec: OciConfig;
  runId: string;
  snapshotter: string;
  shim: ShimConfig;
  stdio: ContainerStdio;
  /** The deadline of each task call. */
  deadlineMs: number;
}

/** The client's clock before the snapshot (t0) and after container create, task create, task start and the exit. */
export type StartMarks = readonly [bigint, bigint, bigint, bigint, bigint];
/** The client's clock before and after the cleanup calls. */
export type CleanupMarks = readonly [bigint, bigint];

function now(): bigint {
  return process.hrtime.bigint();
}
function ns(a: bigint, b: bigint): number {
  return Number(b - a);
}

/** Creates and starts the container and waits for its exit; `stage` is told which call is under way. */
export async function runToExit(client: ContainerdClient, r: ContainerRun, stage: (name: string) => void): Promise<{ exitStatus: number; marks: StartMarks }> {
  const { id, deadlineMs: deadline } = r;
  stage('container create');
  const t0 = now();
  const mounts = await client.prepareSnapshot(r.snapshotter, id, r.parent);
  await client.createContainer({
    id,
    image: r.image,
    labels: { 'runbench.run': r.runId },
    runtime: { name: r.shim.runtimeName, options: r.shim.options },
    spec: { type_url: SPEC_TYPE_URL, value: Buffer.from(JSON.stringify(r.spec)) },
    snapshotter: r.snapshotter,
    snapshot_key: id,
  });
  const t1 = now();
  stage('task create');
  await client.createTask({ container_id: id, rootfs: mounts, stdin: '', stdout: r.stdio.stdout, stderr: r.stdio.stderr, terminal: false }, deadline);
  const t2 = now();
  stage('task start');
  // Wait is asked before Start (as ctr does), so the exit cannot be missed.
  const waiting = client.waitTask(id, deadline);
  waiting.catch(() => undefined);
  await client.startTask(id, deadline);
  const t3 = now();
  stage('exit');
  const exited = await waiting;
  const t4 = now();
  return { exitStatus: exited.exit_status, marks: [t0, t1, t2, t3, t4] };
}

/** The cleanup phase: task delete, container delete, snapshot remove. */
export async function timedCleanup(client: ContainerdClient, id: string, snapshotter: string): Promise<CleanupMarks> {
  const t5 = now();
  await client.deleteTask(id, CLEANUP_DEADLINE_MS);
  await client.deleteContainer(id);
  await client.removeSnapshot(snapshotter, id);
  const t6 = now();
  return [t5, t6];
}

/** The sample of one container: the phases, its exit, output and memory figures (`layerMemoryBytes` where observed). */
export function containerSample(
  marks: StartMarks,
  cleanup: CleanupMarks,
  status: number,
  output: { stdout: string; stderr: string },
  memory: ExitMemory,
  layerMemoryBytes: Record<string, number> | null,
): TimedSample {
  const [t0, t1, t2, t3, t4] = marks;
  const [t5, t6] = cleanup;
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
    stdout: output.stdout,
    stderr: output.stderr,
    runtimePeakRssBytes: null,
    initPeakRssBytes: null,
    cgroupPeakBytes: memory.cgroupPeak,
    oomKilled: memory.oomKilled,
    ...(layerMemoryBytes ? { layerMemoryBytes } : {}),
  };
}
