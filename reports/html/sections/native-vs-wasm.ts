/** Native vs Wasm: the same workload built both ways, run by the same runtime on the same host. */
import { lowerIsBetter } from '../../../core/format.ts';
import { ratioOfMediansInterval } from '../../../core/ranking.ts';
import type { Measurement, Unit } from '../../../core/schema.ts';
import { compareConfigurations, type Configuration } from '../../configurations.ts';
import { formatMetricValue, metricInfo } from '../../metrics.ts';
import { axisScale, axisTitle, round, scaleFor, slug } from '../figures.ts';
import { STYLE_COLORS, STYLE_TITLES } from '../palette.ts';
import type { Figure, Section, SectionContext } from '../types.ts';

interface Pair {
  native?: Measurement;
  wasm?: Measurement;
  wasmConfig?: Configuration;
}

export function buildNativeVsWasm({ docs, figures: ctx }: SectionContext): Section | null {
  if (docs.length === 0) return null;
  const figs = new Map<string, { title: string; metric: string; unit: Unit; runtimes: Map<string, Pair> }>();
  for (const d of docs) {
    for (const m of d.measurements) {
      if (m.labels.emulated) continue;
      const l = m.labels;
      const fk = [l.layer, m.suite, m.metric, l.workload, l.host, l.arch].join('\u0000');
      const fig = figs.get(fk) ?? {
        title: `${metricInfo(m.metric).title} · ${l.workload}, ${l.layer} layer, ${l.arch}${docs.length > 1 ? ` @${l.host}` : ''}`,
        metric: m.metric,
        unit: m.unit,
        runtimes: new Map(),
      };
      const pair = fig.runtimes.get(l.runtime) ?? {};
      pair[l.workloadKind] = m;
      if (l.workloadKind === 'wasm') pair.wasmConfig = ctx.configurationOf(m);
      fig.runtimes.set(l.runtime, pair);
      figs.set(fk, fig);
    }
  }
  const figures: Figure[] = [];
  for (const [fk, fig] of figs) {
    const both = [...fig.runtimes]
      .filter((e): e is [string, Required<Pair>] => Boolean(e[1].native && e[1].wasm && e[1].wasmConfig))
      .sort((a, b) => compareConfigurations(a[1].wasmConfig, b[1].wasmConfig));
    if (both.length === 0) continue;
    const info = metricInfo(fig.metric);
    const all = both.flatMap(([, p]) => [...p.native.samples, ...p.wasm.samples]);
    const scale = info.valueUnit ? { factor: 1, axis: info.valueUnit } : scaleFor(fig.unit, all);
    const axis = axisScale(all.map((x) => x * scale.factor));
    const lower = lowerIsBetter(fig.unit);
    const wasmStyles = [...new Set(both.map(([, p]) => p.wasmConfig.style))];
    const wasmStyle = wasmStyles.length === 1 ? (wasmStyles[0] ?? 'wasm') : 'wasm';
    const fmt = (x: number) => formatMetricValue(fig.metric, x, fig.unit);
    figures.push({
      id: `native-wasm-${slug(fk)}`,
      title: fig.title,
      chart: {
        type: 'boxplot',
        axis: axisTitle(scale.axis, fig.unit, axis),
        scale: axis,
        labels: both.map(([r]) => r),
        colors: both.map(() => STYLE_COLORS.native),
        legend: [
          { label: 'native build', color: STYLE_COLORS.native },
          { label: `${STYLE_TITLES[wasmStyle]} build`, color: STYLE_COLORS[wasmStyle] },
        ],
        datasets: (['native', 'wasm'] as const).map((kind) => ({
          label: kind === 'native' ? 'native' : 'Wasm',
          color: kind === 'native' ? STYLE_COLORS.native : STYLE_COLORS[wasmStyle],
          data: both.map(([, p]) => p[kind].samples.map((x) => round(x * scale.factor))),
        })),
      },
      table: {
        caption: `${fig.title}: medians of the native and the Wasm build`,
        columns: ['runtime', 'native median', 'Wasm median', `${lower ? 'Wasm / native' : 'native / Wasm'} (95% CI)`],
        numeric: [false, true, true, true],
        rows: both.map(([r, p]) => {
          const n = p.native.stats?.median ?? Number.NaN;
          const w = p.wasm.stats?.median ?? Number.NaN;
          const ratio = lower ? w / n : n / w;
          const [num, den] = lower ? [p.wasm, p.native] : [p.native, p.wasm];
          const ci = ratioOfMediansInterval(num.samples, den.samples);
          const text = Number.isFinite(ratio) ? `${ratio.toFixed(2)}×${ci ? ` [${ci[0].toFixed(2)} … ${ci[1].toFixed(2)}]` : ''}` : '—';
          return [r, fmt(n), fmt(w), text];
        }),
      },
    });
  }
  return {
    id: 'native-vs-wasm',
    title: 'Native vs Wasm',
    paragraphs:
      figures.length > 0
        ? [
            'The same workload built natively and as a wasm32-wasi module, run by the same runtime on the same host. The ratio says how much more the Wasm path costs.',
          ]
        : ['No runtime was measured with both a native and a Wasm workload in these documents.'],
    figures,
    tables: [],
  };
}
