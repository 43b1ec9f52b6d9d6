/**
 * What the HTML report shows, as plain data: sections of figures (a chart and the table
 * beside it) and tables. The page script only draws this model; every decision about
 * grouping, units and wording is made here, where it can be tested.
 */
import { type Comparison, compareDocuments, DEFAULT_ALPHA, DEFAULT_THRESHOLD_PERCENT, formatP, keyOf, keyString } from '../../core/compare.ts';
import { formatValue } from '../../core/format.ts';
import type { Measurement, ResultsDocument, Unit } from '../../core/schema.ts';
import { BOOTSTRAP_RESAMPLES, OUTLIER_MODIFIED_Z } from '../../core/stats.ts';
import { EMULATED_NOTE, groupMeasurements, type MeasurementGroup, notMeasured } from '../groups.ts';
import { wasmWaysSection } from './wasm-ways.ts';

export type Tone = 'good' | 'bad' | 'warn' | 'muted';
export type Cell = string | { text: string; tone: Tone };

export interface TableModel {
  caption: string;
  columns: string[];
  /** Columns whose cells are figures (right-aligned). */
  numeric: boolean[];
  rows: Cell[][];
}

export type ChartModel =
  | { type: 'boxplot'; axis: string; labels: string[]; datasets: { label: string; data: number[][] }[] }
  | { type: 'line'; axis: string; labels: string[]; datasets: { label: string; data: (number | null)[]; flagged: boolean[] }[] }
  | {
      type: 'bar';
      axis: string;
      labels: string[];
      stacked: boolean;
      /** tone colours a whole dataset; tones colours each bar. */
      datasets: { label: string; data: number[]; tone?: Tone; tones?: Tone[] }[];
    };

export interface Figure {
  id: string;
  title: string;
  chart: ChartModel;
  table: TableModel;
}

export interface Section {
  id: string;
  title: string;
  paragraphs: string[];
  figures: Figure[];
  tables: TableModel[];
}

export interface ReportModel {
  title: string;
  subtitle: string;
  sections: Section[];
}

export interface HtmlOptions {
  /** A baseline document: adds a comparison of the (first) document against it. */
  baseline?: ResultsDocument;
  /** Nightly documents for trend charts; sorted by startedAt here. */
  history?: readonly ResultsDocument[];
  thresholdPercent?: number;
  alpha?: number;
}

interface Scale {
  factor: number;
  axis: string;
}

/** A display unit for charts: the same one for every value of a chart, so boxes line up. */
export function scaleFor(unit: Unit, values: readonly number[]): Scale {
  const max = values.length > 0 ? Math.max(...values.map(Math.abs)) : 0;
  switch (unit) {
    case 'ns':
      if (max >= 1e9) return { factor: 1e-9, axis: 's' };
      if (max >= 1e6) return { factor: 1e-6, axis: 'ms' };
      return { factor: 1e-3, axis: 'µs' };
    case 'bytes':
      return max >= 1024 * 1024 ? { factor: 1 / (1024 * 1024), axis: 'MiB' } : { factor: 1 / 1024, axis: 'KiB' };
    case 'ops/s':
      if (max >= 1e9) return { factor: 1e-9, axis: 'G ops/s' };
      if (max >= 1e6) return { factor: 1e-6, axis: 'M ops/s' };
      if (max >= 1e3) return { factor: 1e-3, axis: 'k ops/s' };
      return { factor: 1, axis: 'ops/s' };
    default:
      return { factor: 1, axis: unit };
  }
}

const round = (x: number) => Number(x.toPrecision(6));

function ci(m: Measurement): string {
  return `${formatValue(m.stats.ci95Median[0], m.unit)} … ${formatValue(m.stats.ci95Median[1], m.unit)}`;
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

function groupFigure(g: MeasurementGroup, idPrefix: string): Figure {
  const scale = scaleFor(g.unit, g.entries.flatMap((e) => e.measurement.samples));
  return {
    id: `${idPrefix}-${slug(g.key)}`,
    title: g.title,
    chart: {
      type: 'boxplot',
      axis: scale.axis,
      labels: g.entries.map((e) => e.label),
      datasets: [{ label: g.metric, data: g.entries.map((e) => e.measurement.samples.map((x) => round(x * scale.factor))) }],
    },
    table: {
      caption: `${g.metric} (${g.unit})`,
      columns: ['runtime', 'median', '95% CI', 'p95', 'ratio to best', 'n', 'outliers'],
      numeric: [false, true, true, true, true, true, true],
      rows: g.entries.map((e) => {
        const s = e.measurement.stats;
        return [
          e.label,
          formatValue(s.median, g.unit),
          ci(e.measurement),
          formatValue(s.p95, g.unit),
          e.ratioToBest === 1 ? { text: '1.00× best', tone: 'good' } : `${e.ratioToBest.toFixed(2)}×`,
          String(s.n),
          String(s.outliers.length),
        ];
      }),
    },
  };
}

function environmentSection(docs: readonly ResultsDocument[]): Section {
  const hosts: TableModel = {
    caption: 'hosts',
    columns: ['host', 'arch', 'kernel', 'os', 'cpu', 'cores', 'memory', 'cgroups', 'node', 'run', 'started'],
    numeric: [false, false, false, false, false, true, true, false, false, false, false],
    rows: docs.map((d) => [
      d.host.hostname,
      d.host.arch,
      d.host.kernel,
      d.host.os,
      d.host.cpuModel,
      String(d.host.cores),
      formatValue(d.host.memoryBytes, 'bytes'),
      `${d.host.cgroupLayout}${d.host.cgroup2Controllers.length > 0 ? ` (v2: ${d.host.cgroup2Controllers.join(', ')})` : ''}`,
      d.host.nodeVersion,
      d.runId,
      d.startedAt,
    ]),
  };
  const runtimes: TableModel = {
    caption: 'runtimes',
    columns: ['host', 'runtime', 'driven as', 'version', 'status', 'features', 'Wasm handlers', 'path'],
    numeric: [false, false, false, false, false, false, false, false],
    rows: docs.flatMap((d) =>
      d.runtimes.map((r): Cell[] => [
        d.host.hostname,
        r.name,
        r.kind,
        r.version ?? '—',
        r.status === 'ok' ? { text: 'ok', tone: 'good' } : { text: `${r.status}${r.reason ? `: ${r.reason}` : ''}`, tone: 'warn' },
        r.features.join(' ') || '—',
        r.wasmHandlers.join(', ') || '—',
        [r.path ?? '—', ...r.globalArgs].join(' '),
      ]),
    ),
  };
  return { id: 'environment', title: 'Environment', paragraphs: [], figures: [], tables: [hosts, runtimes] };
}

const SUITE_TITLES: Record<string, { title: string; text: string }> = {
  startup: {
    title: 'Startup',
    text: 'Distribution of every sample per runtime and layer: the box spans the quartiles, the line is the median, whiskers reach 1.5 IQR, dots are the samples beyond.',
  },
  memory: { title: 'Memory', text: 'Peak memory per runtime: the runtime CLI processes, the container init and the container cgroup.' },
  throughput: { title: 'Throughput', text: 'Work done per second inside the container, and containers completed per second.' },
};

function suiteSections(groups: readonly MeasurementGroup[]): Section[] {
  const bySuite = new Map<string, MeasurementGroup[]>();
  for (const g of groups) {
    if (g.emulated) continue;
    const list = bySuite.get(g.suite) ?? [];
    list.push(g);
    bySuite.set(g.suite, list);
  }
  const names = [...new Set(['startup', 'memory', 'throughput', ...bySuite.keys()])];
  return names.map((suite) => {
    const info = SUITE_TITLES[suite] ?? { title: suite, text: '' };
    const gs = bySuite.get(suite) ?? [];
    return {
      id: `suite-${slug(suite)}`,
      title: info.title,
      paragraphs: gs.length > 0 ? [info.text].filter(Boolean) : [`No ${suite} figures in these documents.`],
      figures: gs.map((g) => groupFigure(g, suite)),
      tables: [],
    };
  });
}

function nativeVsWasmSection(docs: readonly ResultsDocument[]): Section {
  const figs = new Map<string, { title: string; unit: Unit; runtimes: Map<string, { native?: Measurement; wasm?: Measurement }> }>();
  for (const d of docs) {
    for (const m of d.measurements) {
      if (m.labels.emulated) continue;
      const l = m.labels;
      const fk = [l.layer, m.suite, m.metric, l.workload, l.host, l.arch].join('\u0000');
      const fig = figs.get(fk) ?? { title: `${l.layer} · ${m.suite} · ${m.metric} (${l.workload}, ${l.arch} @${l.host})`, unit: m.unit, runtimes: new Map() };
      const pair = fig.runtimes.get(l.runtime) ?? {};
      pair[l.workloadKind] = m;
      fig.runtimes.set(l.runtime, pair);
      figs.set(fk, fig);
    }
  }
  const figures: Figure[] = [];
  for (const [fk, fig] of figs) {
    const both = [...fig.runtimes].filter(([, p]) => p.native && p.wasm);
    if (both.length === 0) continue;
    const all = both.flatMap(([, p]) => [...(p.native?.samples ?? []), ...(p.wasm?.samples ?? [])]);
    const scale = scaleFor(fig.unit, all);
    const lower = fig.unit === 'ns' || fig.unit === 'bytes';
    figures.push({
      id: `native-wasm-${slug(fk)}`,
      title: fig.title,
      chart: {
        type: 'boxplot',
        axis: scale.axis,
        labels: both.map(([r]) => r),
        datasets: (['native', 'wasm'] as const).map((kind) => ({
          label: kind === 'native' ? 'native' : 'Wasm',
          data: both.map(([, p]) => (p[kind]?.samples ?? []).map((x) => round(x * scale.factor))),
        })),
      },
      table: {
        caption: `${fig.title}: native and Wasm`,
        columns: ['runtime', 'native median', 'Wasm median', lower ? 'Wasm / native' : 'native / Wasm'],
        numeric: [false, true, true, true],
        rows: both.map(([r, p]) => {
          const n = p.native?.stats.median ?? Number.NaN;
          const w = p.wasm?.stats.median ?? Number.NaN;
          return [r, formatValue(n, fig.unit), formatValue(w, fig.unit), `${(lower ? w / n : n / w).toFixed(2)}×`];
        }),
      },
    });
  }
  return {
    id: 'native-vs-wasm',
    title: 'Native vs Wasm',
    paragraphs:
      figures.length > 0
        ? ['The same workload built natively and as a wasm32-wasi module, run by the same runtime on the same host. The ratio says how much more the Wasm path costs.']
        : ['No runtime was measured with both a native and a Wasm workload in these documents.'],
    figures,
    tables: [],
  };
}

function conformanceSection(docs: readonly ResultsDocument[]): Section {
  const results = docs.flatMap((d) => d.conformance);
  if (results.length === 0) {
    return {
      id: 'conformance',
      title: 'Conformance',
      paragraphs: ['No conformance results in these documents: the conformance checks were not run.'],
      figures: [],
      tables: [],
    };
  }
  const multiHost = new Set(results.map((r) => r.labels.host)).size > 1;
  const colOf = (r: (typeof results)[number]) =>
    `${r.labels.runtime} (${r.labels.layer}, ${r.labels.workloadKind}${r.labels.emulated ? ', emulated' : ''})${multiHost ? ` @${r.labels.host}` : ''}`;
  const cols = [...new Set(results.map(colOf))];
  const checks = new Map<string, { area: string; title: string; level: string; specRef: string; cells: Map<string, Cell> }>();
  const tone = { passed: 'good', failed: 'bad', errored: 'bad', skipped: 'muted' } as const;
  for (const r of results) {
    const c = checks.get(r.checkId) ?? { area: r.area, title: r.title, level: r.level, specRef: r.specRef, cells: new Map() };
    c.cells.set(colOf(r), { text: `${r.outcome.status}${r.outcome.reason ? `: ${r.outcome.reason}` : ''}`, tone: tone[r.outcome.status] });
    checks.set(r.checkId, c);
  }
  const statuses = ['passed', 'failed', 'errored', 'skipped'] as const;
  const counts = statuses.map((s) => cols.map((col) => results.filter((r) => colOf(r) === col && r.outcome.status === s).length));
  const summary: Figure = {
    id: 'conformance-summary',
    title: 'Checks per outcome',
    chart: {
      type: 'bar',
      axis: 'checks',
      stacked: true,
      labels: cols,
      datasets: statuses.map((s, i) => ({ label: s, data: counts[i] ?? [], tone: tone[s] })),
    },
    table: {
      caption: 'checks per outcome',
      columns: ['runtime', ...statuses],
      numeric: [false, true, true, true, true],
      rows: cols.map((col, j) => [col, ...statuses.map((_, i) => String(counts[i]?.[j] ?? 0))]),
    },
  };
  const matrix: TableModel = {
    caption: 'conformance matrix',
    columns: ['check', 'level', 'spec', ...cols],
    numeric: [false, false, false, ...cols.map(() => false)],
    rows: [...checks].map(([id, c]) => [`${id}: ${c.title}`, c.level, c.specRef, ...cols.map((col) => c.cells.get(col) ?? { text: 'not run', tone: 'muted' as const })]),
  };
  return {
    id: 'conformance',
    title: 'Conformance',
    paragraphs: ['Each check names the OCI runtime-spec rule it tests and its RFC 2119 level.'],
    figures: [summary],
    tables: [matrix],
  };
}

function harnessSection(docs: readonly ResultsDocument[]): Section {
  const withHarness = docs.filter((d) => d.harness);
  if (withHarness.length === 0) {
    return { id: 'harness', title: 'Harness overhead', paragraphs: ['The harness was not calibrated in these documents.'], figures: [], tables: [] };
  }
  const labels: string[] = [];
  const data: number[][] = [];
  const rows: Cell[][] = [];
  for (const d of withHarness) {
    const h = d.harness;
    if (!h) continue;
    labels.push(`rb-exec @${d.host.hostname}`, `Node spawn @${d.host.hostname}`);
    data.push(h.spawnNoopNs, h.nodeSpawnNoopNs);
    const lifecycle = d.measurements.filter((m) => m.metric === 'lifecycle' && !m.labels.emulated).map((m) => m.stats.median);
    const smallest = lifecycle.length > 0 ? Math.min(...lifecycle) : null;
    rows.push([
      d.host.hostname,
      formatValue(h.spawnNoopStats.median, 'ns'),
      formatValue(h.nodeSpawnNoopStats.median, 'ns'),
      smallest ? `${((h.spawnNoopStats.median / smallest) * 100).toFixed(1)}%` : '—',
      String(h.spawnNoopStats.n),
    ]);
  }
  const scale = scaleFor('ns', data.flat());
  return {
    id: 'harness',
    title: 'Harness overhead',
    paragraphs: [
      `How long timing a static no-op process takes through the same path as the runtimes (${withHarness[0]?.harness?.method ?? ''}), and, for contrast only, from Node's own spawn. Every startup figure contains this overhead once.`,
    ],
    figures: [
      {
        id: 'harness-overhead',
        title: 'Timing a static no-op',
        chart: { type: 'boxplot', axis: scale.axis, labels, datasets: [{ label: 'no-op', data: data.map((xs) => xs.map((x) => round(x * scale.factor))) }] },
        table: {
          caption: 'harness overhead',
          columns: ['host', 'rb-exec median', 'Node spawn median', 'share of smallest lifecycle', 'n'],
          numeric: [false, true, true, true, true],
          rows,
        },
      },
    ],
    tables: [],
  };
}

function factsSection(docs: readonly ResultsDocument[]): Section {
  const facts = docs.flatMap((d) => d.facts);
  const missing = notMeasured(docs);
  const tables: TableModel[] = [];
  const paragraphs: string[] = [];
  if (facts.length > 0) {
    tables.push({
      caption: 'facts',
      columns: ['host', 'runtime', 'suite', 'fact', 'value', 'detail'],
      numeric: [false, false, false, false, false, false],
      rows: facts.map((f) => [f.labels.host, `${f.labels.runtime} (${f.labels.workloadKind}${f.labels.emulated ? ', emulated' : ''})`, f.suite, f.name, String(f.value), f.detail]),
    });
  } else paragraphs.push('No facts recorded.');
  if (missing.length > 0) {
    tables.push({
      caption: 'not measured',
      columns: ['host', 'runtime', 'layer', 'suite', 'outcome', 'reason'],
      numeric: [false, false, false, false, false, false],
      rows: missing.map((r) => [
        r.host,
        r.runtime,
        r.layer,
        r.suite,
        { text: r.outcome.status === 'passed' ? 'passed, in part' : r.outcome.status, tone: r.outcome.status === 'passed' || r.outcome.status === 'skipped' ? 'muted' : 'bad' },
        r.outcome.reason ?? '',
      ]),
    });
  } else paragraphs.push('Every suite ran in full for every runtime.');
  return { id: 'facts', title: 'Facts and not measured', paragraphs, figures: [], tables };
}

function emulatedSection(groups: readonly MeasurementGroup[]): Section | null {
  const gs = groups.filter((g) => g.emulated);
  if (gs.length === 0) return null;
  return { id: 'emulated', title: 'Emulated', paragraphs: [EMULATED_NOTE], figures: gs.map((g) => groupFigure(g, 'emulated')), tables: [] };
}

function signedPercent(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  return `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;
}

export function comparisonSection(c: Comparison): Section {
  const order = { regressed: 0, improved: 1, changed: 2, unchanged: 3 } as const;
  const rows = [...c.rows].sort((a, b) => order[a.verdict] - order[b.verdict]);
  const label = (r: (typeof rows)[number]) => `${r.metric} ${r.runtime} ${r.workload} (${r.workloadKind}, ${r.arch})`;
  const verdictTone = { regressed: 'bad', improved: 'good', changed: 'warn', unchanged: 'muted' } as const;
  const figures: Figure[] =
    rows.length === 0
      ? []
      : [
          {
            id: 'comparison-change',
            title: 'Change of the median, head against base',
            chart: {
              type: 'bar',
              axis: '% change of the median',
              stacked: false,
              labels: rows.map(label),
              datasets: [{ label: 'change %', data: rows.map((r) => (Number.isFinite(r.changePercent) ? round(r.changePercent) : 0)), tones: rows.map((r) => verdictTone[r.verdict]) }],
            },
            table: {
              caption: 'comparison',
              columns: ['verdict', 'layer/suite/metric', 'runtime', 'base', 'head', 'change', '95% CI', 'p'],
              numeric: [false, false, false, true, true, true, true, true],
              rows: rows.map((r) => [
                { text: r.verdict, tone: verdictTone[r.verdict] },
                `${r.layer}/${r.suite}/${r.metric}`,
                `${r.runtime} ${r.workload} (${r.workloadKind}, ${r.arch}${r.emulated ? ', emulated' : ''})`,
                formatValue(r.baseMedian, r.unit),
                formatValue(r.headMedian, r.unit),
                signedPercent(r.changePercent),
                `${signedPercent(r.changeCi95Percent[0])} … ${signedPercent(r.changeCi95Percent[1])}`,
                formatP(r.pValue),
              ]),
            },
          },
        ];
  const others: Cell[][] = [
    ...c.onlyInBase.map((k) => [k, 'only in base']),
    ...c.onlyInHead.map((k) => [k, 'only in head']),
    ...c.notComparable.map((n) => [n.key, n.reason]),
  ];
  return {
    id: 'comparison',
    title: 'Comparison with the baseline',
    paragraphs: [
      `Base ${c.base.runId} (${c.base.host}, ${c.base.startedAt}) against head ${c.head.runId} (${c.head.host}, ${c.head.startedAt}).`,
      `${c.regressions} regressed, ${c.improvements} improved, ${c.rows.length - c.regressions - c.improvements} unchanged of ${c.rows.length} compared. A change is a regression only when the Mann-Whitney U test gives p < ${c.options.alpha} and the median is worse by more than the ${c.options.thresholdPercent}% noise threshold.`,
      ...(rows.length === 0 ? ['No measurement is present in both documents.'] : []),
    ],
    figures,
    tables: others.length > 0 ? [{ caption: 'not compared', columns: ['measurement', 'why'], numeric: [false, false], rows: others }] : [],
  };
}

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
        title: `${k.layer} · ${k.suite} · ${k.metric} (${k.workload}, ${k.workloadKind}, ${k.arch}${m.labels.emulated ? ', emulated' : ''})`,
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
    const all = [...s.byRuntime.values()].flatMap((arr) => arr.flatMap((m) => (m ? [m.stats.median] : [])));
    const scale = scaleFor(s.unit, all);
    const runtimes = [...s.byRuntime.keys()].sort();
    const flaggedOf = (rt: string) =>
      (s.byRuntime.get(rt) ?? []).map((m, i) => (m ? (regressed[i]?.has(keyString(keyOf(m))) ?? false) : false));
    for (const rt of runtimes) flaggedTotal += flaggedOf(rt).filter(Boolean).length;
    figures.push({
      id: `history-${slug(sk)}`,
      title: s.title,
      chart: {
        type: 'line',
        axis: `median, ${scale.axis}`,
        labels: runLabels,
        datasets: runtimes.map((rt) => ({
          label: rt,
          data: (s.byRuntime.get(rt) ?? []).map((m) => (m ? round(m.stats.median * scale.factor) : null)),
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
      `${sorted.length} runs from ${sorted[0]?.startedAt} to ${sorted[sorted.length - 1]?.startedAt}. Each run is compared with the one before it; a red triangle marks a regression (Mann-Whitney p < ${options.alpha} and worse by more than ${options.thresholdPercent}%). ${flaggedTotal} flagged.`,
    ],
    figures,
    tables: [],
  };
}

function methodSection(docs: readonly ResultsDocument[], thresholdPercent: number, alpha: number): Section {
  return {
    id: 'method',
    title: 'Method',
    paragraphs: [
      'Timing: a resident C helper (rb-exec) reads CLOCK_MONOTONIC around posix_spawn and wait4 of each runtime command, so neither Node nor the event loop lands in a figure. Peak RSS comes from wait4 rusage; cgroup peaks from the container cgroup.',
      'Sampling: tinybench schedules the warmup runs and the measured runs; each sample is the duration rb-exec measured, kept raw in the results document in the order taken.',
      `Statistics: the median with a percentile bootstrap 95% confidence interval (${BOOTSTRAP_RESAMPLES} resamples, seeded by the samples so it is reproducible); p95 and p99 by linear interpolation; outliers are samples whose modified z-score (0.6745 (x − median) / MAD) exceeds ${OUTLIER_MODIFIED_Z}. They are counted, not removed. Ratio to best divides by the best median in the same layer, suite, metric, workload and architecture.`,
      `Comparison: for each measurement present in both documents, the change of the median with a bootstrap 95% CI of the difference of medians, and a two-sided Mann-Whitney U test (exact without ties when a sample has at most 8 values, otherwise the normal approximation with tie and continuity correction). Regressed means p < ${alpha} and worse than the ${thresholdPercent}% noise threshold in the metric's bad direction: up for times and bytes, down for rates and ratios.`,
      'Every figure in this page is computed from the results documents it was built from; they can be rebuilt at any time with runbench report.',
    ],
    figures: [],
    tables: [
      {
        caption: 'run parameters',
        columns: ['host', 'run', 'suites', 'runtimes', 'layers', 'runs', 'warmup', 'concurrency', 'churn', 'config digest', 'runbench'],
        numeric: [false, false, false, false, false, true, true, true, true, false, false],
        rows: docs.map((d) => [
          d.host.hostname,
          d.runId,
          d.parameters.suites.join(', '),
          d.parameters.runtimes.join(', '),
          d.parameters.layers.join(', '),
          String(d.parameters.runs),
          String(d.parameters.warmup),
          String(d.parameters.concurrency),
          String(d.parameters.churnContainers),
          d.config.digest,
          d.tool.version,
        ]),
      },
    ],
  };
}

/** The report model for one or more documents (hosts), with an optional baseline and history. */
export function buildReportModel(docs: readonly ResultsDocument[], options: HtmlOptions = {}): ReportModel {
  const thresholdPercent = options.thresholdPercent ?? DEFAULT_THRESHOLD_PERCENT;
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const sections: Section[] = [];
  const hosts = [...new Set(docs.map((d) => d.host.hostname))];
  const archs = [...new Set(docs.flatMap((d) => d.measurements.map((m) => m.labels.arch)))];
  if (options.baseline && docs[0]) sections.push(comparisonSection(compareDocuments(options.baseline, docs[0], { thresholdPercent, alpha })));
  if (options.history) sections.push(historySection(options.history, { thresholdPercent, alpha }));
  if (docs.length > 0) {
    const groups = groupMeasurements(docs);
    sections.push(environmentSection(docs), ...suiteSections(groups), nativeVsWasmSection(docs));
    sections.push(...[wasmWaysSection(docs)].filter((s): s is Section => s !== null));
    const emulated = emulatedSection(groups);
    if (emulated) sections.push(emulated);
    sections.push(conformanceSection(docs), harnessSection(docs), factsSection(docs), methodSection(docs, thresholdPercent, alpha));
  } else if (options.history && options.history.length > 0) {
    sections.push(methodSection([...options.history].slice(-1), thresholdPercent, alpha));
  }
  const subtitleDocs = docs.length > 0 ? docs : (options.history ?? []);
  const runtimes = [...new Set(subtitleDocs.flatMap((d) => d.runtimes.filter((r) => r.status === 'ok').map((r) => r.name)))];
  return {
    title: options.history && docs.length === 0 ? 'runbench history' : 'runbench report',
    subtitle: `${subtitleDocs.length} results document${subtitleDocs.length === 1 ? '' : 's'}; hosts ${(docs.length > 0 ? hosts : [...new Set(subtitleDocs.map((d) => d.host.hostname))]).join(', ')}; architectures ${(archs.length > 0 ? archs : [...new Set(subtitleDocs.map((d) => d.host.arch))]).join(', ')}; runtimes ${runtimes.join(', ')}`,
    sections,
  };
}
