/** Native vs Wasm: the same workload built both ways, run by the same runtime on the same host. */
import { formatValue } from '../../../core/format.ts';
import { ratioOfMediansInterval } from '../../../core/ranking.ts';
import type { Measurement, Unit } from '../../../core/schema.ts';
import { round, scaleFor, slug } from '../figures.ts';
import type { Figure, Section, SectionContext } from '../types.ts';

export function buildNativeVsWasm({ docs }: SectionContext): Section | null {
  if (docs.length === 0) return null;
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
        columns: ['runtime', 'native median', 'Wasm median', `${lower ? 'Wasm / native' : 'native / Wasm'} (95% CI)`],
        numeric: [false, true, true, true],
        rows: both.map(([r, p]) => {
          const n = p.native?.stats?.median ?? Number.NaN;
          const w = p.wasm?.stats?.median ?? Number.NaN;
          const ratio = lower ? w / n : n / w;
          const [num, den] = lower ? [p.wasm, p.native] : [p.native, p.wasm];
          const ci = num && den ? ratioOfMediansInterval(num.samples, den.samples) : null;
          const text = Number.isFinite(ratio) ? `${ratio.toFixed(2)}×${ci ? ` [${ci[0].toFixed(2)} … ${ci[1].toFixed(2)}]` : ''}` : '—';
          return [r, formatValue(n, fig.unit), formatValue(w, fig.unit), text];
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
