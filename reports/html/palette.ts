/**
 * The colours of the HTML report. A configuration is drawn in the colour of its kind: native,
 * or the way it runs Wasm, the same on every chart and in every legend; tones colour verdicts
 * and outcomes. Chosen to stay apart for the common forms of colour blindness (Okabe–Ito).
 */
import type { Style } from '../configurations.ts';
import type { LegendEntry, Tone } from './types.ts';

export const STYLE_COLORS: Readonly<Record<Style, string>> = {
  native: '#0072b2',
  'oci-handler': '#e69f00',
  'in-image': '#009e73',
  'containerd-shim': '#cc79a7',
  wasm: '#8c564b',
};

export const STYLE_TITLES: Readonly<Record<Style, string>> = {
  native: 'native',
  'oci-handler': 'Wasm, OCI runtime handler',
  'in-image': 'Wasm, in-image',
  'containerd-shim': 'Wasm, containerd shim',
  wasm: 'Wasm',
};

export const STYLE_ORDER: readonly Style[] = ['native', 'in-image', 'oci-handler', 'containerd-shim', 'wasm'];

/** The colour of a configuration that has no figure: its series errored. */
export const ERRORED_COLOR = '#999999';

export const TONE_COLORS: Readonly<Record<Tone, string>> = { good: '#1a7f37', bad: '#c62828', warn: '#b35900', muted: '#8a8a8a' };

/** The legend of a chart of configurations: one entry per kind present, in the one order, and "errored" when a row has no figure. */
export function styleLegend(styles: readonly Style[], errored = false): LegendEntry[] {
  const present = STYLE_ORDER.filter((s) => styles.includes(s)).map((s) => ({ label: STYLE_TITLES[s], color: STYLE_COLORS[s] }));
  return errored ? [...present, { label: 'errored: no figure', color: ERRORED_COLOR }] : present;
}
