/**
 * A runtime configuration: one runtime, at one layer and arch, running one kind of workload
 * (native, or Wasm in the way its configuration says). The one order every report lists
 * configurations in is defined here, so a runtime sits in the same place in the summary, in
 * every table and on every chart: by layer (oci, containerd, kubernetes), then real hardware
 * before emulation and by arch, native before Wasm, the ways of running Wasm in the order of
 * core/wasm-ways.ts, then by runtime name, then by host.
 */
import type { Labels, Layer, ResultsDocument, WorkloadKind } from '../core/schema.ts';
import { WASM_WAYS, type WasmWay, wasmWay } from '../core/wasm-ways.ts';

export const LAYER_ORDER: readonly Layer[] = ['oci', 'containerd', 'kubernetes'];

/** A way of running Wasm in a few words, for labels and legends. */
export const WASM_WAY_SHORT: Readonly<Record<WasmWay, string>> = {
  'in-image': 'in-image',
  'oci-handler': 'OCI handler',
  'containerd-shim': 'containerd shim',
};

/** The kind a configuration is drawn and grouped as: native, or one way of running Wasm. */
export type Style = 'native' | WasmWay | 'wasm';

export interface Configuration {
  /** Identifies the configuration across a report: host, layer, arch, kind and runtime. */
  key: string;
  host: string;
  layer: Layer;
  arch: string;
  emulated: boolean;
  runtime: string;
  /** null for a runtime that has no figure of either kind (every series errored). */
  workloadKind: WorkloadKind | null;
  /** How a Wasm row runs its module; null for native rows, and for Wasm rows of a runtime the document does not describe. */
  way: WasmWay | null;
  style: Style;
  /** "crun (native)", "crun-wasmedge (Wasm, OCI handler)": the runtime and how it runs the workload. */
  label: string;
}

export function configurationKey(c: Pick<Configuration, 'host' | 'layer' | 'arch' | 'emulated' | 'runtime' | 'workloadKind'>): string {
  return [c.host, c.layer, c.arch, c.emulated ? 'emulated' : 'hw', c.workloadKind ?? 'none', c.runtime].join('\u0000');
}

export function styleOf(kind: WorkloadKind | null, way: WasmWay | null): Style {
  if (kind !== 'wasm') return 'native';
  return way ?? 'wasm';
}

export function kindLabel(kind: WorkloadKind | null, way: WasmWay | null): string {
  if (kind === null) return 'no figures';
  if (kind === 'native') return 'native';
  return way ? `Wasm, ${WASM_WAY_SHORT[way]}` : 'Wasm';
}

/** The configuration of a measurement's (or fact's) labels, in the document that holds it. */
export function configurationOf(
  doc: ResultsDocument,
  labels: Pick<Labels, 'host' | 'layer' | 'arch' | 'emulated' | 'runtime'> & { workloadKind: WorkloadKind | null },
): Configuration {
  const info = doc.runtimes.find((r) => r.name === labels.runtime);
  const way = labels.workloadKind === 'wasm' && info ? wasmWay(info) : null;
  const c = {
    host: labels.host,
    layer: labels.layer,
    arch: labels.arch,
    emulated: labels.emulated,
    runtime: labels.runtime,
    workloadKind: labels.workloadKind,
    way,
    style: styleOf(labels.workloadKind, way),
    label: `${labels.runtime} (${kindLabel(labels.workloadKind, way)})`,
  };
  return { key: configurationKey(c), ...c };
}

function styleRank(s: Style): number {
  if (s === 'native') return 0;
  if (s === 'wasm') return WASM_WAYS.length + 1;
  return 1 + WASM_WAYS.indexOf(s);
}

function layerRank(l: Layer): number {
  const i = LAYER_ORDER.indexOf(l);
  return i < 0 ? LAYER_ORDER.length : i;
}

/** The report's one order of configurations. */
export function compareConfigurations(a: Configuration, b: Configuration): number {
  return (
    layerRank(a.layer) - layerRank(b.layer) ||
    Number(a.emulated) - Number(b.emulated) ||
    a.arch.localeCompare(b.arch) ||
    styleRank(a.style) - styleRank(b.style) ||
    a.runtime.localeCompare(b.runtime) ||
    a.host.localeCompare(b.host)
  );
}

/** Configurations that can be ranked against each other: the same layer and arch, on real hardware or all emulated. */
export function blockKey(c: Pick<Configuration, 'layer' | 'arch' | 'emulated'>): string {
  return [c.layer, c.arch, c.emulated ? 'emulated' : 'hw'].join('\u0000');
}

export function blockTitle(c: Pick<Configuration, 'layer' | 'arch' | 'emulated'>): string {
  return `${c.layer} layer · ${c.arch}${c.emulated ? ' (emulated)' : ''}`;
}
