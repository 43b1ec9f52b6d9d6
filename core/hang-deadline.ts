/**
 * The hang deadline. A runtime that hangs now and then (youki 0.7.0's `run`, in about one try
 * in four on this project's machine) would make each hung attempt wait out the whole
 * `--timeout`. Once a series has taken a few good samples it knows how long its operation
 * takes, so an attempt still running after `factor` times the median of its good attempts
 * (never less than a floor, never more than `--timeout`) is declared hung: killed at that
 * deadline by the same path as at `--timeout` (rb-exec's per-request deadline, then the
 * runner's cleanup) and counted as a hang in the series' reliability (core/reliability.ts).
 *
 * The factor and the floor were chosen on 4,769 healthy samples from 65 results documents made
 * on this machine (load averages up to 38): replaying each series in order, with the deadline
 * taken from the samples before, 10 × the median with a 1 s or 2 s floor would have killed two
 * healthy runc runs of 3.1 s and 4.3 s (median 164 ms, load 25); with a 5 s floor, none. The
 * README gives the method.
 */
import { median } from './stats.ts';

export interface HangPolicy {
  /** The deadline is this many times the median of the series' good attempts; 0: only `--timeout`. */
  factor: number;
  /** Never below this, in ms: a 10 ms operation slowed a hundredfold by a busy host is not hung. */
  floorMs: number;
  /** Good attempts a series needs before its deadline is taken from them. */
  afterSuccesses: number;
}

export const DEFAULT_HANG_FACTOR = 10;
export const HANG_FLOOR_MS = 5_000;
export const HANG_AFTER_SUCCESSES = 3;

/** Why a factor cannot be used, or null: 0 turns the deadline off; below 2 it would kill attempts barely slower than the median. */
export function hangFactorProblem(factor: number, given: string = String(factor)): string | null {
  return Number.isFinite(factor) && (factor === 0 || factor >= 2) ? null : `must be 0 (off) or a number of at least 2, got '${given}'`;
}

export function hangPolicy(factor: number = DEFAULT_HANG_FACTOR): HangPolicy {
  return { factor, floorMs: HANG_FLOOR_MS, afterSuccesses: HANG_AFTER_SUCCESSES };
}

/**
 * The deadline, in whole ms, of the next attempt of a series whose good attempts took
 * `durationsNs`: `--timeout` until it has `afterSuccesses` of them (or with a factor of 0),
 * then max(factor × their median, floor), capped at `--timeout`.
 */
export function attemptDeadlineMs(durationsNs: readonly number[], timeoutMs: number, policy: HangPolicy): number {
  if (policy.factor <= 0 || durationsNs.length < policy.afterSuccesses) return timeoutMs;
  const adaptive = Math.ceil(Math.max((policy.factor * median(durationsNs)) / 1e6, policy.floorMs));
  return Math.min(adaptive, timeoutMs);
}
