/**
 * One conformance run: every selected check, for every runtime, at every layer that has a
 * target. A check that throws is `errored` and the others go on; whatever a check made is
 * removed before the next one starts, and the whole run's leftovers by one scope at the end.
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { inRunScope, resultsDocument } from '../core/run-scope.ts';
import { errorMessage, Interrupted, RuntimeFailure } from '../core/errors.ts';
import type { EventBus } from '../core/events.ts';
import {
  type ConformanceResult,
  type HostFacts,
  type Invocation,
  type Layer,
  type Outcome,
  type ResultsDocument,
  type RuntimeInfo,
  type WorkloadKind,
} from '../core/schema.ts';
import { engineLabels } from '../core/engines.ts';
import { kindUnsupported } from '../core/runtimes.ts';
import { emulatedKindSkip, throwIfAborted, walkSessions, type Cell } from '../core/walk.ts';
import { workloadBuilt } from '../core/workloads.ts';
import type { Runner } from '../core/runner.ts';
import { CannotAsk, errored, skipped, type Check, type CheckContext, type ConformanceTarget } from './types.ts';
import type { SuiteInfo, SuiteVerdicts } from '../core/conformance.ts';

export interface ConformanceOptions {
  checks: readonly Check[];
  layers: readonly Layer[];
  /** Deadline for one check; a check that passes it is errored and its containers removed. */
  checkTimeoutMs: number;
  /** Architectures to check as; a foreign one runs under qemu-user and is labelled emulated. */
  archs?: string[];
  /** Deadline for a whole conformance suite a layer runs (critest: every spec against one handler). */
  suiteTimeoutMs?: number;
  /** Only the suite's specs whose names match this regular expression (critest: --ginkgo.focus). */
  suiteFocus?: string;
}

export interface ConformanceDeps {
  runners: Partial<Record<Layer, Runner>>;
  runtimes: RuntimeInfo[];
  host: HostFacts;
  events: EventBus;
  signal: AbortSignal;
  isBuilt?: (name: string, kind: WorkloadKind, arch: string) => boolean;
  config?: unknown;
  /** The command line that started the run, recorded in the document. */
  invocation?: Invocation;
}

export function hostNamespaces(): Record<string, string> {
  const out: Record<string, string> = {};
  try {
    for (const e of readdirSync('/proc/self/ns')) {
      try {
        out[e] = readlinkSync(`/proc/self/ns/${e}`);
      } catch {
        /* not readable */
      }
    }
  } catch {
    /* no procfs */
  }
  return out;
}

/** Why a check does not apply to this runtime at this layer, or null. */
export function notApplicable(
  check: Check,
  target: ConformanceTarget,
  built: (kind: WorkloadKind) => boolean,
  unsupported: (kind: WorkloadKind) => string | null = (k) =>
    k === 'native' || target.wasmHandlers.length > 0 ? null : `${target.runtimeName} has no Wasm handler`,
): string | null {
  if (!check.layers.includes(target.layer)) return `applies at the ${check.layers.join(', ')} layer${check.layers.length > 1 ? 's' : ''}, not ${target.layer}`;
  if (check.needs?.includes('containers') && !target.containers) return `the ${target.layer} target has no step-by-step container operations`;
  const kinds = check.kinds.filter((k) => unsupported(k) === null);
  const first = check.kinds[0];
  if (kinds.length === 0) return (first && unsupported(first)) ?? `${target.runtimeName} cannot run this check`;
  if (!kinds.some(built)) return `the ${kinds.join('/')} probe is not built: run scripts/build-fixtures.sh`;
  return null;
}

async function withDeadline(ms: number, signal: AbortSignal, fn: () => Promise<Outcome>): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const deadline = new Promise<Outcome>((resolve, reject) => {
    timer = setTimeout(() => resolve(errored(`did not finish within ${Math.round(ms / 1000)} s`)), ms);
    onAbort = () => reject(new Interrupted(String(signal.reason ?? 'interrupt')));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([fn(), deadline]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

export async function runConformance(opts: ConformanceOptions, deps: ConformanceDeps): Promise<ResultsDocument> {
  const { events, signal, host } = deps;
  const archs = opts.archs && opts.archs.length > 0 ? opts.archs : [host.arch];
  const isBuilt = deps.isBuilt ?? workloadBuilt;
  const results: ConformanceResult[] = [];
  const nsHost = hostNamespaces();
  const hostName = hostname();

  /** One verdict of a check or of a suite's spec, labelled with where it was taken. */
  const push = (
    what: Pick<ConformanceResult, 'checkId' | 'area' | 'title' | 'specRef' | 'level'>,
    runtime: RuntimeInfo,
    where: { layer: Layer; arch: string; workload: string; kind: WorkloadKind; cri?: string },
    outcome: Outcome,
  ) => {
    const { layer, arch, workload, kind, cri } = where;
    const result: ConformanceResult = {
      ...what,
      labels: {
        runtime: runtime.name,
        layer,
        workload,
        workloadKind: kind,
        arch,
        emulated: arch !== host.arch,
        host: host.hostname,
        ...engineLabels(runtime, kind),
        ...(cri ? { cri } : {}),
      },
      outcome,
    };
    results.push(result);
    events.emit('conformance', { result });
  };
  const record = (check: Check, runtime: RuntimeInfo, layer: Layer, arch: string, kind: WorkloadKind, outcome: Outcome) =>
    push(
      { checkId: check.id, area: check.area, title: check.title, specRef: check.specRef, level: check.level },
      runtime,
      { layer, arch, workload: check.workload ?? 'probe', kind },
      outcome,
    );
  /** A whole suite's verdicts (critest's specs), one row each, labelled with the endpoint that served them. */
  const recordSuite = (runtime: RuntimeInfo, layer: Layer, arch: string, sets: readonly SuiteVerdicts[]) => {
    for (const set of sets) {
      for (const v of set.verdicts) {
        const where = { layer, arch, workload: 'critest', kind: 'native' as const, ...(set.cri ? { cri: set.cri } : {}) };
        push({ checkId: v.id, area: v.area, title: v.title, specRef: v.specRef, level: v.level }, runtime, where, v.outcome);
      }
    }
  };
  const suiteRow = (info: SuiteInfo, status: 'skipped' | 'errored', reason: string, cri?: string): SuiteVerdicts => ({
    ...(cri ? { cri } : {}),
    verdicts: [{ id: info.id, area: 'cri', title: info.title, specRef: info.specRef, level: 'MUST', outcome: { status, reason } }],
  });
  const start = { runtimes: deps.runtimes.map((r) => r.name), suites: ['conformance'], layers: [...opts.layers] };
  return inRunScope('conformance', events, start, async (run) => {
    const { runId, scope, workDir } = run;
    const skipAll = (cell: Cell, reason: string, status: 'skipped' | 'errored') => {
      const suite = deps.runners[cell.layer]?.conformanceSuite;
      if (suite) return recordSuite(cell.runtime, cell.layer, cell.arch, [suiteRow(suite, status, reason)]);
      for (const c of opts.checks) record(c, cell.runtime, cell.layer, cell.arch, c.kinds[0] ?? 'native', { status, reason });
    };
    await walkSessions(
      {
        layers: opts.layers,
        archs,
        runners: deps.runners,
        runtimes: deps.runtimes,
        host,
        runId,
        scope,
        events,
        workDir,
        signal,
        noRunner: (layer) => `no conformance target for the ${layer} layer yet`,
      },
      {
        skip: skipAll,
        visit: async (cell, session) => {
          const { layer, arch, runtime } = cell;
          const suite = session.capabilities.conformanceSuite;
          if (suite) {
            throwIfAborted(signal);
            let sets: SuiteVerdicts[];
            try {
              sets = await suite.run({ signal, timeoutMs: opts.suiteTimeoutMs ?? 3 * 3600_000, ...(opts.suiteFocus ? { focus: opts.suiteFocus } : {}) });
            } catch (e) {
              if (e instanceof Interrupted || signal.aborted) throw e instanceof Interrupted ? e : new Interrupted(String(signal.reason));
              sets = [suiteRow(suite.info, 'errored', errorMessage(e))];
            }
            recordSuite(runtime, layer, arch, sets);
            return;
          }
          const conformance = session.capabilities.conformance;
          if (!conformance) {
            skipAll(cell, `no conformance target for the ${layer} layer yet`, 'skipped');
            return;
          }
          const target = conformance.target(join(workDir, 'conformance', layer, runtime.name));
          const closeTarget = scope.defer(`conformance target ${runtime.name}`, () => target.close());
          try {
            for (const check of opts.checks) {
              throwIfAborted(signal);
              const kind: WorkloadKind = check.kinds[0] ?? 'native';
              const na = notApplicable(
                check,
                target,
                (k) => isBuilt(check.workload ?? 'probe', k, arch),
                (k) => emulatedKindSkip(cell, k, 'checked') ?? kindUnsupported(runtime, k) ?? session.supports(k)?.reason ?? null,
              );
              if (na) {
                record(check, runtime, layer, arch, kind, skipped(na));
                continue;
              }
              const checkCtx: CheckContext = { target, hostNamespaces: nsHost, hostHostname: hostName, signal };
              let outcome: Outcome;
              try {
                outcome = await withDeadline(opts.checkTimeoutMs, signal, () => check.run(checkCtx));
              } catch (e) {
                if (e instanceof Interrupted || signal.aborted) throw e instanceof Interrupted ? e : new Interrupted(String(signal.reason));
                outcome =
                  e instanceof CannotAsk ? skipped(e.message) : e instanceof RuntimeFailure ? errored(e.message) : errored(`internal: ${errorMessage(e)}`);
              }
              try {
                await target.reset();
              } catch (e) {
                events.emit('log', { level: 'warn', message: `cleanup after ${check.id} on ${runtime.name}: ${errorMessage(e)}` });
              }
              record(check, runtime, layer, arch, kind, outcome);
            }
          } finally {
            await closeTarget();
          }
        },
      },
    );
    return resultsDocument(run, {
      host,
      runtimes: deps.runtimes,
      parameters: {
        suites: ['conformance'],
        runtimes: deps.runtimes.map((r) => r.name),
        layers: [...opts.layers],
        archs,
        runs: 1,
        warmup: 0,
        concurrency: 1,
        churnContainers: 1,
      },
      config: deps.config ?? { checks: opts.checks.map((c) => c.id) },
      invocation: deps.invocation ?? null,
      harness: null,
      measurements: [],
      facts: [],
      suiteRuns: [],
      conformance: results,
    });
  });
}
