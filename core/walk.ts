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

export async function walkSessions(o: WalkOptions, v: Visitor): Promise<void> {
  for (const layer of o.layers) {
    for (const arch of o.archs) {
      const emulated = arch !== o.host.arch;
      const runner = o.runners[layer];
      for (const runtime of o.runtimes) {
        throwIfAborted(o.signal);
        const cell: Cell = { layer, arch, emulated, runtime };
        if (!runner) {
          v.skip(cell, o.noRunner(layer), 'skipped');
          continue;
        }
        const why = runner.unavailable(o.host) ?? runner.refuses?.(runtime) ?? null;
        if (why) {
          v.skip(cell, why, 'skipped');
          continue;
        }
        if (runtime.status !== 'ok') {
          v.skip(cell, `${runtime.name} is ${runtime.status}: ${runtime.reason ?? ''}`, runtime.status === 'broken' ? 'errored' : 'skipped');
          continue;
        }
        let session: RunnerSession;
        try {
          session = await runner.open(runtime, { runId: o.runId, host: o.host, arch, scope: o.scope, events: o.events, workDir: o.workDir });
        } catch (e) {
          o.events.emit('runtime:error', { runtime: runtime.name, suite: '*', message: errorMessage(e) });
          v.skip(cell, `could not open a ${layer} session: ${errorMessage(e)}`, 'errored');
          continue;
        }
        try {
          await v.visit(cell, session);
        } finally {
          await session.close();
        }
      }
    }
  }
}

/** Why an emulated arch does not run a kind: a bare module is one artifact for every arch (a Wasm runtime in the image is built per arch). */
export function emulatedKindSkip(cell: Cell, kind: WorkloadKind, verb: 'measured' | 'checked'): string | null {
  return kind === 'wasm' && cell.emulated && !cell.runtime.wasmVia ? `a Wasm module is one artifact for every arch: ${verb} under the host arch only` : null;
}
