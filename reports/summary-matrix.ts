/**
 * The summary every report opens with: a runtime configuration × metric matrix, and what
 * failed, errored or was skipped and why. A pure function of the results documents.
 *
 * Rows are configurations (reports/configurations.ts), in the report's one order. Columns are
 * the headline metrics below, in this order, where any row has them. Each cell is a median
 * with its unit and its tie group among the configurations of the same layer and arch, ranked
 * by the same function as every table (rankMeasurements in reports/groups.ts, so the summary
 * and the tables agree on each pair): a column has a winner there only when the best tie group has one member;
 * otherwise its best configurations are tied, and no report may call one of them the best.
 */
import type { Ranked } from '../core/ranking.ts';
import type { Layer, Measurement, ResultsDocument, Unit } from '../core/schema.ts';
import { blockKey, blockTitle, compareConfigurations, type Configuration, configurationOf, HOST_REFERENCE, LAYER_ORDER } from './configurations.ts';
import { measurementLowerIsBetter, type RankEntry, rankMeasurements } from './groups.ts';
import { formatMetricValue, metricInfo } from './metrics.ts';

/** A headline metric: which figure, and how the summary names the best in it. */
interface ColumnSpec {
  suite: string;
  metric: string;
  /** "Fastest startup": what the best configuration of this column is, when it is the first of its suite. */
  best: string;
}

/** The matrix's columns, in order; the first column of a suite present in a block gives that suite's headline. */
export const SUMMARY_COLUMNS: readonly ColumnSpec[] = [
  { suite: 'startup', metric: 'run', best: 'Fastest startup' },
  { suite: 'startup', metric: 'lifecycle', best: 'Fastest lifecycle' },
  { suite: 'density', metric: 'podStartupLatency', best: 'Fastest pod startup' },
  { suite: 'memory', metric: 'cgroupPeakBytes', best: 'Lightest in memory' },
  { suite: 'memory', metric: 'runtimePeakRssBytes', best: 'Smallest runtime process' },
  { suite: 'memory', metric: 'shimPeakRssBytes', best: 'Smallest shim' },
  { suite: 'density', metric: 'podWorkingSetBytes', best: 'Lightest pod' },
  { suite: 'throughput', metric: 'cpuIntOpsRatioToHost', best: 'Fastest CPU work, against the bare host' },
  { suite: 'throughput', metric: 'churnContainersPerSec', best: 'Most containers per second' },
  { suite: 'density', metric: 'densityPods', best: 'Most pods on the node' },
];

/** The order of suites wherever a report lists them. */
export const SUITE_ORDER: readonly string[] = ['startup', 'memory', 'throughput', 'density'];

export interface SummaryColumn {
  key: string;
  suite: string;
  metric: string;
  workload: string;
  unit: Unit;
  /** A human title and a short one for the header (reports/metrics.ts). */
  title: string;
  short: string;
  lowerIsBetter: boolean;
  best: string;
  /** The fewest and the most samples behind a median of this column. */
  n: [number, number];
}

export interface SummaryRow extends Configuration {
  /** The configurations it can be ranked against: same layer and arch (blockKey). */
  block: string;
  blockTitle: string;
}

export type SummaryCell =
  | {
      status: 'measured';
      median: number;
      unit: Unit;
      /** The median in its unit: "10.55 ms". */
      text: string;
      p95: number;
      n: number;
      failedSamples: number;
      /** 1 for the best tie group of the column in this block, 2 for the next... */
      rank: number;
      /** Others share the rank: the samples cannot tell them apart. */
      tied: boolean;
      /** The only member of the best tie group: the column's winner in its block. */
      winner: boolean;
      /** In the best tie group, alone or not. */
      best: boolean;
      /** Median over the block's best median (inverted when higher is better): 1 is the best. */
      ratio: number | null;
      ratioCi: [number, number] | null;
      /** How it was ranked: round by round on block medians, or on the samples (core/ranking.ts). */
      method: Ranked['method'];
    }
  /** Measured, but no sample gave a value. */
  | { status: 'no value'; reason: string }
  /** The suite that takes this figure errored or failed for this runtime. */
  | { status: 'errored' | 'failed'; reason: string }
  /** Nothing recorded, and nothing says why (the figure does not exist for this configuration). */
  | { status: 'not measured' };

export interface ColumnBest {
  column: string;
  block: string;
  blockTitle: string;
  /** The keys of the best tie group's rows, in row order. */
  rows: string[];
  /** True when that group has one member: a winner. */
  significant: boolean;
  /** Whether this is the first column of its suite in the block: the one a headline names. */
  headline: boolean;
}

export type ProblemStatus = 'errored' | 'failed' | 'failed samples' | 'skipped' | 'part skipped' | 'unavailable';

export const PROBLEM_ORDER: readonly ProblemStatus[] = ['errored', 'failed', 'failed samples', 'unavailable', 'skipped', 'part skipped'];

export interface Problem {
  status: ProblemStatus;
  host: string;
  layer: Layer | null;
  arch: string | null;
  /** Every runtime it happened to with the same reason, in row order. */
  runtimes: string[];
  suites: string[];
  reason: string;
}

export interface SummaryMatrix {
  rows: SummaryRow[];
  columns: SummaryColumn[];
  /** cells[row][column] */
  cells: SummaryCell[][];
  best: ColumnBest[];
  problems: Problem[];
}

function measuredCell(m: Measurement): SummaryCell | null {
  if (!m.stats) return { status: 'no value', reason: m.failedSamples > 0 ? `all ${m.failedSamples} samples failed` : 'no samples' };
  return {
    status: 'measured',
    median: m.stats.median,
    unit: m.unit,
    text: formatMetricValue(m.metric, m.stats.median, m.unit),
    p95: m.stats.p95,
    n: m.samples.length,
    failedSamples: m.failedSamples,
    rank: 0,
    tied: false,
    winner: false,
    best: false,
    ratio: null,
    ratioCi: null,
    method: null,
  };
}

export function summaryMatrix(docs: readonly ResultsDocument[]): SummaryMatrix {
  const rows = new Map<string, SummaryRow>();
  const addRow = (c: Configuration) => {
    if (!rows.has(c.key)) rows.set(c.key, { ...c, block: blockKey(c), blockTitle: blockTitle(c) });
    return c.key;
  };
  const specs = new Map(SUMMARY_COLUMNS.map((s, i) => [`${s.suite}.${s.metric}`, i]));
  const columns = new Map<string, SummaryColumn & { order: number }>();
  const found = new Map<string, RankEntry>(); // row key + column key
  for (const doc of docs) {
    for (const m of doc.measurements) {
      if (m.labels.runtime === HOST_REFERENCE) continue;
      const row = addRow(configurationOf(doc, m.labels));
      const order = specs.get(`${m.suite}.${m.metric}`);
      const spec = order === undefined ? undefined : SUMMARY_COLUMNS[order];
      if (order === undefined || !spec) continue;
      const key = `${m.suite}.${m.metric}.${m.labels.workload}`;
      if (!columns.has(key)) {
        const info = metricInfo(m.metric);
        columns.set(key, {
          key,
          suite: m.suite,
          metric: m.metric,
          workload: m.labels.workload,
          unit: m.unit,
          title: info.title,
          short: info.short,
          lowerIsBetter: measurementLowerIsBetter(m),
          best: spec.best,
          n: [Infinity, 0],
          order,
        });
      }
      found.set(`${row}\u0001${key}`, { measurement: m, runId: doc.runId });
      const col = columns.get(key);
      if (col && m.stats) col.n = [Math.min(col.n[0], m.samples.length), Math.max(col.n[1], m.samples.length)];
    }
  }
  // A runtime whose every series errored has no figure; it still gets a row that says so.
  for (const doc of docs) {
    for (const r of doc.suiteRuns) {
      if (r.outcome.status !== 'errored' && r.outcome.status !== 'failed') continue;
      const arch = r.arch ?? doc.host.arch;
      // a foreign arch runs only under emulation (qemu-user), as the pipeline labels it
      const labels = { host: doc.host.hostname, layer: r.layer, arch, emulated: arch !== doc.host.arch, runtime: r.runtime };
      const any = [...rows.values()].some((x) => x.host === labels.host && x.layer === labels.layer && x.arch === labels.arch && x.runtime === labels.runtime);
      if (!any) addRow(configurationOf(doc, { ...labels, workloadKind: null }));
    }
  }
  const rowList = [...rows.values()].sort(compareConfigurations);
  const colList = [...columns.values()]
    .sort((a, b) => a.order - b.order || a.workload.localeCompare(b.workload))
    .map(({ order: _, ...c }): SummaryColumn => ({ ...c, n: c.n[1] === 0 ? [0, 0] : c.n }));

  const cells: SummaryCell[][] = rowList.map((row) =>
    colList.map((col) => {
      const m = found.get(`${row.key}\u0001${col.key}`);
      if (m) return measuredCell(m.measurement) as SummaryCell;
      const why = seriesProblem(docs, row, col.suite);
      return why ?? { status: 'not measured' };
    }),
  );

  const best: ColumnBest[] = [];
  const blocks = [...new Set(rowList.map((r) => r.block))];
  colList.forEach((col, j) => {
    for (const block of blocks) {
      const members = rowList.flatMap((r, i) => (r.block === block && found.get(`${r.key}\u0001${col.key}`)?.measurement.stats ? [i] : []));
      if (members.length === 0) continue;
      const ranked = rankMeasurements(members.map((i) => found.get(`${rowList[i]?.key}\u0001${col.key}`) as RankEntry));
      members.forEach((i, k) => {
        const cell = cells[i]?.[j];
        const r = ranked[k];
        if (cell?.status !== 'measured' || !r || r.rank === null) return;
        cell.rank = r.rank;
        cell.tied = r.tied;
        cell.best = r.rank === 1;
        cell.winner = r.rank === 1 && !r.tied;
        cell.ratio = r.ratio;
        cell.ratioCi = r.ratioCi;
        cell.method = r.method;
      });
      const top = members.filter((i) => {
        const c = cells[i]?.[j];
        return c?.status === 'measured' && c.best;
      });
      const first = rowList[members[0] as number] as SummaryRow;
      best.push({
        column: col.key,
        block,
        blockTitle: first.blockTitle,
        rows: top.map((i) => (rowList[i] as SummaryRow).key),
        significant: top.length === 1,
        headline: false,
      });
    }
  });
  for (const block of blocks) {
    const seen = new Set<string>();
    for (const col of colList) {
      const b = best.find((x) => x.block === block && x.column === col.key);
      if (!b || seen.has(col.suite)) continue;
      seen.add(col.suite);
      b.headline = true;
    }
  }
  return { rows: rowList, columns: colList, cells, best, problems: problems(docs, rowList) };
}

/** Why a suite gave no figure for this configuration: its errored or failed run, if any. */
export function seriesProblem(
  docs: readonly ResultsDocument[],
  row: Pick<Configuration, 'host' | 'runtime' | 'layer' | 'arch'>,
  suite: string,
): { status: 'errored' | 'failed'; reason: string } | null {
  for (const doc of docs) {
    if (doc.host.hostname !== row.host) continue;
    const r = doc.suiteRuns.find((s) => s.suite === suite && s.runtime === row.runtime && s.layer === row.layer && (s.arch ?? doc.host.arch) === row.arch);
    if (r && (r.outcome.status === 'errored' || r.outcome.status === 'failed')) return { status: r.outcome.status, reason: r.outcome.reason };
  }
  return null;
}

/**
 * The best of a column in a block, in a line: the winner with its figure and how far ahead of
 * the next it is, or the tie group (with the figures while it is short, names only past three).
 */
export function bestText(matrix: SummaryMatrix, b: ColumnBest): string {
  const j = matrix.columns.findIndex((c) => c.key === b.column);
  const col = matrix.columns[j];
  if (!col) return '';
  const entries = b.rows.map((key) => {
    const i = matrix.rows.findIndex((r) => r.key === key);
    const cell = matrix.cells[i]?.[j];
    return { label: matrix.rows[i]?.label ?? key, text: cell?.status === 'measured' ? cell.text : '' };
  });
  const withFigure = (e: { label: string; text: string }) => `${e.label}${e.text ? ` ${e.text}` : ''}`;
  if (b.significant) {
    const next = nextRatio(matrix, b, j);
    return `${withFigure(entries[0] ?? { label: '', text: '' })}${next ? `, ahead of the next by ${next}` : ''}`;
  }
  if (entries.length === 2) return `tie between ${withFigure(entries[0] as (typeof entries)[0])} and ${withFigure(entries[1] as (typeof entries)[0])}`;
  if (entries.length === 3) return `tie of 3: ${entries.map(withFigure).join(', ')}`;
  return `tie of ${entries.length}: ${entries.map((e) => e.label).join(', ')}`;
}

/** "1.52× [1.31 … 1.70]": the ratio of the runner-up of the block, which says how far ahead the winner is. */
function nextRatio(matrix: SummaryMatrix, b: ColumnBest, j: number): string | null {
  const second = matrix.rows
    .map((r, i) => ({ r, c: matrix.cells[i]?.[j] }))
    .filter((x) => x.r.block === b.block && x.c?.status === 'measured' && x.c.rank === 2)
    .map((x) => x.c);
  const c = second[0];
  if (c?.status !== 'measured' || c.ratio === null) return null;
  return `${c.ratio.toFixed(2)}×${c.ratioCi ? ` [${c.ratioCi[0].toFixed(2)} … ${c.ratioCi[1].toFixed(2)}]` : ''}`;
}

function problems(docs: readonly ResultsDocument[], rows: readonly SummaryRow[]): Problem[] {
  type One = Omit<Problem, 'runtimes' | 'suites'> & { runtime: string; suite: string };
  const single: One[] = [];
  const add = (p: One) => single.push(p);
  for (const doc of docs) {
    const host = doc.host.hostname;
    for (const r of doc.suiteRuns) {
      const base = { host, layer: r.layer, arch: r.arch ?? doc.host.arch, runtime: r.runtime, suite: r.suite };
      if (r.outcome.status === 'passed') {
        if (r.outcome.reason) add({ ...base, status: 'part skipped', reason: r.outcome.reason.replace(/^skipped /, '') });
      } else add({ ...base, status: r.outcome.status, reason: r.outcome.reason });
    }
    for (const rt of doc.runtimes) {
      if (rt.status === 'ok' || doc.suiteRuns.some((r) => r.runtime === rt.name)) continue;
      add({ host, layer: null, arch: null, runtime: rt.name, suite: '', status: 'unavailable', reason: `${rt.status}${rt.reason ? `: ${rt.reason}` : ''}` });
    }
    for (const m of doc.measurements) {
      if (m.failedSamples === 0) continue;
      const l = m.labels;
      const total = m.samples.length + m.failedSamples;
      add({
        host,
        layer: l.layer,
        arch: l.arch,
        runtime: l.runtime,
        suite: m.suite,
        status: 'failed samples',
        reason: `${metricInfo(m.metric).short} (${l.workload}, ${l.workloadKind}): ${m.failedSamples} of ${total} samples gave no value`,
      });
    }
  }
  // one line per reason: first the suites of one runtime, then the runtimes with the same suites
  const bySuites = new Map<string, Omit<Problem, 'runtimes'> & { runtime: string }>();
  for (const p of single) {
    const k = [p.status, p.host, p.layer, p.arch, p.runtime, p.reason].join('\u0000');
    const e = bySuites.get(k) ?? { status: p.status, host: p.host, layer: p.layer, arch: p.arch, runtime: p.runtime, reason: p.reason, suites: [] };
    if (p.suite && !e.suites.includes(p.suite)) e.suites.push(p.suite);
    bySuites.set(k, e);
  }
  const out = new Map<string, Problem>();
  for (const p of bySuites.values()) {
    const k = [p.status, p.host, p.layer, p.arch, p.suites.join(','), p.reason].join('\u0000');
    const e = out.get(k) ?? { status: p.status, host: p.host, layer: p.layer, arch: p.arch, suites: p.suites, reason: p.reason, runtimes: [] };
    if (!e.runtimes.includes(p.runtime)) e.runtimes.push(p.runtime);
    out.set(k, e);
  }
  const runtimeOrder = [...new Set(rows.map((r) => r.runtime))];
  const pos = (rt: string) => {
    const i = runtimeOrder.indexOf(rt);
    return i < 0 ? runtimeOrder.length : i;
  };
  const suitePos = (s: string | undefined) => (s === undefined ? -1 : SUITE_ORDER.indexOf(s) < 0 ? SUITE_ORDER.length : SUITE_ORDER.indexOf(s));
  const layerPos = (l: Layer | null) => (l === null ? -1 : LAYER_ORDER.indexOf(l));
  for (const p of out.values()) p.runtimes.sort((a, b) => pos(a) - pos(b) || a.localeCompare(b));
  return [...out.values()].sort(
    (a, b) =>
      PROBLEM_ORDER.indexOf(a.status) - PROBLEM_ORDER.indexOf(b.status) ||
      layerPos(a.layer) - layerPos(b.layer) ||
      pos(a.runtimes[0] ?? '') - pos(b.runtimes[0] ?? '') ||
      suitePos(a.suites[0]) - suitePos(b.suites[0]) ||
      a.reason.localeCompare(b.reason),
  );
}
