/**
 * The fill of a density run: idle units of one runtime configuration started (one at a
 * time at the oci and containerd layers, in batches where the layer says so) until the
 * budget, the cap, the time limit, a gauge of the host (core/density.ts) or the first
 * failure stops it. Every start is timed; the footprint of everything started is measured
 * at checkpoints (nextCheckpoint) and whenever the budget may have been reached.
 */
import { DEFAULT_DENSITY_TIME_MS, formatSize, gaugeStop, memAvailable, nextCheckpoint, type DensityLimits, type StopReason } from '../core/density.ts';
import { errorMessage, Interrupted } from '../core/errors.ts';
import type { Density, Footprint, IdleUnit } from '../core/runner.ts';
import type { DensityPoint } from '../core/schema.ts';
import type { SuiteContext } from '../core/suite.ts';
import type { WorkloadRef } from '../core/workloads.ts';

export interface Fill {
  limits: DensityLimits;
  /** The units started, in order; the caller removes them whatever happened. */
  units: IdleUnit[];
  points: DensityPoint[];
  stop: { reason: StopReason; detail: string };
  baseline: Footprint;
  final: Footprint;
  /** From the first start request until the last unit started. */
  wallNs: number;
}

export function limitsFor(ctx: SuiteContext, density: Density): DensityLimits & { settleMs: number } {
  const d = density.defaults();
  const asked = ctx.options.density ?? {};
  return {
    budgetBytes: asked.budgetBytes ?? d.budgetBytes,
    maxCount: asked.maxCount ?? d.maxCount,
    timeLimitMs: asked.timeLimitMs ?? DEFAULT_DENSITY_TIME_MS,
    concurrency: Math.max(1, d.concurrency ?? ctx.options.concurrency),
    settleMs: d.settleMs,
  };
}

function point(count: number, startNs: number | null, elapsedNs: number): DensityPoint {
  return { count, startNs, elapsedNs, memAvailableBytes: null, footprintBytes: null, cgroupBytes: null };
}

function measured(p: DensityPoint, f: Footprint): void {
  p.footprintBytes = f.bytes;
  p.cgroupBytes = f.cgroupBytes;
  if (f.byProcess) p.byProcess = f.byProcess;
}

/** Fills until something stops it; `units` (the caller's) holds every unit started, even when this throws. */
export async function fill(ctx: SuiteContext, density: Density, ref: WorkloadRef, units: IdleUnit[]): Promise<Fill> {
  const { settleMs, ...limits } = limitsFor(ctx, density);
  const names = () => units.map((u) => u.name);
  const first = await density.headroom();
  const baseline = await density.footprint([]);
  const base = point(0, null, 0);
  base.memAvailableBytes = memAvailable(first);
  measured(base, baseline);
  const points: DensityPoint[] = [base];
  let last = { count: 0, bytes: baseline.bytes, footprint: baseline };
  let checkpoint = nextCheckpoint(0);
  // units found no longer running at a checkpoint: the footprint would count fewer than the fill
  let lost: Fill['stop'] | null = null;
  const measure = async () => {
    const f = await density.footprint(names());
    const p = points[points.length - 1] as DensityPoint;
    measured(p, f);
    last = { count: units.length, bytes: f.bytes, footprint: f };
    checkpoint = nextCheckpoint(units.length);
    const gone = (await density.exited?.(names())) ?? [];
    if (gone.length > 0 && !lost) {
      const more = gone.length > 3 ? `; and ${gone.length - 3} more` : '';
      lost = { reason: 'exited', detail: `${gone.length} of ${units.length} idle units no longer run at ${units.length}: ${gone.slice(0, 3).join('; ')}${more}` };
    }
  };
  const grown = () => last.bytes - baseline.bytes;
  const t0 = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - t0);
  let tLast = t0;
  let stop: Fill['stop'] | null = null;
  while (!stop) {
    if (ctx.signal.aborted) throw new Interrupted(String(ctx.signal.reason ?? 'interrupt'));
    const n = units.length;
    const gauges = await density.headroom();
    const newest = points[points.length - 1] as DensityPoint;
    newest.memAvailableBytes ??= memAvailable(gauges);
    if (n >= checkpoint) await measure();
    // between checkpoints the footprint grows as it did on average; near the budget it is measured
    const perUnit = last.count > 0 ? grown() / last.count : 0;
    if (grown() + perUnit * (n - last.count) >= limits.budgetBytes && last.count !== n) await measure();
    const batch = Math.min(limits.concurrency, limits.maxCount - n);
    if (lost) stop = lost;
    else if (n >= limits.maxCount) stop = { reason: 'cap', detail: `${n} units: the cap (--density-max ${limits.maxCount})` };
    else if (grown() >= limits.budgetBytes)
      stop = { reason: 'budget', detail: `${density.footprintOf} grew by ${formatSize(grown())}, the budget is ${formatSize(limits.budgetBytes)}` };
    else if (elapsed() >= limits.timeLimitMs * 1e6) stop = { reason: 'time', detail: `${n} units after ${(elapsed() / 1e9).toFixed(0)} s: the time limit (--density-time)` };
    else stop = gaugeStop(gauges, first, n, batch);
    if (stop) break;

    const results = await Promise.allSettled(Array.from({ length: batch }, () => density.startIdle({ workload: ref, timeoutMs: ctx.options.timeoutMs })));
    tLast = process.hrtime.bigint();
    let failure: string | null = null;
    for (const r of results) {
      if (r.status === 'fulfilled') {
        units.push(r.value);
        points.push(point(units.length, r.value.startNs, Number(tLast - t0)));
      } else failure ??= errorMessage(r.reason);
    }
    if (failure) stop = { reason: 'failure', detail: failure };
    ctx.events.emit('sample', { suite: 'density', metric: 'units', runtime: ctx.session.runtime.name, index: units.length - 1, total: limits.maxCount, warmup: false });
    if (Math.floor(units.length / 100) > Math.floor(n / 100)) {
      ctx.events.emit('log', {
        level: 'info',
        message: `${ctx.session.layer} ${ctx.session.runtime.name} density (${ref.kind}): ${units.length} running, ${density.footprintOf} +${formatSize(grown())} at ${last.count}`,
      });
    }
  }
  if (units.length === 0) return { limits, units, points, stop, baseline, final: baseline, wallNs: 0 };
  if (settleMs > 0) await new Promise((r) => setTimeout(r, settleMs));
  const end = points[points.length - 1] as DensityPoint;
  end.memAvailableBytes ??= memAvailable(await density.headroom());
  if (last.count !== units.length || settleMs > 0) await measure();
  // units that exited after the fill stopped for another reason: that reason stands in the detail
  const lostLate = lost as Fill['stop'] | null;
  if (lostLate && stop.reason !== 'exited') stop = { reason: 'exited', detail: `${lostLate.detail} (the fill had stopped: ${stop.reason}, ${stop.detail})` };
  return { limits, units, points, stop, baseline, final: last.footprint, wallNs: Number(tLast - t0) };
}
