/** Reliability: each runtime configuration's failure rate with its interval, and the series that failed. */
import { formatRate } from '../../../core/reliability.ts';
import { reliabilityRows, topError } from '../../reliability.ts';
import { round } from '../figures.ts';
import type { Cell, Section, SectionContext } from '../types.ts';

export function buildReliability({ docs }: SectionContext): Section | null {
  const r = reliabilityRows(docs);
  if (!r || r.configurations.length === 0) return null;
  const labels = r.configurations.map(({ c, label }) => `${c.labels.layer} ${label}`);
  const tables =
    r.series.length === 0
      ? []
      : [
          {
            caption: 'series with failures',
            columns: ['runtime', 'layer', 'suite', 'series', 'attempts', 'failed', 'hung', 'failure rate (95% CI)', 'outcome', 'most frequent error'],
            numeric: [false, false, false, false, true, true, true, true, false, false],
            rows: r.series.map(({ s, label }): Cell[] => [
              label,
              s.labels.layer,
              s.suite,
              `${s.series} (${s.labels.workload})`,
              String(s.attempts),
              String(s.failures),
              String(s.hangs),
              formatRate(s),
              s.outcome.status === 'errored' ? { text: `errored: ${s.outcome.reason}`, tone: 'bad' } : { text: 'measured', tone: 'muted' },
              topError(s),
            ]),
          },
        ];
  return {
    id: 'reliability',
    title: 'Reliability',
    paragraphs: [r.note],
    figures: [
      {
        id: 'reliability-rates',
        title: 'Failure rate per runtime configuration',
        chart: {
          type: 'bar',
        scale: 'zero',
          axis: '% of attempts failed',
          stacked: false,
          labels,
          datasets: [
            {
              label: 'failure rate %',
              data: r.configurations.map(({ c }) => round((c.failureRate ?? 0) * 100)),
              tones: r.configurations.map(({ c }) => (c.failures > 0 ? 'bad' : 'good')),
            },
          ],
        },
        table: {
          caption: 'failure rates',
          columns: ['runtime', 'layer', 'attempts', 'failed', 'hung', 'failure rate (95% CI)'],
          numeric: [false, false, true, true, true, true],
          rows: r.configurations.map(({ c, label }): Cell[] => [label, c.labels.layer, String(c.attempts), String(c.failures), String(c.hangs), formatRate(c)]),
        },
      },
    ],
    tables,
  };
}
