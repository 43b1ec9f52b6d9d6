/**
 * "Pod startup, stage by stage": the kubernetes layer's startup figures split into the layers a
 * pod passes through (API server and scheduler, kubelet and CRI, CRI + shim + OCI runtime, the
 * workload, the kubelet noticing the exit), with P50/P95/P99 per RuntimeClass, a stacked chart
 * of the medians, and every phase with where its timestamps come from (the notes the startup
 * suite recorded: the watch, containerd's events, or both). Also used by the Markdown and
 * terminal reports. A pure function of the documents; shown when they hold kubernetes-layer
 * startup phases.
 */
import { formatValue } from '../../../core/format.ts';
import type { Measurement, ResultsDocument } from '../../../core/schema.ts';
import type { Figure, Section, SectionContext, TableModel } from '../types.ts';

/** The stages, in the order a pod passes them; their sum is the pod to completion, deletion aside. */
export const POD_STAGES: readonly { metric: string; title: string }[] = [
  { metric: 'stageApiScheduler', title: 'API server + scheduler' },
  { metric: 'stageKubeletCri', title: 'kubelet + CRI' },
  { metric: 'stageRuntime', title: 'CRI + shim + OCI runtime' },
  { metric: 'exited', title: 'workload' },
  { metric: 'stageExitObserved', title: 'kubelet notices exit' },
];
/** Whole-pod figures shown beside the stages. */
const TOTALS: readonly { metric: string; title: string }[] = [
  { metric: 'podStartup', title: 'pod startup (SLI)' },
  { metric: 'nodeStartup', title: 'created → task started' },
  { metric: 'runtimeShare', title: "runtime's share of pod startup" },
  { metric: 'runtimeShareNode', title: "runtime's share of created → task started" },
];
const WATCH_PHASES = new Set(['scheduled', 'sandboxReady', 'containerStarted', 'completed', 'deleted']);
/** The suite's whole-pod figures: their own rows in the suite section, not phases. */
const WHOLE = new Set(['run', 'lifecycle']);

interface Block {
  title: string;
  /** runtime -> metric -> measurement */
  byRuntime: Map<string, Map<string, Measurement>>;
  /** phase metrics in recorded order */
  phases: string[];
}

function blocks(docs: readonly ResultsDocument[]): Block[] {
  const out = new Map<string, Block>();
  for (const d of docs) {
    for (const m of d.measurements) {
      const l = m.labels;
      if (l.layer !== 'kubernetes' || m.suite !== 'startup' || typeof m.notes.timestamps !== 'string') continue;
      const key = [l.host, l.arch, l.workload, l.workloadKind].join('\u0000');
      const b: Block = out.get(key) ?? { title: `${l.workload} (${l.workloadKind}) · ${l.arch} @${l.host}`, byRuntime: new Map(), phases: [] };
      const r = b.byRuntime.get(l.runtime) ?? new Map<string, Measurement>();
      r.set(m.metric, m);
      b.byRuntime.set(l.runtime, r);
      const isDerived = POD_STAGES.some((s) => s.metric === m.metric && s.metric !== 'exited') || TOTALS.some((t) => t.metric === m.metric);
      if (!isDerived && !WHOLE.has(m.metric) && !b.phases.includes(m.metric)) b.phases.push(m.metric);
      out.set(key, b);
    }
  }
  return [...out.values()];
}

function q(m: Measurement | undefined): string[] {
  const s = m?.stats;
  if (!m || !s) return ['—', '—', '—', m ? `0 (${m.failedSamples} without)` : '0'];
  return [formatValue(s.median, m.unit), formatValue(s.p95, m.unit), formatValue(s.p99, m.unit), `${m.samples.length}${m.failedSamples > 0 ? ` (${m.failedSamples} without)` : ''}`];
}

function sourceOf(b: Block, metric: string): string {
  for (const r of b.byRuntime.values()) {
    const t = r.get(metric)?.notes.timestamps;
    if (typeof t === 'string') return t;
  }
  return '';
}

export function podTimelineSection(docs: readonly ResultsDocument[]): Section | null {
  const bs = blocks(docs);
  if (bs.length === 0) return null;
  const tables: TableModel[] = [];
  const figures: Figure[] = [];
  const offsets = new Set<string>();
  for (const [i, b] of bs.entries()) {
    const runtimes = [...b.byRuntime.keys()].sort();
    for (const r of b.byRuntime.values()) {
      const u = r.get('scheduled')?.notes.clockOffsetUncertaintyUs;
      if (typeof u === 'number') offsets.add(`${u} µs`);
    }
    const hasStages = runtimes.some((rt) => b.byRuntime.get(rt)?.has('stageRuntime'));
    if (hasStages) {
      const rows = runtimes.flatMap((rt) =>
        [...POD_STAGES, ...TOTALS].map((s) => {
          const m = b.byRuntime.get(rt)?.get(s.metric);
          return [rt, s.title, ...q(m), sourceOf(b, s.metric)];
        }),
      );
      tables.push({
        caption: `${b.title}: pod startup and completion by stage, per RuntimeClass`,
        columns: ['runtime', 'stage', 'P50', 'P95', 'P99', 'n', 'timestamps from'],
        numeric: [false, false, true, true, true, true, false],
        rows,
      });
      const ms = (m: Measurement | undefined) => (m?.stats ? m.stats.median / 1e6 : 0);
      figures.push({
        id: `pod-stages-${i}`,
        title: `${b.title}: median of each stage (ms), stacked`,
        chart: {
          type: 'bar',
          axis: 'ms',
          scale: 'zero',
          labels: runtimes,
          stacked: true,
          datasets: POD_STAGES.map((s) => ({ label: s.title, data: runtimes.map((rt) => ms(b.byRuntime.get(rt)?.get(s.metric))) })),
        },
        table: {
          caption: 'medians (ms)',
          columns: ['runtime', ...POD_STAGES.map((s) => s.title)],
          numeric: [false, ...POD_STAGES.map(() => true)],
          rows: runtimes.map((rt) => [rt, ...POD_STAGES.map((s) => ms(b.byRuntime.get(rt)?.get(s.metric)).toFixed(1))]),
        },
      });
    }
    tables.push({
      caption: `${b.title}: every phase, per RuntimeClass`,
      columns: ['phase', 'runtime', 'P50', 'P95', 'P99', 'n', 'timestamps from'],
      numeric: [false, false, true, true, true, true, false],
      rows: b.phases.flatMap((p) => runtimes.map((rt) => [p, rt, ...q(b.byRuntime.get(rt)?.get(p)), sourceOf(b, p)])),
    });
  }
  const watchOnly = bs.every((b) => b.phases.every((p) => WATCH_PHASES.has(p)));
  const paragraphs = [
    "Each phase ends at a mark and is named by it. Marks from the pod watch are the client's hrtime at the receipt of the event that showed them; marks from the node are containerd's own event timestamps (the shim's for task events, its recorded exit time for the exit), a wall clock moved onto the watch's clock by an offset measured against containerd with probe events it stamps. The kubelet's own status times (startedAt, finishedAt) have one-second resolution and are not used.",
    "A stage names everything in it: the CRI + shim + OCI runtime stage holds the CRI's task calls, the shim's start and the OCI runtime's create and start of both the pause container and the workload's; nothing on the node separates the OCI runtime from the shim that calls it.",
  ];
  if (offsets.size > 0) paragraphs.push(`Clock offset uncertainty (half the shortest probe round trip): ${[...offsets].join(', ')}.`);
  if (watchOnly) paragraphs.push("These documents hold the watch's phases only: the node's containerd events were not read (the note on each figure says why).");
  return { id: 'pod-timeline', title: 'Pod startup, stage by stage', paragraphs, figures, tables };
}

export function buildPodTimeline({ docs }: SectionContext): Section | null {
  return podTimelineSection(docs);
}
