/** Facts and not measured: the recorded observations, and every suite run that did not simply pass. */
import { notMeasured } from '../../groups.ts';
import type { Section, SectionContext, TableModel } from '../types.ts';

export function buildFacts({ docs }: SectionContext): Section | null {
  if (docs.length === 0) return null;
  const facts = docs.flatMap((d) => d.facts);
  const missing = notMeasured(docs);
  const tables: TableModel[] = [];
  const paragraphs: string[] = [];
  if (facts.length > 0) {
    tables.push({
      caption: 'facts',
      columns: ['host', 'runtime', 'suite', 'fact', 'value', 'detail'],
      numeric: [false, false, false, false, false, false],
      rows: facts.map((f) => [
        f.labels.host,
        `${f.labels.runtime} (${f.labels.workloadKind}${f.labels.emulated ? ', emulated' : ''})`,
        f.suite,
        f.name,
        String(f.value),
        f.detail,
      ]),
    });
  } else paragraphs.push('No facts recorded.');
  if (missing.length > 0) {
    tables.push({
      caption: 'not measured',
      columns: ['host', 'runtime', 'layer', 'suite', 'outcome', 'reason'],
      numeric: [false, false, false, false, false, false],
      rows: missing.map((r) => [
        r.host,
        r.runtime,
        r.layer,
        r.suite,
        {
          text: r.outcome.status === 'passed' ? 'passed, in part' : r.outcome.status,
          tone: r.outcome.status === 'passed' || r.outcome.status === 'skipped' ? 'muted' : 'bad',
        },
        r.outcome.reason ?? '',
      ]),
    });
  } else paragraphs.push('Every suite ran in full for every runtime.');
  return { id: 'facts', title: 'Facts and not measured', paragraphs, figures: [], tables };
}
