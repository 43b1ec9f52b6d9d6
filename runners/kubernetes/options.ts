/** The kubernetes layer's command-line flags, turned into runner options (parsed here, validated once). */
import { KubeClient, chooseKubeconfig } from './client.ts';
import { listNodes, nodeArchs } from './cluster.ts';
import { createKubernetesRunner } from '../kubernetes.ts';
import type { Layer } from '../../core/schema.ts';
import type { Runner } from '../types.ts';

export interface KubernetesFlags {
  kubeconfig?: string;
  keep?: boolean;
  densityBudget?: number;
  densityMax?: number;
}

const FACTORS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, KB: 1e3, MB: 1e6, GB: 1e9 };

/** `2GiB`, `512MiB`, `1500000B`: a size in bytes; throws with the accepted forms otherwise. */
export function parseByteSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB|KB|MB|GB)$/.exec(text.trim());
  const factor = m ? FACTORS[m[2] ?? ''] : undefined;
  if (!m || factor === undefined) throw new Error(`expected a size such as 2GiB or 512MiB, got '${text}'`);
  const n = Math.round(Number(m[1]) * factor);
  if (n <= 0) throw new Error(`size must be positive, got '${text}'`);
  return n;
}

/** The registry with the kubernetes runner built from the flags (unchanged when none was given). */
export function withKubernetesFlags(flags: KubernetesFlags, runners: Partial<Record<Layer, Runner>>): Partial<Record<Layer, Runner>> {
  const given = flags.kubeconfig !== undefined || flags.keep !== undefined || flags.densityBudget !== undefined || flags.densityMax !== undefined;
  if (!given) return runners;
  return {
    ...runners,
    kubernetes: createKubernetesRunner({
      ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}),
      ...(flags.keep ? { keepRuntimeClasses: true } : {}),
      ...(flags.densityBudget !== undefined ? { densityBudgetBytes: flags.densityBudget } : {}),
      ...(flags.densityMax !== undefined ? { densityMaxPods: flags.densityMax } : {}),
    }),
  };
}

/**
 * The architectures of the cluster's Ready nodes: a run of the kubernetes layer alone
 * measures every one of them. Null when the cluster cannot be asked (the runner then
 * reports why, per runtime).
 */
export async function clusterArchs(flags: KubernetesFlags): Promise<string[] | null> {
  const choice = chooseKubeconfig(flags.kubeconfig);
  if (!choice) return null;
  try {
    const archs = nodeArchs(await listNodes(new KubeClient(choice)));
    return archs.length > 0 ? archs : null;
  } catch {
    return null;
  }
}
