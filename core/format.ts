/** Value formatting shared by the core (threshold messages), the reports and the terminal views. */
import type { Labels, Unit } from './schema.ts';

export function formatValue(value: number, unit: Unit): string {
  if (!Number.isFinite(value)) return 'n/a';
  switch (unit) {
    case 'ns':
      if (value >= 1e9) return `${(value / 1e9).toFixed(2)} s`;
      if (value >= 1e6) return `${(value / 1e6).toFixed(2)} ms`;
      return `${(value / 1e3).toFixed(1)} µs`;
    case 'bytes':
      if (value >= 1024 * 1024) return `${(value / (1024 * 1024)).toFixed(1)} MiB`;
      return `${(value / 1024).toFixed(0)} KiB`;
    case 'ops/s':
    case 'containers/s': {
      const suffix = unit === 'containers/s' ? ' /s' : '/s';
      if (value >= 1e9) return `${(value / 1e9).toFixed(2)} G${suffix}`;
      if (value >= 1e6) return `${(value / 1e6).toFixed(2)} M${suffix}`;
      if (value >= 1e3) return `${(value / 1e3).toFixed(2)} k${suffix}`;
      return `${value.toFixed(2)}${suffix}`;
    }
    case 'containers/GiB':
      return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} /GiB`;
    case 'ratio':
      return `${value.toFixed(3)}×`;
    default:
      return String(value);
  }
}

/** A coverage probability as a percentage, to one decimal where it has one: 93.8%, 75%. */
export function formatCoverage(p: number): string {
  return `${Number((p * 100).toFixed(1))}%`;
}

/**
 * An interval in the metric's unit, in brackets if asked. Its coverage is shown only when it
 * falls short of the level it aims at (a median interval from 5 samples or fewer): 95% stays implied.
 */
export function formatInterval(lower: number, upper: number, unit: Unit, coverage?: number, brackets = false, level = 0.95): string {
  const text = `${formatValue(lower, unit)} … ${formatValue(upper, unit)}`;
  const short = coverage !== undefined && coverage < level ? ` (${formatCoverage(coverage)} CI)` : '';
  return `${brackets ? `[${text}]` : text}${short}`;
}

/** Lower is better for times and sizes; higher for rates and ratios. */
export function lowerIsBetter(unit: Unit): boolean {
  return unit === 'ns' || unit === 'bytes';
}

export function pad(s: string, n: number, right = false): string {
  const len = [...s].length;
  if (len >= n) return s;
  return right ? ' '.repeat(n - len) + s : s + ' '.repeat(n - len);
}

/**
 * Rows (the header first) as aligned terminal lines: each column as wide as its widest cell, the
 * `right` ones right-aligned, two spaces between columns, trailing blanks trimmed.
 */
export function alignRows(rows: readonly (readonly string[])[], right: readonly (boolean | undefined)[], indent = ''): string[] {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  return rows.map((r) => `${indent}${r.map((s, i) => pad(s, widths[i] ?? 0, right[i] ?? false)).join('  ')}`.trimEnd());
}

/**
 * The layer as reports name it: the layer itself, and at the cri layer the CRI that served the
 * row (`cri containerd 1.7.24`), so two CRIs' rows never share a column or a group.
 */
export function layerName(labels: Pick<Labels, 'layer' | 'cri'>): string {
  return labels.cri ? `${labels.layer} ${labels.cri}` : labels.layer;
}
