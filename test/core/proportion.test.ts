import { describe, expect, it } from 'vitest';
import { clopperPearson, fisherExact, rateDifferenceInterval, wilson } from '../../core/proportion.ts';

// Expected values: R's binom.test for Clopper-Pearson, sums of exact hypergeometric
// probabilities (as R's fisher.test takes them) for Fisher, Newcombe (1998) Table II for his
// method 10.
describe('statistics of counts', () => {
  it('the Clopper-Pearson interval is exact, reaches 0 and 1 at the ends, and is null without trials', () => {
    const ci = clopperPearson(3, 20);
    expect(ci?.[0]).toBeCloseTo(0.0320709, 6);
    expect(ci?.[1]).toBeCloseTo(0.3789268, 6);
    // no failure in 30: the upper bound is 1 - 0.025^(1/30)
    expect(clopperPearson(0, 30)).toEqual([0, expect.closeTo(1 - 0.025 ** (1 / 30), 9)]);
    expect(clopperPearson(30, 30)).toEqual([expect.closeTo(0.025 ** (1 / 30), 9), 1]);
    expect(clopperPearson(0, 0)).toBeNull();
    expect(() => clopperPearson(3, 2)).toThrow(RangeError);
  });

  it('stays finite for thousands of attempts', () => {
    const ci = clopperPearson(30, 5000);
    expect(ci?.[0]).toBeGreaterThan(0.004);
    expect(ci?.[1]).toBeLessThan(0.009);
  });

  it("Fisher's exact test sums the tables at most as likely as the one seen", () => {
    expect(fisherExact(3, 20, 0, 20)).toBeCloseTo(0.2307692, 6);
    expect(fisherExact(10, 100, 2, 100)).toBeCloseTo(0.0330401, 6);
    expect(fisherExact(0, 50, 5, 50)).toBeCloseTo(0.0562845, 6);
    expect(fisherExact(0, 10, 0, 10)).toBe(1);
    expect(fisherExact(0, 0, 3, 10)).toBe(1);
  });

  it("Newcombe's interval of a difference of rates behaves at 0 and 1", () => {
    const d = rateDifferenceInterval(48, 80, 56, 70);
    expect(d?.[0]).toBeCloseTo(0.0524, 4);
    expect(d?.[1]).toBeCloseTo(0.3339, 4);
    const zero = rateDifferenceInterval(0, 10, 0, 10);
    expect(zero?.[0]).toBeCloseTo(-0.2775, 4);
    expect(zero?.[1]).toBeCloseTo(0.2775, 4);
    const all = rateDifferenceInterval(0, 10, 10, 10);
    expect(all?.[0]).toBeCloseTo(0.6075, 4);
    expect(all?.[1]).toBe(1);
    expect(wilson(0, 0)).toBeNull();
  });
});
