/**
 * "Density": for each layer and arch, the footprint against the number of idle containers
 * and their start latency against the count, one line per runtime configuration, beside
 * the table of containers per GiB; then what stopped each fill. From the documents'
 * density curves (reports/density.ts); absent when no document has one.
 */
import { formatValue } from '../../../core/format.ts';
import { byProcessText, DENSITY_COLUMNS, DENSITY_NOTE, DENSITY_NUMERIC, densityCells, densityRows, thinned, type DensityRow } from '../../density.ts';
import { round, slug } from '../figures.ts';
import type { Figure, Section, SectionContext, TableModel } from '../types.ts';

const MiB = 1024 ** 2;

function memoryFigure(key: string, title: string, rows: readonly DensityRow[]): Figure {
  return {
    id: `density-memory-${slug(key)}`,
    title: `${title}: footprint against idle containers`,
    chart: {
      type: 'xy',
      xAxis: 'idle containers',
      axis: 'footprint growth (MiB)',
      labels: rows.map((r) => r.label),
      datasets: rows.map((r) => {
        const base = r.curve.points.find((p) => p.count === 0)?.footprintBytes ?? 0;
        const measured = r.curve.points.filter((p) => p.footprintBytes !== null);
        return { label: r.label, points: measured.map((p) => ({ x: p.count, y: round(((p.footprintBytes as number) - base) / MiB) })) };
      }),
    },
    table: {
      caption: `containers per GiB (${rows[0]?.curve.footprintOf ?? 'footprint'})`,
      columns: DENSITY_COLUMNS.slice(1),
      numeric: DENSITY_NUMERIC.slice(1),
      rows: rows.map((r) => densityCells(r).slice(1)),
    },
  };
}

function latencyFigure(key: string, title: string, rows: readonly DensityRow[]): Figure {
  return {
    id: `density-start-${slug(key)}`,
    title: `${title}: start latency against idle containers`,
    chart: {
      type: 'xy',
      xAxis: 'idle containers',
      axis: 'start latency (ms)',
      labels: rows.map((r) => r.label),
      datasets: rows.map((r) => {
        const points = r.curve.points.filter((p) => p.count > 0 && p.startNs !== null).map((p) => ({ x: p.count, y: (p.startNs as number) / 1e6 }));
        return { label: r.label, points: thinned(points).map((p) => ({ x: p.x, y: round(p.y) })) };
      }),
    },
    table: {
      caption: 'start latency of the first tenth of the units against the last tenth (medians; a chart line of more than 400 units shows the median of each stretch)',
      columns: ['runtime', 'start: first → last', 'started/s', 'teardown'],
      numeric: [false, true, true, true],
      rows: rows.map((r) => {
        const c = densityCells(r);
        return [r.label, c[8] ?? '—', c[9] ?? '—', c[10] ?? '—'];
      }),
    },
  };
}

function stopsTable(rows: readonly DensityRow[]): TableModel {
  return {
    caption: 'what stopped each fill, what each container added by process, and the teardown',
    columns: ['layer', 'runtime', 'units', 'stopped by', 'why', 'per container, by process', 'teardown', 'left behind'],
    numeric: [false, false, true, false, false, false, true, false],
    rows: rows.map((r) => [
      r.layer,
      r.label,
      String(r.count),
      r.stop,
      r.curve.stop.detail + (r.curve.mended ? ` (${r.curve.mended})` : ''),
      byProcessText(r) ?? '—',
      r.teardownNs === null ? '—' : formatValue(r.teardownNs, 'ns'),
      r.curve.teardown
        ? r.curve.teardown.leftovers.length === 0
          ? 'nothing'
          : { text: `${r.curve.teardown.leftovers.length}: ${r.curve.teardown.leftovers.slice(0, 3).join('; ')}`, tone: 'bad' }
        : '—',
    ]),
  };
}

export function buildDensity({ docs }: SectionContext): Section | null {
  const rows = densityRows(docs);
  if (rows.length === 0) return null;
  const byKey = new Map<string, DensityRow[]>();
  for (const r of rows) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
  const figures: Figure[] = [];
  for (const [key, group] of byKey) {
    const head = group[0] as DensityRow;
    const title = `${head.layer} · ${head.arch}${head.emulated ? ', emulated' : ''}`;
    figures.push(memoryFigure(key, title, group), latencyFigure(key, title, group));
  }
  return {
    id: 'density',
    title: 'Density',
    paragraphs: [DENSITY_NOTE, `Footprint: ${[...new Set(rows.map((r) => `${r.layer}: ${r.curve.footprintOf}`))].join('; ')}.`],
    figures,
    tables: [stopsTable(rows)],
  };
}
