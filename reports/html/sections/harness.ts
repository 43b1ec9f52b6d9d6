/** Harness overhead: what timing a static no-op costs, against the smallest lifecycle median. */
import { formatValue } from '../../../core/format.ts';
import { axisTitle, round, scaleFor } from '../figures.ts';

const HARNESS_COLOR = '#0072b2';
const CONTRAST_COLOR = '#999999';
import type { Cell, Section, SectionContext } from '../types.ts';

export function buildHarness({ docs }: SectionContext): Section | null {
  if (docs.length === 0) return null;
  const withHarness = docs.filter((d) => d.harness);
  if (withHarness.length === 0) {
    return { id: 'harness', title: 'Harness overhead', paragraphs: ['The harness was not calibrated in these documents.'], figures: [], tables: [] };
  }
  const labels: string[] = [];
  const data: number[][] = [];
  const rows: Cell[][] = [];
  for (const d of withHarness) {
    const h = d.harness;
    if (!h) continue;
    labels.push(`rb-exec @${d.host.hostname}`, `Node spawn @${d.host.hostname}`);
    data.push(h.spawnNoopNs, h.nodeSpawnNoopNs);
    const lifecycle = d.measurements.flatMap((m) => (m.metric === 'lifecycle' && !m.labels.emulated && m.stats ? [m.stats.median] : []));
    const smallest = lifecycle.length > 0 ? Math.min(...lifecycle) : null;
    rows.push([
      d.host.hostname,
      h.spawnNoopStats ? formatValue(h.spawnNoopStats.median, 'ns') : '—',
      h.nodeSpawnNoopStats ? formatValue(h.nodeSpawnNoopStats.median, 'ns') : '—',
      smallest && h.spawnNoopStats ? `${((h.spawnNoopStats.median / smallest) * 100).toFixed(1)}%` : '—',
      String(h.spawnNoopNs.length),
    ]);
  }
  const scale = scaleFor('ns', data.flat());
  return {
    id: 'harness',
    title: 'Harness overhead',
    paragraphs: [
      `How long timing a static no-op process takes through the same path as the runtimes (${withHarness[0]?.harness?.method ?? ''}), and, for contrast only, from Node's own spawn. Every startup figure contains this overhead once.`,
    ],
    figures: [
      {
        id: 'harness-overhead',
        title: 'Timing a static no-op',
        chart: {
          type: 'boxplot',
          axis: axisTitle(scale.axis, 'ns', 'zero'),
          scale: 'zero',
          labels,
          colors: labels.map((_, i) => (i % 2 === 0 ? HARNESS_COLOR : CONTRAST_COLOR)),
          legend: [
            { label: 'rb-exec: how runbench times every figure', color: HARNESS_COLOR },
            { label: "Node's spawn: for contrast, never used", color: CONTRAST_COLOR },
          ],
          datasets: [{ label: 'no-op', data: data.map((xs) => xs.map((x) => round(x * scale.factor))) }],
        },
        table: {
          caption: 'harness overhead',
          columns: ['host', 'rb-exec median', 'Node spawn median', 'share of smallest lifecycle', 'n'],
          numeric: [false, true, true, true, true],
          rows,
        },
      },
    ],
    tables: [],
  };
}
