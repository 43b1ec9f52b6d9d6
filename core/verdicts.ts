/** The words of a comparison: which way is worse for a unit, the verdicts, how a p-value reads. */
import type { Unit } from './schema.ts';

/** Which way is worse: up for times and sizes, down for rates and ratios, none for counts. */
export function badDirection(unit: Unit): 'up' | 'down' | 'none' {
  switch (unit) {
    case 'ns':
    case 'bytes':
      return 'up';
    case 'ops/s':
    case 'containers/s':
    case 'containers/GiB':
    case 'ratio':
      return 'down';
    default:
      return 'none';
  }
}

export type Direction = ReturnType<typeof badDirection>;

export type Verdict = 'regressed' | 'improved' | 'no-change' | 'inconclusive' | 'changed';

/** The order rows are listed in: what needs attention first. */
export const VERDICT_ORDER: Record<Verdict, number> = { regressed: 0, improved: 1, changed: 2, inconclusive: 3, 'no-change': 4 };

export const VERDICT_TEXT: Record<Verdict, string> = {
  regressed: 'regressed',
  improved: 'improved',
  changed: 'changed',
  inconclusive: 'inconclusive',
  'no-change': 'no change',
};

export function formatP(p: number): string {
  if (!Number.isFinite(p)) return 'n/a';
  if (p < 0.0001) return p.toExponential(1);
  return p.toFixed(4);
}
