/**
 * The sampling loop. tinybench schedules warmups and iterations; each task call
 * returns the duration rb-exec measured (`overriddenDuration`), so the loop's own
 * bookkeeping never lands in a figure. Raw per-sample results are kept in order.
 * An attempt the runtime fails is told to `onFailure` and leaves its sample out;
 * the loop goes on unless `onFailure` says the series stops.
 */
import { Bench } from 'tinybench';
import { Interrupted, RuntimeFailure } from './errors.ts';

export interface SampleOptions {
  runs: number;
  warmup: number;
  signal?: AbortSignal;
  onSample?: (index: number, warmup: boolean) => void;
  /** An attempt that succeeded (warmups included), with the duration `fn` returned. */
  onSuccess?: (durationNs: number) => void;
  /** An attempt the runtime failed: returns the error that stops the series, or null to go on without that sample. */
  onFailure?: (e: RuntimeFailure, warmup: boolean) => Error | null;
}

export interface Sampled<T> {
  /** Durations in ns, in the order they were taken (warmups and failed samples excluded). */
  durationsNs: number[];
  values: T[];
  /** Samples (not warmups) the runtime failed. */
  failed: number;
}

export async function sample<T>(
  name: string,
  opts: SampleOptions,
  /** Called once per sample; `warmup` says whether the sample will be kept. */
  fn: (warmup: boolean) => Promise<{ durationNs: number; value: T }>,
): Promise<Sampled<T>> {
  const durationsNs: number[] = [];
  const values: T[] = [];
  let phase: 'warmup' | 'run' = 'warmup';
  let warmups = 0;
  let failed = 0;
  const bench = new Bench({
    iterations: opts.runs,
    time: 0,
    warmup: opts.warmup > 0,
    warmupIterations: opts.warmup,
    warmupTime: 0,
    throws: true,
    retainSamples: false,
    // The abort signal is checked before each sample rather than handed to tinybench,
    // which would add a listener to the run-wide signal for every metric.
  });
  bench.add(
    name,
    async () => {
      if (opts.signal?.aborted) throw new Interrupted(String(opts.signal.reason ?? 'abort'));
      const warm = phase === 'warmup';
      let r: { durationNs: number; value: T };
      try {
        r = await fn(warm);
      } catch (e) {
        if (!(e instanceof RuntimeFailure) || !opts.onFailure) throw e;
        const stop = opts.onFailure(e, warm);
        if (stop) throw stop;
        if (!warm) failed++;
        // no duration: the sample is left out, and tinybench's own figures are not used
        return { overriddenDuration: 0 };
      }
      opts.onSuccess?.(r.durationNs);
      if (phase === 'run') {
        durationsNs.push(r.durationNs);
        values.push(r.value);
        opts.onSample?.(durationsNs.length - 1, false);
      } else {
        opts.onSample?.(warmups++, true);
      }
      return { overriddenDuration: r.durationNs / 1e6 };
    },
    {
      beforeAll(mode) {
        phase = mode === 'warmup' ? 'warmup' : 'run';
      },
    },
  );
  await bench.run();
  if (opts.signal?.aborted) throw new Interrupted(String(opts.signal.reason ?? 'abort'));
  return { durationsNs, values, failed };
}
