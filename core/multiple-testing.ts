/**
 * Adjusting the p-values of many tests made at once. Of twenty rows compared at alpha = 0.05
 * one is expected to come out significant by chance alone; an adjusted p-value below alpha
 * keeps that chance for the whole family (Holm) or bounds the expected share of false findings
 * among the significant rows (Benjamini-Hochberg).
 */
export const CORRECTIONS = ['holm', 'bh'] as const;
export type Correction = (typeof CORRECTIONS)[number];

export const CORRECTION_NAMES: Record<Correction, string> = {
  holm: 'Holm (family-wise error rate)',
  bh: 'Benjamini-Hochberg (false discovery rate)',
};

/** Adjusted p-values in the order given; NaN (no test) stays NaN and does not count as a test. */
export function adjustPValues(ps: readonly number[], method: Correction): number[] {
  const tested = ps.map((p, i) => [p, i] as const).filter(([p]) => Number.isFinite(p));
  const order = [...tested].sort((a, b) => a[0] - b[0]);
  const k = order.length;
  const out = ps.map(() => Number.NaN);
  if (method === 'holm') {
    // step down: the i-th smallest is multiplied by k - i, never below the one before it
    let running = 0;
    order.forEach(([p, i], rank) => {
      running = Math.max(running, Math.min(1, (k - rank) * p));
      out[i] = running;
    });
  } else {
    // step up: the i-th smallest is multiplied by k / (i + 1), never above the one after it
    let running = 1;
    for (let rank = k - 1; rank >= 0; rank--) {
      const [p, i] = order[rank] as readonly [number, number];
      running = Math.min(running, Math.min(1, (k * p) / (rank + 1)));
      out[i] = running;
    }
  }
  return out;
}
