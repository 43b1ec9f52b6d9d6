/**
 * The `kubernetes` layer: each runtime reached through a RuntimeClass naming its CRI
 * handler, on any cluster a kubeconfig names.
 */
import { parseSize } from '../../core/config/units.ts';
import { RuntimeFailure, errorMessage } from '../../core/errors.ts';
import type { Runner, RunnerContext } from '../../core/runner.ts';
import type { Layer, RuntimeInfo } from '../../core/schema.ts';
import { chooseKubeconfig, KubeClient } from './client.ts';
import { listNodes, nodeArchs } from './cluster.ts';
import type { KubernetesRunnerOptions } from './options.ts';
import { KubernetesSession } from './session.ts';
import { recoverKubernetes } from './recover.ts';
import { KubernetesTarget } from './target.ts';

export { handlerFor, wasmPodAnnotations } from './handler.ts';
export { DEFAULT_DENSITY, DEFAULT_IMAGES, type KubernetesRunnerOptions } from './options.ts';
export { KubernetesSession } from './session.ts';

export function createKubernetesRunner(opts: KubernetesRunnerOptions = {}): Runner {
  const choice = chooseKubeconfig(opts.kubeconfig);
  return {
    layer: 'kubernetes',
    recover: recoverKubernetes,
    description: choice
      ? `the cluster of ${choice.path} (${choice.source}): pods with one RuntimeClass per CRI handler`
      : 'a Kubernetes cluster (none configured: --kubeconfig, $KUBECONFIG or scripts/cluster.sh up)',
    unavailable() {
      if (!choice) return 'no cluster: give --kubeconfig, set KUBECONFIG, or start the local one with scripts/cluster.sh up';
      return null;
    },
    async open(runtime: RuntimeInfo, ctx: RunnerContext) {
      if (!choice) throw new RuntimeFailure(runtime.name, 'no kubeconfig');
      let client: KubeClient;
      try {
        client = new KubeClient(choice);
      } catch (e) {
        throw new RuntimeFailure(runtime.name, `kubeconfig ${choice.path}: ${errorMessage(e)}`);
      }
      const s = new KubernetesSession(runtime, ctx, client, opts);
      s.capabilities.conformance = { target: (scratch) => new KubernetesTarget(s, scratch) };
      try {
        await s.open();
      } catch (e) {
        await s.close();
        throw e;
      }
      return s;
    },
  };
}

export const kubernetesRunner = createKubernetesRunner();

// ----- the layer's command-line flags, turned into runner options (parsed here, validated once) -----

export interface KubernetesFlags {
  kubeconfig?: string;
  keep?: boolean;
  /** commander's --no-node-events: false when given. */
  nodeEvents?: boolean;
}

/** `2GiB`, `512MiB`, `1500000B` (the config file's sizes): a positive size in bytes; throws with the accepted forms otherwise. */
export function parseByteSize(text: string): number {
  const bytes = parseSize(text.trim());
  if (Number.isNaN(bytes)) throw new Error(`expected a size such as 2GiB or 512MiB, got '${text}'`);
  const n = Math.round(bytes);
  if (n <= 0) throw new Error(`size must be positive, got '${text}'`);
  return n;
}

/** The registry with the kubernetes runner built from the flags (unchanged when none was given). */
export function withKubernetesFlags(flags: KubernetesFlags, runners: Partial<Record<Layer, Runner>>): Partial<Record<Layer, Runner>> {
  const given = flags.kubeconfig !== undefined || flags.keep !== undefined || flags.nodeEvents === false;
  if (!given) return runners;
  return {
    ...runners,
    kubernetes: createKubernetesRunner({
      ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}),
      ...(flags.keep ? { keepRuntimeClasses: true } : {}),
      ...(flags.nodeEvents === false ? { nodeEvents: false } : {}),
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
