/**
 * How the reports line measurements up: one group per (layer, suite, metric, workload, arch),
 * emulated figures in groups of their own, so a comparison never mixes an emulator into it.
 */
import { layerName, lowerIsBetter } from '../core/format.ts';
import { type Ranked, rankSamples } from '../core/ranking.ts';
import type { Measurement, ResultsDocument, Unit } from '../core/schema.ts';

export interface GroupEntry {
  measurement: Measurement;
  /** runtime (kind), with @host when the group spans several hosts. */
  label: string;
  /** Median over the best median in the group: 1 is best, 1.5 is 50% worse; null without a value. */
  ratioToBest: number | null;
  /** Its rank among the group (shared with those it cannot be told apart from) and the interval of its ratio. */
  ranked: Ranked;
}

export interface MeasurementGroup {
  key: string;
  layer: string;
  suite: string;
  metric: string;
  workload: string;
  arch: string;
  emulated: boolean;
  unit: Unit;
  hosts: string[];
  title: string;
  entries: GroupEntry[];
}

const SUITE_ORDER = ['startup', 'memory', 'throughput'];

/** Which way is better for a figure: as it says (notes.better), else as its unit does. */
export function measurementLowerIsBetter(m: Measurement): boolean {
  return m.notes.better === 'lower' ? true : m.notes.better === 'higher' ? false : lowerIsBetter(m.unit);
}

/** A measurement to rank, with the run (the document's runId) that took it. */
export interface RankEntry {
  measurement: Measurement;
  runId: string;
}

/**
 * The one place every report ranks measurements of one comparison (the terminal table, the
 * Markdown and HTML tables and their summaries), so each says the same rank, tie and interval
 * for the same pair. Blocks are rounds shared by the runtimes only within one run: when every
 * entry comes from the same run, they are compared round by round (core/ranking.ts), otherwise
 * by a Mann-Whitney U test on the samples. The entries are ranked in one canonical order, so
 * the result does not depend on the order a report lists them in (equal medians keep their
 * order). Results in the order given.
 */
export function rankMeasurements(entries: readonly RankEntry[]): Ranked[] {
  const head = entries[0];
  if (!head) return [];
  const key = (e: RankEntry) => [e.measurement.labels.host, e.runId, e.measurement.labels.runtime, e.measurement.labels.workloadKind, e.measurement.labels.cri ?? ''].join('\u0000');
  const order = entries.map((e, i) => ({ e, i, k: key(e) })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.i - b.i));
  const oneRun = entries.every((e) => e.runId === head.runId);
  const ranked = rankSamples(
    order.map(({ e }) => ({ samples: e.measurement.samples, blocks: e.measurement.blocks })),
    measurementLowerIsBetter(head.measurement),
    undefined,
    oneRun,
  );
  const out: Ranked[] = new Array<Ranked>(entries.length);
  order.forEach(({ i }, k) => {
    out[i] = ranked[k] as Ranked;
  });
  return out;
}

export function groupMeasurements(docs: readonly ResultsDocument[]): MeasurementGroup[] {
  const byKey = new Map<string, RankEntry[]>();
  for (const doc of docs) {
    for (const m of doc.measurements) {
      const l = m.labels;
      const k = [l.emulated ? 'emulated' : 'native-hw', layerName(l), m.suite, m.metric, l.workload, l.arch].join('\u0000');
      const list = byKey.get(k) ?? [];
      list.push({ measurement: m, runId: doc.runId });
      byKey.set(k, list);
    }
  }
  const groups: MeasurementGroup[] = [];
  for (const [key, list] of byKey) {
    const ms = list.map((e) => e.measurement);
    const head = ms[0] as Measurement;
    const hosts = [...new Set(ms.map((m) => m.labels.host))].sort();
    const ranks = rankMeasurements(list);
    const entries = ms
      .map((m, i) => {
        const ranked = ranks[i] as Ranked;
        return {
          measurement: m,
          label: `${m.labels.runtime} (${m.labels.workloadKind})${hosts.length > 1 ? ` @${m.labels.host}` : ''}`,
          ratioToBest: ranked.ratio,
          ranked,
        };
      })
      // measurements without a value last
      .sort((a, b) => (a.ratioToBest ?? Infinity) - (b.ratioToBest ?? Infinity) || a.label.localeCompare(b.label));
    groups.push({
      key,
      layer: layerName(head.labels),
      suite: head.suite,
      metric: head.metric,
      workload: head.labels.workload,
      arch: head.labels.arch,
      emulated: head.labels.emulated,
      unit: head.unit,
      hosts,
      title: `${layerName(head.labels)} · ${head.suite} · ${head.metric} (${head.labels.workload}, ${head.labels.arch}${head.labels.emulated ? ', emulated' : ''})`,
      entries,
    });
  }
  const suiteRank = (s: string) => {
    const i = SUITE_ORDER.indexOf(s);
    return i < 0 ? SUITE_ORDER.length : i;
  };
  return groups.sort(
    (a, b) =>
      Number(a.emulated) - Number(b.emulated) ||
      a.layer.localeCompare(b.layer) ||
      suiteRank(a.suite) - suiteRank(b.suite) ||
      a.suite.localeCompare(b.suite) ||
      a.arch.localeCompare(b.arch) ||
      a.workload.localeCompare(b.workload),
  );
}

/** What a report shows instead of the figures of a measurement without statistics. */
export function noValue(m: Measurement): string {
  return m.failedSamples > 0 ? `no value: all ${m.failedSamples} samples failed` : 'no value: no samples';
}

/** The samples with a value, and those without: "6", "5 (1 failed)". */
export function samplesText(m: Measurement): string {
  return `${m.samples.length}${m.failedSamples > 0 ? ` (${m.failedSamples} failed)` : ''}`;
}

/** Suite runs that did not simply pass, and passed ones that carry a reason (part of the run skipped). */
export function notMeasured(docs: readonly ResultsDocument[]) {
  return docs.flatMap((d) => d.suiteRuns.filter((r) => r.outcome.status !== 'passed' || r.outcome.reason).map((r) => ({ host: d.host.hostname, ...r })));
}

export const EMULATED_NOTE =
  'Figures measured under emulation (qemu-user) time the emulator as much as the runtime, so they are shown apart and never compared with figures from real hardware.';
