/** Emulated: figures measured under qemu-user, apart from every figure from real hardware. */
import { rankingNote } from '../../../core/ranking.ts';
import { EMULATED_NOTE } from '../../groups.ts';
import { groupFigure } from '../figures.ts';
import type { Section, SectionContext } from '../types.ts';

export function buildEmulated({ groups, figures }: SectionContext): Section | null {
  const gs = groups.filter((g) => g.emulated);
  if (gs.length === 0) return null;
  return {
    id: 'emulated',
    title: 'Emulated',
    paragraphs: [EMULATED_NOTE, rankingNote()],
    figures: gs.map((g) => groupFigure(g, 'emulated', figures)),
    tables: [],
  };
}
