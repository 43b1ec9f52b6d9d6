/**
 * A fake runner for tests of the pipeline: deterministic synthetic timings, no
 * processes, no root. It is deliberately absent from the runner registry, so no
 * figure a user sees can come from it.
 */
import { RuntimeFailure } from '../core/errors.ts';
import { seededRandom } from '../core/stats.ts';
import type { RuntimeInfo, WorkloadKind } from '../core/schema.ts';
import { fakeDensity, type FakeDensityBehaviour } from './fake-density.ts';
import type { Capabilities, ChurnResult, RunRequest, Runner, RunnerSession, TimedSample, Unsupported } from '../core/runner.ts';

export interface FakeBehaviour {
  /** Median one-shot time in ms per runtime name. */
  runMs?: Record<string, number>;
  /** How many times slower than the others the cpu workload computes in a runtime (an interpreter, say). */
  cpuSlowdown?: Record<string, number>;
  /** Runtimes whose every operation fails, as a crashing runtime would. */
  crash?: string[];
  /** Runtimes that hang until the deadline. */
  hang?: string[];
  wasm?: string[];
  /** Runtimes whose one-shot `run` fails while their lifecycle works (youki 0.7's foreground race). */
  failRun?: string[];
  /** Called for every operation, e.g. to abort mid-run. */
  onOperation?: (runtime: string, op: string) => void;
  /** A host load that grows during the run: every operation of any runtime is this fraction slower than the one before it. */
  driftPerOp?: number;
  /**
   * Runtimes that fail or hang k of every n operations: counting the runtime's operations of
   * the kinds in `ops` (default all; a churn container is one), the last `hang` of every `of`
   * hang and the `fail` before them fail. Deterministic, so a test knows how many will.
   */
  flaky?: Record<string, { of: number; fail?: number; hang?: number; ops?: ('run' | 'lifecycle' | 'churn')[] }>;
  /** Gives the sessions a density capability (fake-density.ts). */
  density?: FakeDensityBehaviour;
  /** The lifecycle counts its timed samples (output discarded) per kind and states the count as a series fact. */
  seriesFacts?: boolean;
}

export function fakeRuntime(name: string, wasm = false): RuntimeInfo {
  return {
    name,
    kind: 'oci',
    path: `/fake/${name}`,
    version: '1.0.0-fake',
    features: [],
    wasmHandlers: wasm ? ['fake'] : [],
    status: 'ok',
    reason: null,
    globalArgs: [],
  };
}

class FakeSession implements RunnerSession {
  readonly layer = 'oci' as const;
  readonly lifecyclePhases = ['create', 'start', 'exit', 'delete'] as const;
  readonly oneShotName: string;
  private readonly rand: () => number;
  /** This runtime's operations counted by `flaky`. */
  private flakyOps = 0;
  /** Timed lifecycle samples so far, per kind (seriesFacts). */
  private readonly timed = new Map<WorkloadKind, number>();
  opened = true;
  readonly capabilities: Partial<Capabilities>;

  constructor(
    readonly runtime: RuntimeInfo,
    private readonly b: FakeBehaviour,
    sessions: FakeSession[],
    /** Operations so far, across every session of the runner: the drift's clock. */
    private readonly clock: { ops: number },
  ) {
    this.oneShotName = `${runtime.name} run`;
    this.rand = seededRandom(runtime.name.length * 7919);
    sessions.push(this);
    this.capabilities = {
      oneShot: { name: this.oneShotName, run: (req) => this.runOnce(req) },
      lifecycle: {
        phases: this.lifecyclePhases,
        run: (req) => {
          if (req.discardOutput) this.timed.set(req.workload.kind, (this.timed.get(req.workload.kind) ?? 0) + 1);
          return this.lifecycle(req);
        },
        ...(b.seriesFacts ? { seriesFacts: (kind: WorkloadKind) => [{ name: 'timedLifecycleSamples', value: this.timed.get(kind) ?? 0, detail: 'counted by the fake lifecycle' }] } : {}),
      },
      churn: { run: (req, count) => this.churn(req, count) },
      ...(b.density ? { density: fakeDensity(runtime.name, b.density) } : {}),
    };
  }

  supports(kind: WorkloadKind): Unsupported {
    if (kind === 'wasm' && !(this.b.wasm ?? []).includes(this.runtime.name)) return { reason: `${this.runtime.name} has no Wasm handler` };
    return null;
  }

  /** Whether `flaky` makes this operation fail or hang, or neither. */
  private flake(name: 'run' | 'lifecycle' | 'churn'): 'fail' | 'hang' | null {
    const f = this.b.flaky?.[this.runtime.name];
    if (!f || (f.ops && !f.ops.includes(name))) return null;
    const at = this.flakyOps++ % f.of;
    const hang = f.hang ?? 0;
    if (at >= f.of - hang) return 'hang';
    if (at >= f.of - hang - (f.fail ?? 0)) return 'fail';
    return null;
  }

  private flakyFailure(name: string, how: 'fail' | 'hang'): RuntimeFailure {
    return how === 'hang'
      ? new RuntimeFailure(this.runtime.name, `${this.runtime.name} ${name} failed: '${name}' hung and was killed`)
      : new RuntimeFailure(this.runtime.name, `${this.runtime.name} ${name} failed: exited 1: flaky error`);
  }

  private async op(name: 'run' | 'lifecycle' | 'churn', req: RunRequest): Promise<number> {
    this.b.onOperation?.(this.runtime.name, name);
    const flake = name === 'churn' ? null : this.flake(name);
    if (flake) throw this.flakyFailure(name, flake);
    if ((this.b.crash ?? []).includes(this.runtime.name)) {
      throw new RuntimeFailure(this.runtime.name, `${this.runtime.name} ${name} failed: exited 2: segmentation fault`);
    }
    if ((this.b.hang ?? []).includes(this.runtime.name)) {
      await new Promise((r) => setTimeout(r, Math.min(req.timeoutMs, 50)));
      throw new RuntimeFailure(this.runtime.name, `${this.runtime.name} '${name}' hung and was killed`);
    }
    const base = (this.b.runMs?.[this.runtime.name] ?? 10) * 1e6;
    const load = 1 + (this.b.driftPerOp ?? 0) * this.clock.ops++;
    return Math.round(base * load * (0.9 + 0.2 * this.rand()));
  }

  private output(req: RunRequest): string {
    switch (req.workload.name) {
      case 'hello':
        return 'runbench-hello-ok\n';
      case 'cpu': {
        const slow = this.b.cpuSlowdown?.[this.runtime.name] ?? 1;
        const sha = (400 * (0.9 + 0.2 * this.rand())) / slow;
        const int = (1e9 * (0.9 + 0.2 * this.rand())) / slow;
        return `${JSON.stringify({ workload: 'cpu', sha256MibPerSec: sha, intOpsPerSec: int })}\n`;
      }
      case 'mem':
        return `${JSON.stringify({ workload: 'mem', touchedMib: Number(req.workload.args[0] ?? 64) })}\n`;
      default:
        return '';
    }
  }

  async runOnce(req: RunRequest): Promise<TimedSample> {
    const ns = await this.op('run', req);
    if ((this.b.failRun ?? []).includes(this.runtime.name))
      throw new RuntimeFailure(this.runtime.name, `${this.runtime.name} run failed: 'run' hung and was killed`);
    return {
      totalNs: ns,
      phasesNs: { run: ns },
      exitCode: 0,
      signal: 0,
      stdout: this.output(req),
      stderr: '',
      runtimePeakRssBytes: 4 * 1024 * 1024,
      initPeakRssBytes: 2 * 1024 * 1024,
      cgroupPeakBytes: null,
      oomKilled: null,
    };
  }

  async lifecycle(req: RunRequest): Promise<TimedSample> {
    const ns = await this.op('lifecycle', req);
    const limited = req.memoryLimitBytes !== undefined;
    return {
      totalNs: ns,
      phasesNs: { create: ns * 0.5, start: ns * 0.2, exit: ns * 0.1, delete: ns * 0.2 },
      exitCode: limited ? 137 : 0,
      signal: limited ? 9 : 0,
      stdout: limited ? '' : this.output(req),
      stderr: '',
      runtimePeakRssBytes: 4 * 1024 * 1024,
      initPeakRssBytes: 2 * 1024 * 1024,
      cgroupPeakBytes: req.workload.name === 'mem' ? 66 * 1024 * 1024 : 1024 * 1024,
      oomKilled: limited,
    };
  }

  async churn(req: RunRequest, count: number): Promise<ChurnResult> {
    const ns = await this.op('churn', req);
    const outcomes = Array.from({ length: count }, () => {
      const f = this.flake('churn');
      return f ? this.flakyFailure('run', f) : null;
    });
    const failures = outcomes.filter((o) => o !== null);
    const completed = count - failures.length;
    return { wallNs: ns * completed, completed, failed: failures.length, firstError: failures[0]?.message ?? null, failures, outcomes };
  }

  async close(): Promise<void> {
    this.opened = false;
  }
}

export function fakeRunner(b: FakeBehaviour = {}): Runner & { sessions: FakeSession[] } {
  const sessions: FakeSession[] = [];
  const clock = { ops: 0 };
  return {
    layer: 'oci',
    description: 'fake runner for pipeline tests',
    sessions,
    unavailable: () => null,
    async open(runtime) {
      return new FakeSession(runtime, b, sessions, clock);
    },
  };
}
