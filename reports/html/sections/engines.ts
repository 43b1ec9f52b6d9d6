/**
 * "Wasm engines": one row per engine, mode, way and layer, with the medians of the Wasm
 * workloads, so engines are compared with the way and the layer held equal (and ways with
 * the engine held equal); the engines nothing here runs keep their rows with the reason. The
 * recipe's configuration, crun with WasmEdge and pods annotated compat-smart, is marked. A
 * second table gives each engine's WASI checks a column. Engine and mode come from each
 * figure's labels, the version from its runtime's record; the way from the runtime's
 * configuration (core/wasm-ways.ts). Also read by the Markdown and terminal reports.
 */
import { engineOf, ENGINE_MODES, UNTESTED_ENGINES } from '../../../core/engines.ts';
import { formatValue } from '../../../core/format.ts';
import { type ConformanceResult, Layer, type Measurement, type ResultsDocument, type RuntimeInfo, type Unit } from '../../../core/schema.ts';
import { VARIANT_ANNOTATION } from '../../../core/wasm-annotations.ts';
import { WASM_WAYS, type WasmWay, wasmWay } from '../../../core/wasm-ways.ts';
import type { Cell, Section, SectionContext, TableModel } from '../types.ts';

/** The figures compared, in column order; the workload is the suite's own. */
const COLUMNS: readonly { suite: string; metric: string; workload: string; title: string }[] = [
  { suite: 'startup', metric: 'run', workload: 'hello', title: 'startup (run)' },
  { suite: 'startup', metric: 'lifecycle', workload: 'hello', title: 'lifecycle' },
  { suite: 'memory', metric: 'runtimePeakRssBytes', workload: 'hello', title: 'runtime peak RSS' },
  { suite: 'memory', metric: 'shimPeakRssBytes', workload: 'hello', title: 'shim peak RSS' },
  { suite: 'memory', metric: 'cgroupPeakBytes', workload: 'mem', title: 'cgroup peak (mem 64)' },
  { suite: 'throughput', metric: 'cpuIntOpsRatioToHost', workload: 'cpu', title: 'int ops ÷ host' },
  { suite: 'throughput', metric: 'cpuSha256MibPerSec', workload: 'cpu', title: 'sha256 MiB/s' },
  { suite: 'throughput', metric: 'churnContainersPerSec', workload: 'hello', title: 'churn' },
];

const WAY_SHORT: Record<WasmWay, string> = { 'in-image': 'in-image', 'oci-handler': 'OCI handler', 'containerd-shim': 'containerd shim' };

export const RECIPE_NOTE = "the recipe's configuration: crun with WasmEdge, Wasm pods annotated compat-smart";

interface Row {
  engine: string;
  version: string;
  mode: string;
  way: WasmWay | null;
  runtime: string;
  layer: string;
  cells: Map<number, { median: number; unit: Unit }>;
  wasi: { passed: number; total: number; failed: string[] };
  recipe: boolean;
}

const rowKey = (r: { engine: string; mode: string; runtime: string; layer: string }) => [r.engine, r.mode, r.runtime, r.layer].join('\u0000');

/** The recipe's configuration: WasmEdge interpreting behind crun's handler, selected by compat-smart. */
export function isRecipe(rt: RuntimeInfo | undefined): boolean {
  if (!rt || rt.wasmModules || wasmWay(rt) !== 'oci-handler') return false;
  return engineOf(rt)?.name === 'wasmedge' && rt.wasmAnnotations?.[VARIANT_ANNOTATION] === 'compat-smart';
}

function rowFor(rows: Map<string, Row>, doc: ResultsDocument, runtime: string, layer: string, engine: string, mode: string): Row {
  const rt = doc.runtimes.find((r) => r.name === runtime);
  const probe = { engine, mode, runtime, layer };
  const found = rows.get(rowKey(probe));
  if (found) return found;
  const row: Row = {
    ...probe,
    version: (rt ? engineOf(rt)?.version : null) ?? '?',
    way: rt ? wasmWay(rt) : null,
    cells: new Map(),
    wasi: { passed: 0, total: 0, failed: [] },
    recipe: isRecipe(rt),
  };
  rows.set(rowKey(probe), row);
  return row;
}

/**
 * One table of engines per document, host and arch (two runs of one runtime are two rows of
 * figures that were not taken side by side), or none when the documents hold no Wasm figure.
 */
export function engineTables(docs: readonly ResultsDocument[]): TableModel[] {
  const tables = new Map<string, { title: string; rows: Map<string, Row> }>();
  for (const d of docs) {
    const tableOf = (host: string, arch: string) => {
      const k = `${d.runId}\u0000${host}\u0000${arch}`;
      const t = tables.get(k) ?? { title: `${arch} @${host}${docs.length > 1 ? `, run ${d.runId}` : ''}`, rows: new Map<string, Row>() };
      tables.set(k, t);
      return t;
    };
    for (const m of d.measurements) {
      const l = m.labels;
      const col = COLUMNS.findIndex((c) => c.suite === m.suite && c.metric === m.metric && c.workload === l.workload);
      if (l.workloadKind !== 'wasm' || l.emulated || col < 0) continue;
      rowFor(tableOf(l.host, l.arch).rows, d, l.runtime, l.layer, l.engine, l.engineMode).cells.set(col, cell(m));
    }
    for (const c of d.conformance) countWasi(c, d, tableOf);
  }
  const out: TableModel[] = [];
  for (const t of tables.values()) {
    if (t.rows.size === 0) continue;
    const rows = [...t.rows.values()].sort(
      (a, b) =>
        a.engine.localeCompare(b.engine) ||
        modeRank(a.mode) - modeRank(b.mode) ||
        wayRank(a.way) - wayRank(b.way) ||
        layerRank(a.layer) - layerRank(b.layer) ||
        a.runtime.localeCompare(b.runtime),
    );
    const muted = (text: string): Cell => ({ text, tone: 'muted' });
    out.push({
      caption: `Wasm engines, ${t.title}: medians of the Wasm workloads by engine, mode, way and layer`,
      columns: ['engine', 'version', 'mode', 'way', 'runtime', 'layer', ...COLUMNS.map((c) => c.title), 'WASI checks', 'note'],
      numeric: [false, false, false, false, false, false, ...COLUMNS.map(() => true), false, false],
      rows: [
        ...rows.map((r): Cell[] => [
          r.engine,
          r.version,
          r.mode,
          r.way ? WAY_SHORT[r.way] : '?',
          r.runtime,
          r.layer,
          ...COLUMNS.map((_, i) => {
            const c = r.cells.get(i);
            return c && Number.isFinite(c.median) ? formatValue(c.median, c.unit) : muted('—');
          }),
          wasiCell(r),
          r.recipe ? `★ ${RECIPE_NOTE}` : '',
        ]),
        ...UNTESTED_ENGINES.map((u): Cell[] => [u.engine, '—', '—', u.way, '—', '—', ...COLUMNS.map(() => muted('—')), muted('—'), muted(u.reason)]),
      ],
    });
  }
  return out;
}

function countWasi(c: ConformanceResult, d: ResultsDocument, tableOf: (h: string, a: string) => { rows: Map<string, Row> }): void {
  const l = c.labels;
  if (!c.checkId.startsWith('wasi.') || l.workloadKind !== 'wasm' || l.emulated) return;
  if (c.outcome.status === 'skipped') return;
  const row = rowFor(tableOf(l.host, l.arch).rows, d, l.runtime, l.layer, l.engine, l.engineMode);
  row.wasi.total++;
  if (c.outcome.status === 'passed') row.wasi.passed++;
  else row.wasi.failed.push(`${c.checkId.slice('wasi.'.length)} ${c.outcome.status === 'failed' ? 'FAIL' : 'ERR'}`);
}

function wasiCell(r: Row): Cell {
  if (r.wasi.total === 0) return { text: '—', tone: 'muted' };
  const text = `${r.wasi.passed}/${r.wasi.total}${r.wasi.failed.length > 0 ? ` (${r.wasi.failed.join(', ')})` : ''}`;
  return r.wasi.failed.length > 0 ? { text, tone: 'bad' } : text;
}

const modeRank = (m: string) => {
  const i = (ENGINE_MODES as readonly string[]).indexOf(m);
  return i < 0 ? ENGINE_MODES.length : i;
};
const wayRank = (w: WasmWay | null) => (w ? WASM_WAYS.indexOf(w) : WASM_WAYS.length);
const layerRank = (l: string) => {
  const i = (Layer.options as readonly string[]).indexOf(l);
  return i < 0 ? Layer.options.length : i;
};

/** The WASI checks with a column per engine, mode, runtime and layer. */
export function wasiByEngine(docs: readonly ResultsDocument[]): TableModel | null {
  const results = docs.flatMap((d) => d.conformance.filter((c) => c.checkId.startsWith('wasi.') && c.labels.workloadKind === 'wasm' && !c.labels.emulated));
  if (results.length === 0) return null;
  const colOf = (c: ConformanceResult) => `${c.labels.engine} ${c.labels.engineMode} · ${c.labels.runtime} · ${c.labels.layer}`;
  const cols = [...new Set(results.map(colOf))].sort();
  const checks = [...new Set(results.map((c) => c.checkId))];
  const mark: Record<string, Cell> = { passed: 'pass', failed: { text: 'FAIL', tone: 'bad' }, errored: { text: 'ERR', tone: 'warn' }, skipped: { text: 'skip', tone: 'muted' } };
  return {
    caption: "WASI preview1 checks by engine: each engine's column (engine mode · runtime · layer)",
    columns: ['check', ...cols],
    numeric: [false, ...cols.map(() => false)],
    rows: checks.map((id) => [id, ...cols.map((col) => results.find((r) => r.checkId === id && colOf(r) === col)?.outcome.status ?? '—').map((s) => mark[s] ?? s)]),
  };
}

export function engineSection(docs: readonly ResultsDocument[]): Section | null {
  const tables = engineTables(docs);
  if (tables.length === 0) return null;
  const wasi = wasiByEngine(docs);
  return {
    id: 'engines',
    title: 'Wasm engines',
    paragraphs: [
      'Each row is one Wasm engine in one mode (interpreter; JIT: compiled when the module is loaded; AOT: compiled before the run), reached one way at one layer; each cell is the median of that configuration\'s samples for the workload its suite runs (— where the figure was not measured). Rows that differ only in the engine compare engines with everything else held equal (crun-engines/* are one crun 1.21 binary whose run.oci.handler annotation alone picks WasmEdge, wasmtime or wasmer); rows that differ only in the mode compare modes of one engine. "int ops ÷ host" is the cpu workload\'s integer rate over the bare host\'s (1 = no overhead). WASI checks: passed of those run, with the ones that did not pass.',
      `★ marks ${RECIPE_NOTE}.`,
    ],
    figures: [],
    tables: wasi ? [...tables, wasi] : tables,
  };
}

export function buildEngines({ docs }: SectionContext): Section | null {
  return engineSection(docs);
}

function cell(m: Measurement): { median: number; unit: Unit } {
  return { median: m.stats?.median ?? Number.NaN, unit: m.unit };
}
