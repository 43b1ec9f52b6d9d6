/**
 * How often a hang deadline would have killed a healthy attempt: replays the `run` and
 * `lifecycle` series of results documents, in the order their samples were taken, each sample
 * against the deadline taken from the samples before it (core/hang-deadline.ts), for several
 * factors and floors. Documents made with a fake runner, and any run seen twice, are skipped.
 *
 *   npx tsx scripts/hang-replay.ts results.json... [--json]
 */
import { attemptDeadlineMs, HANG_AFTER_SUCCESSES } from '../core/hang-deadline.ts';
import type { ResultsDocument } from '../core/schema.ts';
import { readResults } from '../reports/json.ts';

const FACTORS = [5, 10, 20, 50];
const FLOORS_MS = [1_000, 2_000, 5_000, 10_000];

interface Series {
  samplesNs: number[];
  what: string;
  loadAvg1: number | null;
}

function load(paths: string[]): { series: Series[]; documents: number; skipped: number } {
  const seen = new Set<string>();
  const series: Series[] = [];
  let skipped = 0;
  for (const path of paths) {
    let doc: ResultsDocument | null = null;
    try {
      doc = readResults(path);
    } catch {
      /* not a results document this version reads */
    }
    if (!doc || seen.has(doc.runId) || doc.runtimes.some((r) => r.path?.startsWith('/fake/'))) {
      skipped++;
      continue;
    }
    seen.add(doc.runId);
    for (const m of doc.measurements) {
      if (m.unit !== 'ns' || (m.metric !== 'run' && m.metric !== 'lifecycle')) continue;
      const xs = m.samples.filter((x) => Number.isFinite(x) && x > 0);
      if (xs.length > HANG_AFTER_SUCCESSES)
        series.push({ samplesNs: xs, what: `${m.labels.runtime} ${m.labels.layer} ${m.suite} ${m.metric}`, loadAvg1: doc.noise?.summary.maxLoadAvg1 ?? null });
    }
  }
  return { series, documents: seen.size, skipped };
}

const args = process.argv.slice(2);
const json = args.includes('--json');
const { series, documents, skipped } = load(args.filter((a) => a !== '--json'));
const replayed = series.reduce((n, s) => n + s.samplesNs.length - HANG_AFTER_SUCCESSES, 0);
const rows = FACTORS.flatMap((factor) =>
  FLOORS_MS.map((floorMs) => {
    const kills: string[] = [];
    for (const s of series)
      for (let i = HANG_AFTER_SUCCESSES; i < s.samplesNs.length; i++) {
        const deadlineMs = attemptDeadlineMs(s.samplesNs.slice(0, i), Number.POSITIVE_INFINITY, { factor, floorMs, afterSuccesses: HANG_AFTER_SUCCESSES });
        const ms = (s.samplesNs[i] as number) / 1e6;
        if (ms > deadlineMs) kills.push(`${s.what}: ${ms.toFixed(0)} ms > ${deadlineMs} ms (load ${s.loadAvg1 ?? '?'})`);
      }
    return { factor, floorMs, kills };
  }),
);
const ratios = series.map((s) => Math.max(...s.samplesNs) / [...s.samplesNs].sort((a, b) => a - b)[Math.floor(s.samplesNs.length / 2)]!).sort((a, b) => a - b);
const maxLoad = Math.max(...series.map((s) => s.loadAvg1 ?? 0));
if (json) process.stdout.write(`${JSON.stringify({ documents, skipped, series: series.length, replayed, maxLoad, rows }, null, 2)}\n`);
else {
  process.stdout.write(`${documents} documents (${skipped} skipped), ${series.length} series, ${replayed} samples after each series' ${HANG_AFTER_SUCCESSES}rd; load average up to ${maxLoad}\n`);
  const q = (p: number) => ratios[Math.min(ratios.length - 1, Math.floor(p * ratios.length))]?.toFixed(1);
  process.stdout.write(`slowest sample / median of a series: median ${q(0.5)}, 99th percentile ${q(0.99)}, largest ${q(1)}\n`);
  for (const r of rows) process.stdout.write(`factor ${r.factor}, floor ${r.floorMs / 1000} s: ${r.kills.length} healthy samples killed${r.kills.length ? `: ${r.kills.slice(0, 3).join('; ')}` : ''}\n`);
}
