/**
 * The walk both a measurement run and a conformance run make: every layer × arch × runtime,
 * in that order, each with an open runner session or the reason there is none (no runner,
 * the runner unavailable here or refusing the runtime, the runtime missing or broken, the
 * session failing to open). The session is closed after the visit, whatever the visit did.
 */
import { errorMessage, Interrupted } from './errors.ts';
import type { EventBus } from './events.ts';
import type { HostFacts, Layer, RuntimeInfo, WorkloadKind } from './schema.ts';
import type { Scope } from './scope.ts';
import type { Runner, RunnerSession } from './runner.ts';

export interface Cell {
  layer: Layer;
  arch: string;
  /** The arch runs under qemu-user on this host. */
  emulated: boolean;
  runtime: RuntimeInfo;
}

export interface WalkOptions {
  layers: readonly Layer[];
  archs: readonly string[];
  runners: Partial<Record<Layer, Runner>>;
  runtimes: readonly RuntimeInfo[];
  host: HostFacts;
  runId: string;
  scope: Scope;
  events: EventBus;
  workDir: string;
  signal: AbortSignal;
  /** Says what a layer without a runner lacks ("no runner", "no conformance target"). */
  noRunner: (layer: Layer) => string;
}

export interface Visitor {
  /** A cell without a session: skipped (not applicable here) or errored (broken, failed to open). */
  skip(cell: Cell, reason: string, status: 'skipped' | 'errored'): void;
  visit(cell: Cell, session: RunnerSession): Promise<void>;
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new Interrupted(String(signal.reason ?? 'interrupt'));
}

/** Why a cell has no session (skipped or errored), or null when the runner may open one. */
function cellSkip(o: WalkOptions, cell: Cell): { reason: string; status: 'skipped' | 'errored' } | null {
  const runner = o.runners[cell.layer];
  if (!runner) return { reason: o.noRunner(cell.layer), status: 'skipped' };
  const why = runner.unavailable(o.host) ?? runner.refuses?.(cell.runtime) ?? null;
  if (why) return { reason: why, status: 'skipped' };
  const r = cell.runtime;
  if (r.status !== 'ok') return { reason: `${r.name} is ${r.status}: ${r.reason ?? ''}`, status: r.status === 'broken' ? 'errored' : 'skipped' };
  return null;
}

async function openCell(o: WalkOptions, cell: Cell, v: Pick<Visitor, 'skip'>): Promise<RunnerSession | null> {
  const skip = cellSkip(o, cell);
  if (skip) {
    v.skip(cell, skip.reason, skip.status);
    return null;
  }
  try {
    return await (o.runners[cell.layer] as Runner).open(cell.runtime, {
      runId: o.runId,
      host: o.host,
      arch: cell.arch,
      scope: o.scope,
      events: o.events,
      workDir: o.workDir,
    });
  } catch (e) {
    o.events.emit('runtime:error', { runtime: cell.runtime.name, suite: '*', message: errorMessage(e) });
    v.skip(cell, `could not open a ${cell.layer} session: ${errorMessage(e)}`, 'errored');
    return null;
  }
}

export async function walkSessions(o: WalkOptions, v: Visitor): Promise<void> {
  for (const layer of o.layers) {
    for (const arch of o.archs) {
      for (const runtime of o.runtimes) {
        throwIfAborted(o.signal);
        const cell: Cell = { layer, arch, emulated: arch !== o.host.arch, runtime };
        const session = await openCell(o, cell, v);
        if (!session) continue;
        try {
          await v.visit(cell, session);
        } finally {
          await session.close();
        }
      }
    }
  }
}

export interface GroupVisitor {
  skip: Visitor['skip'];
  /** Every runtime of one layer × arch with an open session, in the order given. */
  visit(layer: Layer, arch: string, members: { cell: Cell; session: RunnerSession }[]): Promise<void>;
}

/**
 * The same walk with the sessions of one layer × arch open together, so that a visit can
 * take turns between runtimes (interleaved sampling). All are closed after the visit.
 */
export async function walkGroups(o: WalkOptions, v: GroupVisitor): Promise<void> {
  for (const layer of o.layers) {
    for (const arch of o.archs) {
      const members: { cell: Cell; session: RunnerSession }[] = [];
      try {
        for (const runtime of o.runtimes) {
          throwIfAborted(o.signal);
          const cell: Cell = { layer, arch, emulated: arch !== o.host.arch, runtime };
          const session = await openCell(o, cell, v);
          if (session) members.push({ cell, session });
        }
        if (members.length > 0) await v.visit(layer, arch, members);
      } finally {
        for (const m of members) await m.session.close();
      }
    }
  }
}

/** Why an emulated arch does not run a kind: a bare module is one artifact for every arch (a Wasm runtime in the image is built per arch). */
export function emulatedKindSkip(cell: Cell, kind: WorkloadKind, verb: 'measured' | 'checked'): string | null {
  return kind === 'wasm' && cell.emulated && !cell.runtime.wasmVia ? `a Wasm module is one artifact for every arch: ${verb} under the host arch only` : null;
}
