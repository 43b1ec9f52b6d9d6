import { describe, expect, it } from 'vitest';
import { adjustPValues } from '../../core/multiple-testing.ts';

// Expected values as R's p.adjust(p, 'holm') and p.adjust(p, 'BH') give them.
describe('p-values adjusted across rows', () => {
  const ps = [0.01, 0.04, 0.03, 0.005];

  it('Holm steps down: the k-th smallest times (n - k + 1), never below the one before', () => {
    const out = adjustPValues(ps, 'holm');
    [0.03, 0.06, 0.06, 0.02].forEach((want, i) => expect(out[i]).toBeCloseTo(want, 12));
  });

  it('Benjamini-Hochberg steps up: the k-th smallest times n / k, never above the one after', () => {
    const out = adjustPValues(ps, 'bh');
    [0.02, 0.04, 0.04, 0.02].forEach((want, i) => expect(out[i]).toBeCloseTo(want, 12));
  });

  it('caps at 1, leaves a lone test alone, and does not count rows without a test', () => {
    expect(adjustPValues([0.5, 0.9], 'holm')).toEqual([1, 1]);
    expect(adjustPValues([0.02], 'holm')).toEqual([0.02]);
    expect(adjustPValues([0.02], 'bh')).toEqual([0.02]);
    const out = adjustPValues([0.02, Number.NaN], 'holm');
    expect(out[0]).toBe(0.02);
    expect(out[1]).toBeNaN();
  });
});
