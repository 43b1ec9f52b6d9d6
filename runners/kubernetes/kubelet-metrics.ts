/**
 * The kubelet's own histograms, when the node's containerd cannot be read (a remote node, or
 * the runner option nodeEvents: false): its /metrics page through the API server's node proxy
 * (GET /api/v1/nodes/<node>/proxy/metrics), scraped before and after each timed pod, and the
 * differences added up per workload kind. Pods run one at a time, so a histogram without a
 * RuntimeClass label is still this RuntimeClass's between two scrapes (plus anything else the
 * node started meanwhile, which the facts say). Quantiles are known to a bucket; means, from
 * `_sum`, exactly.
 */
import { errorMessage } from '../../core/errors.ts';
import type { SeriesFact } from '../../core/runner.ts';
import type { WorkloadKind } from '../../core/schema.ts';
import type { KubeClient } from './client.ts';
import { bucketQuantile, histogramDelta, histogramMean, histogramSum } from './histogram.ts';
import { histograms, parsePromText, type Histogram } from './prom-text.ts';

/** The kubelet's startup operations in kubelet_runtime_operations_duration_seconds. */
export const STARTUP_OPERATIONS = ['run_podsandbox', 'create_container', 'start_container'] as const;

export interface KubeletSeriesDef {
  family: string;
  /** The series name this RuntimeClass's observations would have (when there is one), and why it may have none. */
  expected?(handler: string): string;
  whyNone?: string;
  /** Which of the family's series (label sets) are this RuntimeClass's. */
  select(labels: Record<string, string>, handler: string): boolean;
  /** What the histogram times, and how its series is tied to the RuntimeClass. */
  what: string;
}

const UNSPLIT = 'no RuntimeClass label: attributed by scraping around each pod, one pod at a time';

export const KUBELET_SERIES: readonly KubeletSeriesDef[] = [
  {
    family: 'kubelet_pod_start_sli_duration_seconds',
    select: () => true,
    expected: () => 'kubelet_pod_start_sli_duration_seconds',
    whyNone:
      'the kubelet observes it only for a pod its own watch shows Running, and a pod whose container exits at once is Succeeded by then (pkg/kubelet/util/pod_startup_latency_tracker.go:71-75 in Kubernetes v1.34.4)',
    what: `pod startup SLI as the kubelet times it: from the pod's creationTimestamp (1 s resolution: truncated, so up to 1 s too long) until it sees every container started, image pulls excluded; ${UNSPLIT}`,
  },
  {
    family: 'kubelet_runtime_operations_duration_seconds',
    select: (l) => (STARTUP_OPERATIONS as readonly string[]).includes(l.operation_type ?? ''),
    what: `the kubelet's CRI call, timed around the gRPC request (CRI, shim and OCI runtime inside); ${UNSPLIT}`,
  },
  {
    family: 'kubelet_run_podsandbox_duration_seconds',
    select: (l, handler) => l.runtime_handler === handler,
    expected: (handler) => seriesName('kubelet_run_podsandbox_duration_seconds', { runtime_handler: handler }),
    what: 'RunPodSandbox by runtime handler',
  },
];

/** `family{a="x"}` */
export function seriesName(family: string, labels: Record<string, string>): string {
  const l = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return l.length ? `${family}{${l.join(',')}}` : family;
}

/** The tracked series of one page: series name -> histogram. */
export function trackedSeries(text: string, handler: string): Map<string, Histogram> {
  const page = parsePromText(text);
  const out = new Map<string, Histogram>();
  for (const def of KUBELET_SERIES) {
    for (const h of histograms(page, def.family)) if (def.select(h.labels, handler)) out.set(seriesName(def.family, h.labels), h);
  }
  return out;
}

const fmt = (s: number) => (s === Number.POSITIVE_INFINITY ? '+Inf' : `${Number(s.toPrecision(4))}`);
const round6 = (s: number) => Math.round(s * 1e6) / 1e6;

/**
 * The facts of one accumulated series: count, exact mean, P50/P95/P99 each with the bucket it
 * lies in, and the bucket counts themselves. `sandboxOps` (the same pods' RunPodSandbox from
 * kubelet_runtime_operations_duration_seconds) unmasks a handler histogram that times nothing.
 */
export function seriesFacts(name: string, h: Histogram, source: string, sandboxOps?: Histogram): SeriesFact[] {
  // with several nodes a series is named `<node>/<series>`
  const bare = name.startsWith('kubelet_') ? name : name.slice(name.indexOf('/') + 1);
  const def = KUBELET_SERIES.find((d) => bare.startsWith(`${d.family}{`) || bare === d.family);
  const what = def?.what ?? name;
  const mean = histogramMean(h);
  const buckets = h.buckets.map((b) => `${fmt(b.le)}: ${b.count}`).join(', ');
  const base = `${what}; ${source}`;
  const none = h.count === 0 && def?.whyNone ? `none: ${def.whyNone}; ` : '';
  const out: SeriesFact[] = [{ name: `${name} count`, value: h.count, detail: `observations in the windows; ${none}cumulative buckets (le s: count) ${buckets}; ${base}` }];
  if (mean === null) return out;
  const opsMean = sandboxOps ? histogramMean(sandboxOps) : null;
  if (def?.family === 'kubelet_run_podsandbox_duration_seconds' && opsMean !== null && mean < opsMean / 100) {
    out.push({
      name: `${name} mean (s)`,
      value: round6(mean),
      detail: `not a duration of RunPodSandbox: the same pods' run_podsandbox in kubelet_runtime_operations_duration_seconds averaged ${fmt(opsMean)} s. The kubelet evaluates this observation when it defers it, before the call (pkg/kubelet/kuberuntime/instrumented_services.go:184 in Kubernetes v1.34.4), so it times nothing; ${base}`,
    });
    return out;
  }
  out.push({ name: `${name} mean (s)`, value: round6(mean), detail: `exact: the windows' _sum / _count; ${base}` });
  for (const q of [0.5, 0.95, 0.99]) {
    const e = bucketQuantile(h, q);
    if (!e) continue;
    out.push({
      name: `${name} P${Math.round(q * 100)} (s)`,
      value: round6(e.estimate),
      detail: `resolution: the bucket (${fmt(e.lower)}, ${fmt(e.upper)}] s; the value is histogram_quantile's linear interpolation inside it; ${base}`,
    });
  }
  return out;
}

/** Scrapes the kubelets of `nodes` around each timed pod and keeps the differences per workload kind. */
export class KubeletMetrics {
  private readonly totals = new Map<WorkloadKind, Map<string, Histogram>>();
  private readonly windows = new Map<WorkloadKind, { counted: number; lost: number; lastError: string | null }>();

  constructor(
    private readonly client: KubeClient,
    readonly nodes: readonly string[],
    readonly handler: string,
  ) {}

  path(node: string): string {
    return `/api/v1/nodes/${encodeURIComponent(node)}/proxy/metrics`;
  }

  /** Every node's tracked series, names prefixed by the node when there are several. */
  async scrape(): Promise<Map<string, Histogram>> {
    const out = new Map<string, Histogram>();
    const pages = await Promise.all(this.nodes.map(async (n) => ({ n, series: trackedSeries(await this.client.getText(this.path(n), 20_000), this.handler) })));
    for (const { n, series } of pages) for (const [k, h] of series) out.set(this.nodes.length > 1 ? `${n}/${k}` : k, h);
    return out;
  }

  /** Runs `fn` between two scrapes and adds what the kubelets observed meanwhile to `kind`'s totals. */
  async around<T>(kind: WorkloadKind, fn: () => Promise<T>): Promise<T> {
    const w = this.windows.get(kind) ?? { counted: 0, lost: 0, lastError: null };
    this.windows.set(kind, w);
    let before: Map<string, Histogram> | null = null;
    try {
      before = await this.scrape();
    } catch (e) {
      w.lastError = errorMessage(e);
    }
    const out = await fn();
    try {
      if (!before) throw new Error(w.lastError ?? 'no scrape before the pod');
      const after = await this.scrape();
      const totals = this.totals.get(kind) ?? new Map<string, Histogram>();
      const deltas = [...after].map(([k, h]) => [k, histogramDelta(before.get(k), h)] as const);
      for (const [k, d] of deltas) {
        const t = totals.get(k);
        totals.set(k, t ? histogramSum(t, d) : d);
      }
      this.totals.set(kind, totals);
      w.counted += 1;
    } catch (e) {
      w.lost += 1;
      w.lastError = errorMessage(e);
    }
    return out;
  }

  /** The facts of `kind`'s windows so far. */
  facts(kind: WorkloadKind): SeriesFact[] {
    const totals = this.totals.get(kind);
    const w = this.windows.get(kind);
    if (!totals || !w) return [];
    const lost = w.lost ? `; ${w.lost} more lost (${w.lastError ?? 'unknown'})` : '';
    const source = `histogram differences of GET ${this.nodes.map((n) => this.path(n)).join(', ')} before and after each of ${w.counted} timed pods${lost} (warmups and the check run outside the windows)`;
    const opsOf = (prefix: string) => totals.get(`${prefix}kubelet_runtime_operations_duration_seconds{operation_type="run_podsandbox"}`);
    const facts = [...totals].flatMap(([name, h]) => {
      const node = this.nodes.length > 1 ? `${name.split('/')[0]}/` : '';
      return seriesFacts(name, h, source, opsOf(node));
    });
    // a series the windows never saw is a figure too: none, and why when it is known
    for (const def of KUBELET_SERIES) {
      const name = def.expected?.(this.handler);
      if (!name || facts.some((f) => f.name.startsWith(name) || f.name.includes(`/${name}`))) continue;
      const why = def.whyNone ? `: ${def.whyNone}` : '';
      facts.push({ name: `${name} count`, value: 0, detail: `no observation in the windows${why}; ${def.what}; ${source}` });
    }
    return facts;
  }
}
