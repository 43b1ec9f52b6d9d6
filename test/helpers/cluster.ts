/** Whether a cluster with a Ready node on this machine answers, for tests of the kubernetes layer. */
import { existsSync, readFileSync } from 'node:fs';
import { hostFacts } from '../../core/host.ts';
import type { RuntimeInfo } from '../../core/schema.ts';
import { runtimeInfo } from './runtime.ts';
import { chooseKubeconfig, KubeClient } from '../../runners/kubernetes/client.ts';
import { listNodes } from '../../runners/kubernetes/cluster.ts';

/**
 * Why no cluster with a Ready node of this machine's arch can be used, or null. With
 * `local`, the node must be this machine (a pod's spec and logs are read from the node).
 */
export async function clusterWhy(o: { local: boolean }): Promise<string | null> {
  const choice = chooseKubeconfig();
  if (!choice) return 'no cluster: start one with scripts/cluster.sh up (or set KUBECONFIG)';
  const arch = hostFacts().arch;
  try {
    const nodes = await Promise.race([
      listNodes(new KubeClient(choice)),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer in 5 s')), 5000)),
    ]);
    if (o.local) return nodes.some((n) => n.ready && n.local && n.arch === arch) ? null : `no Ready node of this machine in the cluster of ${choice.path}`;
    return nodes.some((n) => n.ready && n.arch === arch) ? null : `no Ready ${arch} node in the cluster of ${choice.path}`;
  } catch (e) {
    return `the cluster of ${choice.path} does not answer (${e instanceof Error ? e.message : String(e)}): scripts/cluster.sh up`;
  }
}

/** Why no cluster with a Ready node on this machine can be used, or null. */
export const localClusterWhy = () => clusterWhy({ local: true });

/** The CRI handlers of the local cluster, name -> binary (written by scripts/cluster.sh up). */
export function localHandlers(): Map<string, string> {
  const file = '/run/runbench-cluster/handlers';
  if (!existsSync(file)) return new Map();
  return new Map(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t'))
      .map((f) => [f[0] ?? '', f[2] ?? ''] as [string, string]),
  );
}

/** A runtime given as a RuntimeClass handler name only, as a config file can name one. */
export function runtimeClass(name: string): RuntimeInfo {
  return runtimeInfo({ name, kind: 'runtime-class' });
}
