/**
 * What several sections share: the display unit and axis of a chart, ids, and the figure of
 * one measurement group. Every figure lists configurations in the report's one order
 * (reports/configurations.ts), colours each by its kind, and keeps a row for a configuration
 * whose series errored, saying so, instead of leaving it out.
 */
import { formatInterval, lowerIsBetter } from '../../core/format.ts';
import { rankLabel, ratioText } from '../../core/ranking.ts';
import type { Measurement, Unit } from '../../core/schema.ts';
import { compareConfigurations } from '../configurations.ts';
import { type MeasurementGroup, noValue, samplesText } from '../groups.ts';
import { formatMetricValue, metricInfo } from '../metrics.ts';
import { ERRORED_COLOR, STYLE_COLORS, styleLegend } from './palette.ts';
import type { AxisScale, Cell, Figure, FigureContext } from './types.ts';

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
    case 'ratio':
      return { factor: 1, axis: '× (1 = the same)' };
    default:
      return { factor: 1, axis: unit };
  }
}

/** Past this span (largest over smallest value) a linear axis hides the small values: the axis turns logarithmic. */
export const LOG_SPAN = 20;

/** Linear from zero, so lengths compare; logarithmic when the positive values span more than LOG_SPAN. */
export function axisScale(values: readonly number[]): AxisScale {
  if (values.length === 0 || values.some((x) => !(x > 0))) return 'zero';
  let min = Infinity;
  let max = -Infinity;
  for (const x of values) {
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return max / min > LOG_SPAN ? 'log' : 'zero';
}

/** "ms, lower is better", with the scale when it is logarithmic. */
export function axisTitle(axis: string, unit: Unit, scale: AxisScale): string {
  const better = unit === 'bool' || unit === 'count' ? '' : lowerIsBetter(unit) ? ', lower is better' : ', higher is better';
  return `${axis}${better}${scale === 'log' ? ' (log scale)' : ''}`;
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

/** "Startup: one-shot run · hello, oci layer, amd64". */
export function groupTitle(g: MeasurementGroup): string {
  return `${metricInfo(g.metric).title} · ${g.workload}, ${g.layer} layer, ${g.arch}${g.emulated ? ' (emulated)' : ''}`;
}

export function groupFigure(g: MeasurementGroup, idPrefix: string, ctx: FigureContext): Figure {
  const info = metricInfo(g.metric);
  const multiHost = g.hosts.length > 1;
  const measured = g.entries
    .map((e) => ({ e, c: ctx.configurationOf(e.measurement) }))
    .sort((a, b) => compareConfigurations(a.c, b.c))
    .map(({ e, c }) => ({ kind: 'measured' as const, e, c, label: multiHost ? `${c.label} @${c.host}` : c.label }));
  const missing = ctx.missing(g).map((x) => ({
    kind: 'missing' as const,
    ...x,
    c: x.configuration,
    label: `${multiHost ? `${x.configuration.label} @${x.configuration.host}` : x.configuration.label} — ${x.status}`,
  }));
  const rows = [...measured, ...missing].sort((a, b) => compareConfigurations(a.c, b.c));
  const samples = measured.flatMap((r) => r.e.measurement.samples);
  const scale = info.valueUnit ? { factor: 1, axis: info.valueUnit } : scaleFor(g.unit, samples);
  const axis = axisScale(samples.map((x) => x * scale.factor));
  const fmt = (x: number) => formatMetricValue(g.metric, x, g.unit);
  return {
    id: `${idPrefix}-${slug(g.key)}`,
    title: groupTitle(g),
    chart: {
      type: 'boxplot',
      axis: axisTitle(scale.axis, g.unit, axis),
      scale: axis,
      labels: rows.map((r) => r.label),
      colors: rows.map((r) => (r.kind === 'measured' ? STYLE_COLORS[r.c.style] : ERRORED_COLOR)),
      legend: styleLegend(
        measured.map((r) => r.c.style),
        missing.length > 0,
      ),
      datasets: [{ label: info.short, data: rows.map((r) => (r.kind === 'measured' ? r.e.measurement.samples.map((x) => round(x * scale.factor)) : [])) }],
    },
    table: {
      caption: `${info.title}: each configuration's median, its 95% interval and p95, its rank and its ratio to the best`,
      columns: ['configuration', 'median', '95% CI', 'p95', 'rank', 'ratio to best (95% CI)', 'n', 'outliers'],
      numeric: [false, true, true, true, true, true, true, true],
      rows: rows.map((r): Cell[] => {
        if (r.kind === 'missing') return [r.c.label, { text: `${r.status}: ${r.reason}`, tone: 'bad' }, '—', '—', '—', '—', '0', '—'];
        const m = r.e.measurement;
        const s = m.stats;
        const n = samplesText(m);
        if (!s) return [r.label, { text: noValue(m), tone: 'bad' }, '—', '—', '—', '—', n, '—'];
        const ranked = r.e.ranked;
        // the best rank is good news only when it is not shared
        const first = ranked.rank === 1;
        return [
          r.label,
          fmt(s.median),
          info.valueUnit ? `${fmt(s.ci95Median[0])} … ${fmt(s.ci95Median[1])}` : ci(m),
          fmt(s.p95),
          first ? { text: rankLabel(ranked), tone: ranked.tied ? 'muted' : 'good' } : rankLabel(ranked),
          first && !ranked.tied ? { text: ratioText(ranked), tone: 'good' } : ratioText(ranked),
          n,
          String(s.outliers.length),
        ];
      }),
    },
  };
}
