/**
 * The cri layer's session for one runtime: the runtime as a CRI runtime handler, validated by
 * critest (each spec a conformance row) and benchmarked by `critest -benchmark`, against every
 * CRI endpoint the runner was given (containerd 1.6 and 1.7), one after the other, each a
 * containerd of runbench's own with only this handler.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage, Interrupted } from '../../core/errors.ts';
import type { SuiteInfo, SuiteVerdicts } from '../../core/conformance.ts';
import type { Capabilities, CriBenchmarkRun, RunnerContext, RunnerSession, Unsupported } from '../../core/runner.ts';
import type { RuntimeInfo, WorkloadKind } from '../../core/schema.ts';
import { slug } from '../../core/slug.ts';
import { readLifecycles, writeBenchmarkParams } from './benchmark.ts';
import { runCritest, type CritestExit } from './critest.ts';
import { withEndpoint, type CriEndpoint, type OpenEndpoint } from './endpoint.ts';
import { parseJunit } from './junit.ts';

export interface CriTools {
  critest: string;
  /** `v1.34.0`: the suite's version, in every row's spec reference. */
  version: string;
  /** The OCI image layout of critest's images (scripts/build-cri-images.sh). */
  layout: string;
  endpoints: CriEndpoint[];
}

export const CLOCK =
  "critest's own clock: Go time.Now().UnixNano() read in the critest process right before and after each CRI gRPC call (client-side wall time, gRPC over the containerd socket included)";

export function suiteInfo(version: string): SuiteInfo {
  return { id: 'cri.critest', title: 'critest runs against this runtime handler', specRef: version ? `cri-tools ${version} critest` : 'cri-tools critest' };
}

function exitReason(exit: CritestExit, what: string): string {
  const how = exit.timedOut ? 'did not finish in time and was killed' : exit.signal ? `was killed by ${exit.signal}` : `exited ${exit.exitCode}`;
  const said = exit.firstFailure ?? exit.tail;
  return `${what} ${how}${said ? `: ${said}` : ''}`;
}

export class CriSession implements RunnerSession {
  readonly layer = 'cri' as const;
  readonly capabilities: Partial<Capabilities>;
  private readonly base: string;
  private runs = 0;

  constructor(
    readonly runtime: RuntimeInfo,
    private readonly ctx: RunnerContext,
    private readonly tools: CriTools,
  ) {
    this.base = join(ctx.workDir, 'cri', slug(runtime.name));
    const info = suiteInfo(tools.version);
    this.capabilities = {
      conformanceSuite: { info, run: (o) => this.validate(o) },
      criBenchmark: { clock: CLOCK, run: (o) => this.benchmark(o) },
    };
  }

  supports(kind: WorkloadKind): Unsupported {
    return kind === 'native' ? null : { reason: "critest runs its own (native) images; a Wasm pod is not one of its specs" };
  }

  private async each<T>(fn: (ep: CriEndpoint, open: OpenEndpoint) => Promise<T>, onError: (ep: CriEndpoint, reason: string) => T, signal: AbortSignal): Promise<T[]> {
    const out: T[] = [];
    for (const ep of this.tools.endpoints) {
      if (signal.aborted) throw new Interrupted(String(signal.reason ?? 'interrupt'));
      const dir = join(this.base, String(++this.runs));
      try {
        out.push(await withEndpoint(this.ctx, this.runtime, ep, dir, this.tools.layout, (open) => fn(ep, open)));
      } catch (e) {
        if (e instanceof Interrupted || signal.aborted) throw e instanceof Interrupted ? e : new Interrupted(String(signal.reason));
        out.push(onError(ep, errorMessage(e)));
      }
    }
    return out;
  }

  private validate(o: { signal: AbortSignal; timeoutMs: number; focus?: string }): Promise<SuiteVerdicts[]> {
    const info = suiteInfo(this.tools.version);
    const errored = (cri: string, reason: string): SuiteVerdicts => ({
      cri,
      verdicts: [{ id: info.id, area: 'critest', title: info.title, specRef: info.specRef, level: 'MUST', outcome: { status: 'errored', reason } }],
    });
    return this.each(
      async (ep, open) => {
        const junit = join(open.dir, 'junit.xml');
        const exit = await runCritest({ binary: this.tools.critest, ...open, timeoutMs: o.timeoutMs, signal: o.signal, junit, ...(o.focus ? { focus: o.focus } : {}) });
        if (!existsSync(junit)) return errored(ep.label, exitReason(exit, 'critest wrote no JUnit report:'));
        const parsed = parseJunit(readFileSync(junit, 'utf8'), info.specRef);
        const set: SuiteVerdicts = { cri: ep.label, verdicts: parsed.verdicts };
        // containerd dying mid-run fails every later spec with a connection error: say so once
        const doubt = open.died() ?? (exit.timedOut ? exitReason(exit, 'critest') : parsed.suiteFailure);
        if (doubt || parsed.verdicts.length === 0) set.verdicts.push(...errored(ep.label, doubt ?? exitReason(exit, 'critest ran no spec:')).verdicts);
        return set;
      },
      (ep, reason) => errored(ep.label, `critest against ${ep.label}: ${reason}`),
      o.signal,
    );
  }

  private benchmark(o: { samples: number; signal: AbortSignal; timeoutMs: number }): Promise<CriBenchmarkRun[]> {
    return this.each(
      async (ep, open): Promise<CriBenchmarkRun> => {
        const outDir = join(open.dir, 'benchmark');
        mkdirSync(outDir, { recursive: true });
        const paramsFile = join(open.dir, 'benchmark-params.yaml');
        writeBenchmarkParams(paramsFile, o.samples);
        const exit = await runCritest({ binary: this.tools.critest, ...open, timeoutMs: o.timeoutMs, signal: o.signal, benchmark: { paramsFile, outDir } });
        const lifecycles = readLifecycles(outDir);
        const failure = open.died() ?? (lifecycles.length === 0 || exit.timedOut || exit.exitCode !== 0 ? exitReason(exit, 'critest -benchmark') : null);
        return { cri: ep.label, lifecycles, failure };
      },
      (ep, reason) => ({ cri: ep.label, lifecycles: [], failure: `critest -benchmark against ${ep.label}: ${reason}` }),
      o.signal,
    );
  }

  async close(): Promise<void> {
    /* each endpoint is torn down when its critest run ends; the scope holds whatever an interrupt left */
  }
}
