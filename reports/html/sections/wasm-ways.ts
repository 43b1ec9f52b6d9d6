/**
 * "Ways to run Wasm": the same module run the three ways a container platform can run it,
 * side by side per layer, so the cost of each way is visible at a glance:
 *   in-image         an ordinary container whose image carries a Wasm runtime (runc/crun + wasmtime CLI)
 *   OCI handler      an OCI runtime with a built-in Wasm handler (crun-wasmtime, youki)
 *   containerd shim  a shim that is itself the engine (runwasi's wasmtime shim)
 * The way comes from each runtime's recorded configuration (core/wasm-ways.ts), never from
 * its name. Shown when the documents hold Wasm rows of at least two ways: with one way
 * there is nothing to set side by side that the suite sections do not already show.
 */
import { formatValue } from '../../../core/format.ts';
import type { Measurement, ResultsDocument, Unit } from '../../../core/schema.ts';
import { WASM_WAYS, WASM_WAY_TITLES, type WasmWay, wasmWay } from '../../../core/wasm-ways.ts';
import type { Section, SectionContext, TableModel } from '../types.ts';

/** The figures compared, in column order: startup, memory, then throughput. */
const COLUMNS: readonly { suite: string; metric: string; title: string }[] = [
  { suite: 'startup', metric: 'run', title: 'startup (run)' },
  { suite: 'startup', metric: 'lifecycle', title: 'lifecycle' },
  { suite: 'memory', metric: 'cgroupPeakBytes', title: 'cgroup peak' },
  { suite: 'memory', metric: 'initPeakRssBytes', title: 'init peak RSS' },
  { suite: 'memory', metric: 'runtimePeakRssBytes', title: 'runtime CLI peak RSS' },
  { suite: 'memory', metric: 'shimPeakRssBytes', title: 'shim peak RSS' },
  { suite: 'throughput', metric: 'cpuIntOpsPerSec', title: 'cpu int ops/s' },
  { suite: 'throughput', metric: 'cpuSha256MibPerSec', title: 'sha256 MiB/s' },
  { suite: 'throughput', metric: 'churnContainersPerSec', title: 'churn' },
];

interface Row {
  way: WasmWay;
  runtime: string;
  cells: Map<string, { median: number; unit: Unit; n: number }>;
}

export function wasmWaysSection(docs: readonly ResultsDocument[]): Section | null {
  // (host, arch, layer) -> runtime -> row; column key "suite.metric workload"
  const tables = new Map<string, { title: string; columns: Map<string, string>; rows: Map<string, Row> }>();
  const ways = new Set<WasmWay>();
  for (const d of docs) {
    const wayOf = new Map(d.runtimes.map((r) => [r.name, wasmWay(r)]));
    for (const m of d.measurements) {
      const l = m.labels;
      const way = wayOf.get(l.runtime);
      const col = COLUMNS.find((c) => c.suite === m.suite && c.metric === m.metric);
      if (!way || !col || l.workloadKind !== 'wasm' || l.emulated) continue;
      ways.add(way);
      const tk = [l.host, l.arch, l.layer].join('\u0000');
      const t = tables.get(tk) ?? { title: `${l.layer} layer · ${l.arch} @${l.host}`, columns: new Map(), rows: new Map() };
      const ck = `${col.suite}.${col.metric} ${l.workload}`;
      t.columns.set(ck, `${col.title} · ${l.workload}`);
      const row = t.rows.get(l.runtime) ?? { way, runtime: l.runtime, cells: new Map() };
      row.cells.set(ck, cell(m));
      t.rows.set(l.runtime, row);
      tables.set(tk, t);
    }
  }
  if (ways.size < 2) return null;

  const order = (key: string) => COLUMNS.findIndex((c) => key.startsWith(`${c.suite}.${c.metric} `));
  const out: TableModel[] = [];
  for (const t of tables.values()) {
    const keys = [...t.columns.keys()].sort((a, b) => order(a) - order(b) || a.localeCompare(b));
    const rows = [...t.rows.values()].sort((a, b) => WASM_WAYS.indexOf(a.way) - WASM_WAYS.indexOf(b.way) || a.runtime.localeCompare(b.runtime));
    out.push({
      caption: `${t.title}: medians of the Wasm workloads, by way`,
      columns: ['way', 'runtime', ...keys.map((k) => t.columns.get(k) ?? k)],
      numeric: [false, false, ...keys.map(() => true)],
      rows: rows.map((r) => [
        WASM_WAY_TITLES[r.way],
        r.runtime,
        ...keys.map((k) => {
          const c = r.cells.get(k);
          return c && Number.isFinite(c.median) ? formatValue(c.median, c.unit) : { text: '—', tone: 'muted' as const };
        }),
      ]),
    });
  }
  return {
    id: 'wasm-ways',
    title: 'Ways to run Wasm',
    paragraphs: [
      "The same wasm32-wasi modules run three ways: in-image, an ordinary container run by runc or crun whose image carries the wasmtime command-line runtime; an OCI runtime handler, where crun or youki hands the module to the wasmtime it embeds; a containerd shim that is itself the engine (runwasi). Each row is one runtime configuration, grouped by the way its configuration says it runs Wasm; each cell is a median over that runtime's samples (— where the figure was not measured).",
    ],
    figures: [],
    tables: out,
  };
}

export function buildWasmWays({ docs }: SectionContext): Section | null {
  return wasmWaysSection(docs);
}

function cell(m: Measurement): { median: number; unit: Unit; n: number } {
  return { median: m.stats?.median ?? Number.NaN, unit: m.unit, n: m.samples.length };
}
