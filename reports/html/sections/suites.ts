/** One section per suite (startup, memory, throughput, then any other): a figure per measurement group. */
import { rankingNote } from '../../../core/ranking.ts';
import type { MeasurementGroup } from '../../groups.ts';
import { groupFigure, slug } from '../figures.ts';
import type { Section, SectionContext } from '../types.ts';

const SUITE_TITLES: Record<string, { title: string; text: string }> = {
  startup: {
    title: 'Startup',
    text: 'Distribution of every sample per runtime and layer: the box spans the quartiles, the line is the median, whiskers reach 1.5 IQR, dots are the samples beyond.',
  },
  memory: { title: 'Memory', text: 'Peak memory per runtime: the runtime CLI processes, the container init and the container cgroup.' },
  throughput: { title: 'Throughput', text: 'Work done per second inside the container, and containers completed per second.' },
};

export function buildSuites({ docs, groups }: SectionContext): Section[] | null {
  if (docs.length === 0) return null;
  const bySuite = new Map<string, MeasurementGroup[]>();
  for (const g of groups) {
    if (g.emulated) continue;
    const list = bySuite.get(g.suite) ?? [];
    list.push(g);
    bySuite.set(g.suite, list);
  }
  const names = [...new Set(['startup', 'memory', 'throughput', ...bySuite.keys()])];
  return names.map((suite) => {
    const info = SUITE_TITLES[suite] ?? { title: suite, text: '' };
    const gs = bySuite.get(suite) ?? [];
    return {
      id: `suite-${slug(suite)}`,
      title: info.title,
      paragraphs: gs.length > 0 ? [info.text, rankingNote()].filter(Boolean) : [`No ${suite} figures in these documents.`],
      figures: gs.map((g) => groupFigure(g, suite)),
      tables: [],
    };
  });
}
