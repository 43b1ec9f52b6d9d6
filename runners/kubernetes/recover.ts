/**
 * What a dead run made in a cluster: its namespace `runbench-<runId>` (with every pod in it)
 * and the RuntimeClasses it created, found by the run's label. Deleting the namespace is
 * asked for, not waited on: the cluster removes the pods at its own pace.
 */
import { existsSync } from 'node:fs';
import type { LedgerEntry } from '../../core/recovery.ts';
import { apiMessage, isNotFound, KubeClient } from './client.ts';
import { RUN_LABEL } from './pods.ts';

export async function recoverKubernetes(entries: readonly LedgerEntry[], run: { runId: string }): Promise<string[]> {
  const removed: string[] = [];
  const configs = new Set(
    entries.filter((e) => e.kind === 'cluster' && e.value.runId === run.runId && e.value.kubeconfig).map((e) => e.value.kubeconfig as string),
  );
  for (const path of configs) {
    if (!existsSync(path)) {
      removed.push(`namespace runbench-${run.runId} not removed: kubeconfig ${path} is gone`);
      continue;
    }
    let client: KubeClient;
    try {
      client = new KubeClient({ path, source: 'flag' });
    } catch (e) {
      removed.push(`namespace runbench-${run.runId} not removed: ${apiMessage(e)}`);
      continue;
    }
    const name = `runbench-${run.runId}`;
    try {
      await client.core.deleteNamespace({ name, gracePeriodSeconds: 0 });
      removed.push(`namespace ${name} (its pods with it)`);
    } catch (e) {
      if (!isNotFound(e)) removed.push(`namespace ${name} not removed: ${apiMessage(e)}`);
    }
    try {
      const classes = (await client.node.listRuntimeClass({ labelSelector: `${RUN_LABEL}=${run.runId}` })).items;
      for (const rc of classes) {
        const rcName = rc.metadata?.name;
        if (!rcName) continue;
        await client.node.deleteRuntimeClass({ name: rcName });
        removed.push(`RuntimeClass ${rcName}`);
      }
    } catch (e) {
      removed.push(`RuntimeClasses of run ${run.runId} not removed: ${apiMessage(e)}`);
    }
  }
  return removed;
}
