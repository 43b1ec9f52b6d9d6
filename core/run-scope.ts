/**
 * What every run of runbench starts with: an id, a scratch directory and one cleanup
 * scope, whose last cleanups remove that directory and sweep the run's cgroups.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sweepCgroups } from './cgroups.ts';
import { configDigest } from './config/digest.ts';
import { Interrupted } from './errors.ts';
import type { EventBus, RunEvents } from './events.ts';
import { runScratchBase } from './paths.ts';
import { runbenchCommit } from './provenance.ts';
import { writeMarker } from './recovery.ts';
import { type Invocation, SCHEMA_VERSION, type ResultsDocument } from './schema.ts';
import { Scope } from './scope.ts';

/** yyyymmdd + 6 hex digits: sortable, and short enough for container ids and cgroup paths. */
export function newRunId(): string {
  const d = new Date();
  const stamp = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
  return `${stamp}${randomBytes(3).toString('hex')}`;
}

export interface RunScope {
  runId: string;
  startedAt: string;
  scope: Scope;
  workDir: string;
}

export function openRunScope(what: string): RunScope {
  const runId = newRunId();
  const startedAt = new Date().toISOString();
  const scope = new Scope(`${what} ${runId}`);
  const base = runScratchBase();
  const workDir = join(base, runId);
  // Traversable, not listable: a container in a user namespace is set up by its mapped root,
  // which must reach a rootfs under here (containerd's state directory, say), as it reaches
  // one under containerd's own /run/containerd (0711). An older base made 0700 is opened up.
  mkdirSync(workDir, { recursive: true, mode: 0o711 });
  chmodSync(workDir, 0o711); // whatever the umask
  if (!process.env.RUNBENCH_SCRATCH_DIR) {
    const mode = statSync(base).mode & 0o777;
    if ((mode & 0o011) !== 0o011) chmodSync(base, mode | 0o011);
  }
  // found again by `runbench clean` (or the next run) if this process dies without its cleanup
  writeMarker(workDir, runId, what, startedAt);
  scope.defer('work directory', () => rmSync(workDir, { recursive: true, force: true }));
  scope.defer('cgroups', async () => {
    await sweepCgroups(`runbench-${runId}`);
  });
  return { runId, startedAt, scope, workDir };
}

/** runbench's own version, written into every results document. */
export const TOOL_VERSION = '0.1.0';

/**
 * One run from start to end: opens its scope, announces it, runs `body`, announces how it
 * ended, and closes the scope whatever happened (its failures become warnings).
 */
export async function inRunScope<T>(
  what: string,
  events: EventBus,
  start: Omit<RunEvents['run:start'], 'runId'>,
  body: (run: RunScope) => Promise<T>,
): Promise<T> {
  const run = openRunScope(what);
  events.emit('run:start', { runId: run.runId, ...start });
  try {
    const out = await body(run);
    events.emit('run:end', { runId: run.runId, interrupted: false });
    return out;
  } catch (e) {
    if (e instanceof Interrupted) events.emit('run:end', { runId: run.runId, interrupted: true });
    throw e;
  } finally {
    const failures = await run.scope.close();
    for (const f of failures) events.emit('log', { level: 'warn', message: `cleanup of ${f.name} failed: ${f.message}` });
  }
}

/** A results document of this run: what every kind of run writes around its own findings. */
export function resultsDocument(
  run: RunScope,
  body: Omit<ResultsDocument, 'schemaVersion' | 'tool' | 'runId' | 'startedAt' | 'finishedAt' | 'config' | 'invocation'> & {
    config: unknown;
    invocation?: Invocation | null;
  },
): ResultsDocument {
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'runbench', version: TOOL_VERSION, commit: runbenchCommit() },
    runId: run.runId,
    startedAt: run.startedAt,
    finishedAt: new Date().toISOString(),
    ...body,
    invocation: body.invocation ?? null,
    config: { digest: configDigest(body.config), resolved: body.config },
  };
}
