/** Facts: the yes/no observations a run recorded beside its figures (what did not run is in the problems section). */
import type { Section, SectionContext } from '../types.ts';

export function buildFacts({ docs, figures }: SectionContext): Section | null {
  if (docs.length === 0) return null;
  const facts = docs.flatMap((d) => d.facts);
  if (facts.length === 0) return { id: 'facts', title: 'Facts', paragraphs: ['No facts recorded.'], figures: [], tables: [] };
  const multiHost = new Set(docs.map((d) => d.host.hostname)).size > 1;
  return {
    id: 'facts',
    title: 'Facts',
    paragraphs: [],
    figures: [],
    tables: [
      {
        caption: 'What each configuration was observed to do',
        columns: ['configuration', 'layer', 'suite', 'fact', 'value', 'detail'],
        numeric: [false, false, false, false, false, false],
        rows: facts.map((f) => {
          const c = figures.configurationOf(f);
          return [`${c.label}${multiHost ? ` @${f.labels.host}` : ''}`, f.labels.layer, f.suite, f.name, String(f.value), f.detail];
        }),
      },
    ],
  };
}
