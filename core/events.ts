/**
 * Typed events: the core never prints. The terminal progress, logs and CI summaries
 * subscribe to these.
 */
import type { Fact, Layer, Measurement, Outcome, ConformanceResult } from './schema.ts';

export interface RunEvents {
  'run:start': { runId: string; runtimes: string[]; suites: string[]; layers: Layer[] };
  'suite:start': { suite: string; runtime: string; layer: Layer };
  'suite:end': { suite: string; runtime: string; layer: Layer; outcome: Outcome };
  'measurement:start': { suite: string; metric: string; runtime: string; total: number };
  sample: { suite: string; metric: string; runtime: string; index: number; total: number; warmup: boolean };
  measurement: { measurement: Measurement };
  /** One attempt of a series failed (or hung); the series goes on without it unless too many did (core/reliability.ts). */
  'attempt:failed': { suite: string; series: string; runtime: string; workload: string; hung: boolean; message: string };
  fact: { fact: Fact };
  conformance: { result: ConformanceResult };
  /** A runtime failed; the run goes on with the others. */
  'runtime:error': { runtime: string; suite: string; message: string };
  log: { level: 'info' | 'warn'; message: string };
  'run:end': { runId: string; interrupted: boolean };
}

type Listener<T> = (payload: T) => void;

export class EventBus<E extends object = RunEvents> {
  private readonly listeners = new Map<keyof E, Set<Listener<never>>>();

  on<K extends keyof E>(event: K, fn: Listener<E[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(fn as Listener<never>);
    return () => set.delete(fn as Listener<never>);
  }

  emit<K extends keyof E>(event: K, payload: E[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const fn of set) (fn as Listener<E[K]>)(payload);
  }
}
