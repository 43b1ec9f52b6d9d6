/** What several sections share: the display scale of a chart, ids, and the figure of one measurement group. */
import { formatInterval, formatValue } from '../../core/format.ts';
import { rankLabel, ratioText } from '../../core/ranking.ts';
import type { Measurement, Unit } from '../../core/schema.ts';
import { type MeasurementGroup, noValue, samplesText } from '../groups.ts';
import type { Cell, Figure } from './types.ts';

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

export const round = (x: number) => Number(x.toPrecision(6));

function ci(m: Measurement): string {
  return m.stats ? formatInterval(m.stats.ci95Median[0], m.stats.ci95Median[1], m.unit, m.stats.ci95MedianCoverage) : '—';
}

export function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

export function groupFigure(g: MeasurementGroup, idPrefix: string): Figure {
  const scale = scaleFor(
    g.unit,
    g.entries.flatMap((e) => e.measurement.samples),
  );
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
      columns: ['runtime', 'median', '95% CI', 'p95', 'rank', 'ratio to best (95% CI)', 'n', 'outliers'],
      numeric: [false, true, true, true, true, true, true, true],
      rows: g.entries.map((e): Cell[] => {
        const m = e.measurement;
        const s = m.stats;
        const n = samplesText(m);
        if (!s) return [e.label, { text: noValue(m), tone: 'bad' }, '—', '—', '—', '—', n, '—'];
        // the best rank is good news only when it is not shared
        const first = e.ranked.rank === 1;
        return [
          e.label,
          formatValue(s.median, g.unit),
          ci(m),
          formatValue(s.p95, g.unit),
          first ? { text: rankLabel(e.ranked), tone: e.ranked.tied ? 'muted' : 'good' } : rankLabel(e.ranked),
          first && !e.ranked.tied ? { text: ratioText(e.ranked), tone: 'good' } : ratioText(e.ranked),
          n,
          String(s.outliers.length),
        ];
      }),
    },
  };
}
