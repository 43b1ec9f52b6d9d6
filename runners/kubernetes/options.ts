/** What the kubernetes runner is built with, and its defaults. */
import type { WorkloadKind } from '../../core/schema.ts';

export interface KubernetesRunnerOptions {
  /** A kubeconfig path; default $KUBECONFIG, then the local cluster's. */
  kubeconfig?: string;
  /** Leave the RuntimeClasses runbench created in the cluster. */
  keepRuntimeClasses?: boolean;
  /** Image names on the nodes, by workload kind ({arch} is replaced). */
  images?: Partial<Record<WorkloadKind, string>>;
  /** Density suite: stop adding idle pods at this much pod working set, or at this many pods. */
  densityBudgetBytes?: number;
  densityMaxPods?: number;
  /** Read the node containerd's events when the node is this machine (default true); false keeps the watch's phases alone. */
  nodeEvents?: boolean;
}

export const DEFAULT_DENSITY = { budgetBytes: 2 * 1024 ** 3, maxPods: 50 } as const;

export const DEFAULT_IMAGES: Record<WorkloadKind, string> = {
  native: 'docker.io/runbench/native:latest',
  // the wasm image re-labelled linux/<arch> (cluster/images.sh): containerd 1.6's CRI only sees images of its platform
  wasm: 'docker.io/runbench/wasm:k8s-{arch}',
};
