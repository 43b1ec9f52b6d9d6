/** History: the median of every measurement across nightly runs, each run's regressions flagged. */
import { compareDocuments, keyOf, keyString } from '../../../core/compare.ts';
import { formatValue } from '../../../core/format.ts';
import type { Measurement, ResultsDocument, Unit } from '../../../core/schema.ts';
import { noValue } from '../../groups.ts';
import { metricInfo } from '../../metrics.ts';
import { axisScale, axisTitle, round, scaleFor, slug } from '../figures.ts';
import type { Cell, Figure, Section, SectionContext } from '../types.ts';

export function historySection(docs: readonly ResultsDocument[], options: { thresholdPercent: number; alpha: number }): Section {
  const sorted = [...docs].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  if (sorted.length === 0) return { id: 'history', title: 'History', paragraphs: ['No results documents in the history directory.'], figures: [], tables: [] };
  // regressed[i] holds the comparison keys (with runtime) that regressed from run i-1 to run i.
  const regressed: Set<string>[] = sorted.map(() => new Set());
  for (let i = 1; i < sorted.length; i++) {
    const c = compareDocuments(sorted[i - 1] as ResultsDocument, sorted[i] as ResultsDocument, options);
    for (const r of c.rows) if (r.verdict === 'regressed') regressed[i]?.add(keyString(r));
  }
  const runLabels = sorted.map((d) => `${d.startedAt.slice(0, 16).replace('T', ' ')} ${d.runId}`);
  const series = new Map<string, { title: string; unit: Unit; emulated: boolean; byRuntime: Map<string, (Measurement | null)[]> }>();
  sorted.forEach((d, i) => {
    for (const m of d.measurements) {
      const k = keyOf(m);
      const sk = [k.layer, k.suite, k.metric, k.workload, k.workloadKind, k.arch, m.labels.emulated].join('\u0000');
      const s = series.get(sk) ?? {
        title: `${metricInfo(k.metric).title} · ${k.workload} (${k.workloadKind}), ${k.layer} layer, ${k.arch}${m.labels.emulated ? ' (emulated)' : ''}`,
        unit: m.unit,
        emulated: m.labels.emulated,
        byRuntime: new Map(),
      };
      const arr = s.byRuntime.get(k.runtime) ?? sorted.map(() => null);
      if (!arr[i]) arr[i] = m;
      s.byRuntime.set(k.runtime, arr);
      series.set(sk, s);
    }
  });
  const figures: Figure[] = [];
  let flaggedTotal = 0;
  for (const [sk, s] of series) {
    const all = [...s.byRuntime.values()].flatMap((arr) => arr.flatMap((m) => (m?.stats ? [m.stats.median] : [])));
    const scale = scaleFor(s.unit, all);
    const runtimes = [...s.byRuntime.keys()].sort();
    const flaggedOf = (rt: string) => (s.byRuntime.get(rt) ?? []).map((m, i) => (m ? (regressed[i]?.has(keyString(keyOf(m))) ?? false) : false));
    for (const rt of runtimes) flaggedTotal += flaggedOf(rt).filter(Boolean).length;
    figures.push({
      id: `history-${slug(sk)}`,
      title: s.title,
      chart: {
        type: 'line',
        axis: `median, ${axisTitle(scale.axis, s.unit, axisScale(all.map((x) => x * scale.factor)))}`,
        scale: axisScale(all.map((x) => x * scale.factor)),
        labels: runLabels,
        datasets: runtimes.map((rt) => ({
          label: rt,
          data: (s.byRuntime.get(rt) ?? []).map((m) => (m?.stats ? round(m.stats.median * scale.factor) : null)),
          flagged: flaggedOf(rt),
        })),
      },
      table: {
        caption: `${s.title}: median per run`,
        columns: ['run', ...runtimes],
        numeric: [false, ...runtimes.map(() => true)],
        rows: sorted.map((_, i) => [
          runLabels[i] ?? '',
          ...runtimes.map((rt): Cell => {
            const m = s.byRuntime.get(rt)?.[i];
            if (!m) return { text: '—', tone: 'muted' };
            if (!m.stats) return { text: noValue(m), tone: 'bad' };
            const text = formatValue(m.stats.median, s.unit);
            return flaggedOf(rt)[i] ? { text: `${text} ▲ regressed`, tone: 'bad' } : text;
          }),
        ]),
      },
    });
  }
  return {
    id: 'history',
    title: 'History',
    paragraphs: [
      `${sorted.length} runs from ${sorted[0]?.startedAt} to ${sorted[sorted.length - 1]?.startedAt}. Each run is compared with the one before it; a red triangle marks a regression as runbench compare judges one (the Mann-Whitney p-value, Holm-adjusted across the run's rows, below ${options.alpha} and the median worse by more than ${options.thresholdPercent}%). ${flaggedTotal} flagged.`,
    ],
    figures,
    tables: [],
  };
}

export function buildHistory({ history, thresholdPercent, alpha }: SectionContext): Section | null {
  return history ? historySection(history, { thresholdPercent, alpha }) : null;
}
