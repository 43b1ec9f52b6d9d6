/**
 * The oci layer's timed operations, run by the timing helper (rb-exec) around the
 * runtime's processes: `RUNTIME run` as one step, and create / start / exit / delete as a
 * lifecycle with the cgroup's memory figures read between the exit and the delete. The
 * container's bundle is written before and removed after by the session.
 */
import { memoryCgroupFiles, parseMemoryPeak, parseOomKilled } from '../../core/cgroups.ts';
import { RuntimeFailure } from '../../core/errors.ts';
import type { RunRequest, TimedSample } from '../../core/runner.ts';
import type { Step, StepResult, TimingHelper } from '../../core/timing-helper.ts';
import { readOrEmpty } from '../shared/files.ts';
import type { OciContainerSpec } from './bundle.ts';
import { crashed, stepFailure } from './failure.ts';

/** What a timed operation needs of its session. */
export interface Timed {
  helper: TimingHelper;
  /** The runtime's command line for a subcommand: `RUNTIME [global args] --root STATE <args>`. */
  argv(...args: string[]): string[];
  runtime: string;
}

function kib(kb: number): number | null {
  return kb > 0 ? kb * 1024 : null;
}

/** Where a container's and the runtime's output go: files, or /dev/null while timed. */
function io(c: OciContainerSpec, discard: boolean) {
  const f = (path: string) => (discard ? '/dev/null' : path);
  return { stdout: f(c.stdout), stderr: f(c.stderr), start: f(`${c.stderr}.start`), delete: f(`${c.stderr}.delete`) };
}

function sampleFrom(c: OciContainerSpec, cli: StepResult[], exit: StepResult | undefined): Omit<TimedSample, 'totalNs' | 'phasesNs'> {
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

/** `RUNTIME run`, one timed step. */
export async function timedRun(t: Timed, c: OciContainerSpec, req: RunRequest, discard: boolean): Promise<TimedSample> {
  const out = io(c, discard);
  const reply = await t.helper.run(
    [{ kind: 'exec', label: 'run', argv: t.argv('run', '--bundle', c.bundle, c.id), stdout: out.stdout, stderr: out.stderr }],
    req.timeoutMs,
  );
  const run = reply.steps[0];
  if (!run || run.timedOut || run.error) throw stepFailure(t.runtime, c, reply, 'run failed');
  // `run` reports the container's exit code as its own, so a non-zero exit is the
  // workload's; a signal, though, killed the runtime process itself.
  if (run.signal !== 0) throw crashed(t.runtime, c, 'run', run.signal);
  if (discard && run.exitCode !== 0) throw new RuntimeFailure(t.runtime, `${t.runtime} run exited ${run.exitCode}`);
  return {
    ...sampleFrom(c, [run], run),
    totalNs: run.endNs - run.startNs,
    phasesNs: { run: run.endNs - run.startNs },
    ...(discard ? { outputDiscarded: true } : {}),
  };
}

/** create, start, the init's exit, the cgroup's peak and OOM record, delete: each phase timed. */
export async function timedLifecycle(t: Timed, c: OciContainerSpec, req: RunRequest, discard: boolean): Promise<TimedSample> {
  const out = io(c, discard);
  const mem = memoryCgroupFiles(c.cgroupsPath);
  const steps: Step[] = [
    { kind: 'exec', label: 'create', argv: t.argv('create', '--bundle', c.bundle, '--pid-file', c.pidFile, c.id), stdout: out.stdout, stderr: out.stderr },
    { kind: 'exec', label: 'start', argv: t.argv('start', c.id), stderr: out.start },
    { kind: 'waitpid', label: 'exit', pidFile: c.pidFile },
    ...(mem
      ? ([
          { kind: 'read', label: 'cgroupPeak', path: mem.peak },
          { kind: 'read', label: 'oom', path: mem.oom },
        ] as Step[])
      : []),
    { kind: 'exec', label: 'delete', argv: t.argv('delete', c.id), stderr: out.delete },
  ];
  const reply = await t.helper.run(steps, req.timeoutMs);
  if (reply.error) throw stepFailure(t.runtime, c, reply, 'lifecycle failed');
  const by = (label: string) => reply.steps.find((s) => s.label === label);
  const create = by('create');
  const start = by('start');
  const exit = by('exit');
  const del = by('delete');
  if (!create || !start || !exit || !del) throw stepFailure(t.runtime, c, reply, 'lifecycle incomplete');
  if (discard && exit.exitCode !== 0) throw new RuntimeFailure(t.runtime, `${req.workload.name} exited ${exit.exitCode}`);
  const peak = by('cgroupPeak');
  const sample = sampleFrom(c, [create, start, del], exit);
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
}
