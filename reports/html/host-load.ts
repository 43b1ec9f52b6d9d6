/** How busy the host was while each layer was measured, from the noise readings the run took around every turn. */
import { summarize } from '../../core/noise.ts';
import type { ResultsDocument } from '../../core/schema.ts';
import { LAYER_ORDER } from '../configurations.ts';
import type { Cell } from './types.ts';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** "0.8 … 1.6 … 5.7": smallest, median and largest of the readings, or — without any. */
function spread(xs: (number | null)[], digits: number, suffix = ''): string {
  const v = xs.filter((x): x is number => x !== null);
  if (v.length === 0) return '—';
  const f = (x: number) => `${x.toFixed(digits)}${suffix}`;
  return `${f(Math.min(...v))} … ${f(median(v))} … ${f(Math.max(...v))}`;
}

/** One row per layer: layer, turns, load average, busy, stolen, clock, and whether the layer's turns were noisy. */
export function hostLoadRows(d: ResultsDocument): Cell[][] {
  const turns = d.noise?.turns ?? [];
  const layers = LAYER_ORDER.filter((l) => turns.some((t) => t.layer === l));
  return layers.map((layer) => {
    const ts = turns.filter((t) => t.layer === layer);
    const s = summarize(ts, d.host.cores);
    return [
      layer,
      String(ts.length),
      spread(
        ts.map((t) => t.loadAvg1),
        2,
      ),
      spread(
        ts.map((t) => t.busyPct),
        0,
        '%',
      ),
      spread(
        ts.map((t) => t.stealPct),
        1,
        '%',
      ),
      spread(
        ts.map((t) => t.cpuMHz),
        0,
        ' MHz',
      ),
      s.noisy ? { text: `noisy: ${s.reason}`, tone: 'warn' } : { text: `quiet: load within ${d.host.cores} cores, steal within 5%`, tone: 'good' },
    ];
  });
}
