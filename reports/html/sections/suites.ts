/** One section per suite (startup, memory, throughput, then any other): a figure per measurement group. */
import { rankingNote } from '../../../core/ranking.ts';
import type { MeasurementGroup } from '../../groups.ts';
import { groupFigure, slug } from '../figures.ts';
import type { Section, SectionContext } from '../types.ts';

const SUITE_TITLES: Record<string, { title: string; text: string }> = {
  startup: { title: 'Startup', text: 'How long a container takes to start: the one-shot run, the whole lifecycle, and each phase of it.' },
  memory: { title: 'Memory', text: 'Peak memory per configuration: the runtime CLI processes, the container init and the container cgroup.' },
  throughput: { title: 'Throughput', text: 'Work done per second inside the container, and containers completed per second.' },
  density: { title: 'Density', text: 'How many idle pods fit on the node, and what each costs.' },
};

/** How to read every chart of the suite sections. */
export const BOX_NOTE =
  'Each chart shows every sample of each configuration, in the same order as the summary, coloured by kind (legend above each chart): the box spans the quartiles, the line is the median, whiskers reach 1.5 IQR, dots are the samples beyond. Value axes start at zero, or are logarithmic (and say so) when the values span more than 20×. A configuration whose series errored keeps its row, marked, in the chart and in the table.';

export function buildSuites({ docs, groups, figures }: SectionContext): Section[] | null {
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
      paragraphs: gs.length > 0 ? [info.text, BOX_NOTE, rankingNote()].filter(Boolean) : [`No ${suite} figures in these documents.`],
      figures: gs.map((g) => groupFigure(g, suite, figures)),
      tables: [],
    };
  });
}
