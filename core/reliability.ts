/**
 * Reliability as a figure. Every operation a series asks of a runtime is an attempt; one that
 * fails or hangs is counted, with the runtime's error, its containers and cgroups removed like any
 * other's, and the series goes on without that sample. A series is a measurement with a failure
 * rate as long as enough of its samples succeed:
 *
 *   - it may fail at most half as many times as it has planned samples (15 of a 30-sample series,
 *     30 of a churn's 3 × 20 containers); at the next failure it stops and is errored. Its kept
 *     samples are then never fewer than half of those planned, rounded up;
 *   - it stops at its third failure in a row before its first success, and at its eighth in a
 *     row after it: a runtime that cannot do the operation at all, or no longer can, is not kept
 *     waiting on for half a series of deadlines. A runtime failing a quarter of its attempts at
 *     random stops the first way once in 64 series, and the second less than once in 65,000 attempts;
 *   - a failure that ends the session (its containerd exited) stops the series at once.
 *
 * A series errored by the rule takes its measurements with it. The failure rate of a series and of
 * a runtime configuration (its series pooled) comes with an exact Clopper-Pearson 95% interval.
 */
import { RuntimeFailure } from './errors.ts';
import { attemptDeadlineMs, type HangPolicy } from './hang-deadline.ts';
import { clopperPearson } from './proportion.ts';
import type { AttemptError, ConfigurationReliability, FailureCounts, Labels, Reliability, SeriesReliability } from './schema.ts';

/** Failures in a row that stop a series before its first success, and after it. */
export const FAILURES_BEFORE_FIRST_SUCCESS = 3;
export const FAILURES_IN_A_ROW = 8;

export const RULE =
  'A series stops, errored and its samples dropped, at the first failure past half of its planned samples, ' +
  `at its ${FAILURES_BEFORE_FIRST_SUCCESS}rd failure in a row before its first success, at its ${FAILURES_IN_A_ROW}th in a row after it, ` +
  'and at a failure that ends its session; otherwise it is a measurement with a failure rate.';

/** How many failures a series of `planned` samples may have: half, rounded down. */
export function failureBudget(planned: number): number {
  return Math.floor(planned / 2);
}

/** The fewest samples a series that did not stop keeps: half of those planned, rounded up. */
export function minimumGood(planned: number): number {
  return planned - failureBudget(planned);
}

const MAX_ERROR_CHARS = 200;
const MAX_ERRORS = 5;

/** A runtime's error on one line, trimmed, with runbench's container ids masked so that alike errors count together. */
export function trimError(message: string): string {
  const line = message.replace(/\s+/g, ' ').trim();
  const masked = line.replace(/\brb-\d{8}[0-9a-f]{6}-[A-Za-z0-9._-]*?-\d+\b/g, 'rb-<id>');
  return masked.length > MAX_ERROR_CHARS ? `${masked.slice(0, MAX_ERROR_CHARS - 1)}…` : masked;
}

/** Attempts, failures and hangs, with the rate and its exact interval. */
export function failureCounts(attempts: number, failures: number, hangs: number): FailureCounts {
  return { attempts, failures, hangs, failureRate: attempts > 0 ? failures / attempts : null, failureRateCi95: clopperPearson(failures, attempts) };
}

export interface SeriesKey {
  suite: string;
  series: string;
  labels: Labels;
}

/** The attempts of one series, across every block of the run. */
export class SeriesTally {
  attempts = 0;
  succeeded = 0;
  failures = 0;
  hangs = 0;
  /** Failures since the last success. */
  private streak = 0;
  /** Why the series stopped, once it has. */
  stopped: string | null = null;
  readonly metrics = new Set<string>();
  /** How long the good attempts whose duration is known took, in ns: the hang deadline's base. */
  private readonly goodNs: number[] = [];
  private readonly errors = new Map<string, AttemptError>();

  constructor(
    readonly key: SeriesKey,
    /** Samples it sets out to take; null when it fills until a limit (or until the first use that says). */
    public planned: number | null,
    /** Told of every failure, after it is counted (progress, logs). */
    private readonly onFailure: (tally: SeriesTally, e: RuntimeFailure) => void = () => undefined,
  ) {}

  /** `n` attempts that succeeded; with `durationNs`, one that took that long. */
  ok(n = 1, durationNs?: number): void {
    this.attempts += n;
    this.succeeded += n;
    if (n > 0) this.streak = 0;
    if (durationNs !== undefined) this.took(durationNs);
  }

  /** How long a good attempt took, for the hang deadline, when it is counted apart (a churn's containers). */
  took(durationNs: number): void {
    if (Number.isFinite(durationNs) && durationNs > 0) this.goodNs.push(durationNs);
  }

  /** The deadline of its next attempt, in ms: `timeoutMs` until it knows how long a good one takes (core/hang-deadline.ts). */
  deadlineMs(timeoutMs: number, policy: HangPolicy): number {
    return attemptDeadlineMs(this.goodNs, timeoutMs, policy);
  }

  /** One that failed: null when the series goes on, else why it stops (then and on every later failure). */
  fail(e: RuntimeFailure): string | null {
    this.attempts += 1;
    this.failures += 1;
    this.streak += 1;
    if (e.hung) this.hangs += 1;
    const kind = e.hung ? 'hung' : 'failed';
    const error = trimError(e.message);
    const key = `${kind}\u0000${error}`;
    const seen = this.errors.get(key);
    if (seen) seen.count += 1;
    else this.errors.set(key, { kind, error, count: 1 });
    if (!this.stopped) this.stopped = e.sessionLost ? `the session cannot go on: ${error}` : this.stopReason(error);
    this.onFailure(this, e);
    return this.stopped;
  }

  private stopReason(error: string): string | null {
    const hung = this.hangs > 0 ? `, ${this.hangs} hung` : '';
    if (this.succeeded === 0 && this.failures >= FAILURES_BEFORE_FIRST_SUCCESS) return `its first ${this.failures} attempts failed${hung}: ${error}`;
    if (this.streak >= FAILURES_IN_A_ROW) return `${this.streak} attempts in a row failed${hung}: ${error}`;
    if (this.planned !== null && this.failures > failureBudget(this.planned))
      return `${this.failures} of ${this.attempts} attempts failed${hung}, more than half of its ${this.planned} planned samples: ${error}`;
    return null;
  }

  summary(): SeriesReliability {
    return {
      suite: this.key.suite,
      series: this.key.series,
      labels: this.key.labels,
      metrics: [...this.metrics],
      planned: this.planned,
      succeeded: this.succeeded,
      ...failureCounts(this.attempts, this.failures, this.hangs),
      errors: [...this.errors.values()].sort((a, b) => b.count - a.count).slice(0, MAX_ERRORS),
      outcome: this.stopped ? { status: 'errored', reason: this.stopped } : { status: 'measured', reason: null },
    };
  }
}

function keyString(k: SeriesKey): string {
  return JSON.stringify([k.suite, k.series, k.labels]);
}

/** Every series of a run, found again by suite, name and labels in each block. */
export class ReliabilityLedger {
  private readonly tallies = new Map<string, SeriesTally>();

  constructor(private readonly onFailure: (tally: SeriesTally, e: RuntimeFailure) => void = () => undefined) {}

  /** The series, made on first use; `planned` is the same in every block (the run's total). */
  series(key: SeriesKey, planned: number | null): SeriesTally {
    const k = keyString(key);
    let t = this.tallies.get(k);
    if (!t) {
      t = new SeriesTally(key, planned, this.onFailure);
      this.tallies.set(k, t);
    }
    t.planned ??= planned;
    return t;
  }

  /** Whether the series a measurement came from was errored: its samples are then no measurement. */
  errored(key: SeriesKey): boolean {
    return this.tallies.get(keyString(key))?.stopped != null;
  }

  report(): Reliability {
    const series = [...this.tallies.values()].map((t) => t.summary());
    return { rule: RULE, series, configurations: byConfiguration(series) };
  }
}

/** Each runtime configuration's series pooled: one failure rate per runtime, layer, arch and workload kind. */
export function byConfiguration(series: readonly SeriesReliability[]): ConfigurationReliability[] {
  const groups = new Map<string, { labels: ConfigurationReliability['labels']; attempts: number; failures: number; hangs: number; series: number }>();
  for (const s of series) {
    const { workload: _w, ...labels } = s.labels;
    const k = JSON.stringify(labels);
    const g = groups.get(k) ?? { labels, attempts: 0, failures: 0, hangs: 0, series: 0 };
    g.attempts += s.attempts;
    g.failures += s.failures;
    g.hangs += s.hangs;
    g.series += 1;
    groups.set(k, g);
  }
  return [...groups.values()].map((g) => ({ labels: g.labels, series: g.series, ...failureCounts(g.attempts, g.failures, g.hangs) }));
}

/** A rate as a percentage with its interval: "5.7% [3.0% … 9.8%]". */
export function formatRate(c: Pick<FailureCounts, 'failureRate' | 'failureRateCi95'>): string {
  if (c.failureRate === null) return 'n/a';
  const pct = (x: number) => `${Number((x * 100).toFixed(1))}%`;
  const ci = c.failureRateCi95 ? ` [${pct(c.failureRateCi95[0])} … ${pct(c.failureRateCi95[1])}]` : '';
  return `${pct(c.failureRate)}${ci}`;
}
