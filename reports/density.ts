/**
 * Density curves as the reports show them: one row per runtime configuration with the
 * units that fit, what stopped the fill, units per GiB three ways (the footprint the layer
 * measures; the units' cgroups; the host's MemAvailable), the start latency of the first
 * units against the last, and the teardown; and the curves themselves, thinned for charts.
 * A pure function of the documents.
 */
import { byProcessPerUnit, cgroupPerUnit, memAvailableDropPerUnit, perUnitBytes, startDrift, startedPerSec } from '../core/density-curve.ts';
import { alignRows, formatValue } from '../core/format.ts';
import type { DensityCurve, ResultsDocument } from '../core/schema.ts';

const GiB = 1024 ** 3;

export interface DensityRow {
  key: string;
  layer: string;
  arch: string;
  emulated: boolean;
  host: string;
  /** runtime (kind), with @host when the documents span several hosts. */
  label: string;
  curve: DensityCurve;
  count: number;
  stop: string;
  perUnitBytes: number | null;
  perGiB: number | null;
  cgroupPerUnit: number | null;
  memAvailablePerUnit: number | null;
  drift: ReturnType<typeof startDrift>;
  startedPerSec: number | null;
  teardownNs: number | null;
}

const perGiB = (bytes: number | null) => (bytes !== null && bytes > 0 ? GiB / bytes : null);

/** Every curve of the documents, grouped by layer then arch, most units per GiB first. */
export function densityRows(docs: readonly ResultsDocument[]): DensityRow[] {
  const curves = docs.flatMap((d) => d.density ?? []);
  const hosts = new Set(curves.map((c) => c.labels.host));
  const rows = curves.map((c): DensityRow => {
    const l = c.labels;
    const unit = perUnitBytes(c.points);
    return {
      key: [l.layer, l.arch, l.emulated ? 'emulated' : ''].join(' '),
      layer: l.layer,
      arch: l.arch,
      emulated: l.emulated,
      host: l.host,
      label: `${l.runtime} (${l.workloadKind})${hosts.size > 1 ? ` @${l.host}` : ''}`,
      curve: c,
      count: c.count,
      stop: c.stop.reason,
      perUnitBytes: unit,
      perGiB: perGiB(unit),
      cgroupPerUnit: cgroupPerUnit(c.points),
      memAvailablePerUnit: memAvailableDropPerUnit(c.points),
      drift: startDrift(c.points),
      startedPerSec: startedPerSec(c.points),
      teardownNs: c.teardown?.ns ?? null,
    };
  });
  return rows.sort(
    (a, b) =>
      Number(a.emulated) - Number(b.emulated) || a.layer.localeCompare(b.layer) || a.arch.localeCompare(b.arch) || (b.perGiB ?? -1) - (a.perGiB ?? -1) || a.label.localeCompare(b.label),
  );
}

/** The table's columns, and a row's cells as text (— where a figure is missing). */
export const DENSITY_COLUMNS = [
  'layer',
  'runtime',
  'units',
  'stopped by',
  'per GiB',
  'footprint per unit',
  'cgroup per unit',
  'MemAvailable per unit',
  'start: first → last',
  'started/s',
  'teardown',
] as const;

/** Which columns hold figures (right-aligned). */
export const DENSITY_NUMERIC = [false, false, true, false, true, true, true, true, true, true, true] as const;

const dash = '—';

function bytes(x: number | null): string {
  return x === null ? dash : formatValue(x, 'bytes');
}

function gib(x: number | null): string {
  return x === null ? dash : formatValue(x, 'containers/GiB');
}

export function densityCells(r: DensityRow): string[] {
  const d = r.drift;
  return [
    r.layer,
    r.label,
    String(r.count),
    r.stop,
    gib(r.perGiB),
    bytes(r.perUnitBytes),
    bytes(r.cgroupPerUnit),
    bytes(r.memAvailablePerUnit),
    d ? `${formatValue(d.first, 'ns')} → ${formatValue(d.last, 'ns')} (${d.ratio.toFixed(2)}×)` : dash,
    r.startedPerSec === null ? dash : formatValue(r.startedPerSec, 'containers/s'),
    r.teardownNs === null ? dash : formatValue(r.teardownNs, 'ns'),
  ];
}

/** What the columns mean, in one paragraph. */
export const DENSITY_NOTE =
  'Idle containers (pods) of each runtime configuration, started one after another until a memory budget, a count cap, a host limit or the first failure. per GiB: how many fit in 1 GiB at the footprint each one added, where the footprint is the PSS of every process the containers and what serves them added (runtime, sandbox and shim processes, the containers, containerd’s growth; for pods, the pods’ working set from the kubelet, and by process, on a node that is this machine, the PSS growth of the node’s kubelet, containerd and shims, which a working set leaves out). cgroup per unit: the containers’ own cgroup usage, kernel memory included (a shim is outside it). MemAvailable per unit: the host’s own fall in MemAvailable over the fill, kernel memory included, which other processes on the host move too. start: the median start latency of the first tenth of the units against the last tenth.';

/** What stopped each fill, one line per configuration. */
export function stopLines(rows: readonly DensityRow[]): string[] {
  return rows.map((r) => `${r.layer} ${r.label}: ${r.curve.stop.reason} — ${r.curve.stop.detail}${r.curve.mended ? ` (${r.curve.mended})` : ''}`);
}

/** What each container added by process name, largest first: `containerd-shim-runc-v2 2.6 MiB, idle 48 KiB, containerd 150 KiB`. */
export function byProcessText(r: DensityRow): string | null {
  const b = byProcessPerUnit(r.curve.points);
  if (!b) return null;
  const parts = Object.entries(b.perUnit)
    .sort((x, y) => y[1] - x[1])
    .map(([name, bytes]) => `${name} ${formatValue(bytes, 'bytes')}`);
  return `${parts.join(', ')} (at ${b.count})`;
}

/** The footprint per container by process, one line per configuration that has it. */
export function byProcessLines(rows: readonly DensityRow[]): string[] {
  return rows.flatMap((r) => {
    const t = byProcessText(r);
    return t ? [`${r.layer} ${r.label}: ${t}`] : [];
  });
}

/**
 * A curve thinned for a chart: at most `max` points, each the median of the values in its
 * stretch of counts at that stretch's last count (every point when there are few).
 */
export function thinned(points: readonly { x: number; y: number }[], max = 400): { x: number; y: number }[] {
  if (points.length <= max) return [...points];
  const per = Math.ceil(points.length / max);
  const out: { x: number; y: number }[] = [];
  for (let i = 0; i < points.length; i += per) {
    const chunk = points.slice(i, i + per);
    const ys = chunk.map((p) => p.y).sort((a, b) => a - b);
    const mid = ys.length >> 1;
    const y = ys.length % 2 ? (ys[mid] as number) : ((ys[mid - 1] as number) + (ys[mid] as number)) / 2;
    out.push({ x: (chunk[chunk.length - 1] as { x: number }).x, y });
  }
  return out;
}

/** The density table as aligned text, with what stopped each fill, for the terminal. */
export function densityText(rows: readonly DensityRow[]): string[] {
  if (rows.length === 0) return [];
  const cells = [DENSITY_COLUMNS.slice(), ...rows.map(densityCells)];
  const parts = byProcessLines(rows);
  return [
    'density: idle containers per GiB',
    ...alignRows(cells, DENSITY_NUMERIC, '  '),
    '',
    'what stopped each fill',
    ...stopLines(rows).map((l) => `  ${l}`),
    '',
    ...(parts.length > 0 ? ['footprint per container, by process', ...parts.map((l) => `  ${l}`), ''] : []),
  ];
}
