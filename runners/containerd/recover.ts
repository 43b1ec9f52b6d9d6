/**
 * What a dead run made through containerd outside its scratch directory: the sockets its
 * shims left in containerd's fixed directory, and its namespace in a containerd that was
 * not its own (runbench's own containerd dies with the run's processes and directory).
 */
import { existsSync, rmSync } from 'node:fs';
import { errorMessage } from '../../core/errors.ts';
import type { LedgerEntry } from '../../core/recovery.ts';
import { ContainerdClient } from './api.ts';
import { deleteNamespace, namespaceIds, removeContainer } from './cleanup.ts';
import { SHIM_SOCKET_DIR } from './daemon.ts';
import { RUNWASI_STATE_ROOT } from './shim.ts';

export async function recoverContainerd(entries: readonly LedgerEntry[]): Promise<string[]> {
  const removed: string[] = [];
  let sockets = 0;
  for (const e of entries) {
    const path = e.value.path;
    // only a socket in containerd's own directory, whatever the ledger says
    if (e.kind !== 'socket' || !path || !path.startsWith(`${SHIM_SOCKET_DIR}/`) || path.includes('..')) continue;
    if (existsSync(path)) {
      rmSync(path, { force: true });
      sockets++;
    }
  }
  if (sockets > 0) removed.push(`${sockets} shim socket${sockets > 1 ? 's' : ''}`);
  // runwasi's state directory of the run's namespace, and nothing else under containerd's root
  const stateDir = new RegExp(`^${RUNWASI_STATE_ROOT}/[A-Za-z0-9_.-]+/runbench-[A-Za-z0-9_.-]+$`);
  for (const e of entries) {
    const path = e.value.path;
    if (e.kind !== 'shim-state' || !path || !stateDir.test(path) || path.includes('..') || !existsSync(path)) continue;
    rmSync(path, { recursive: true, force: true });
    removed.push(`runwasi state ${path}`);
  }
  for (const e of entries) {
    const { address, namespace, snapshotter } = e.value;
    if (e.kind !== 'namespace' || !address || !namespace || !/^runbench-/.test(namespace)) continue;
    if (!existsSync(address)) {
      removed.push(`containerd namespace ${namespace} not removed: no containerd at ${address}`);
      continue;
    }
    const client = new ContainerdClient(address, namespace);
    try {
      const ids = await namespaceIds(client, []);
      for (const id of ids) await removeContainer(client, snapshotter ?? 'overlayfs', id);
      await deleteNamespace(client, namespace, snapshotter ?? 'overlayfs');
      removed.push(`containerd namespace ${namespace} at ${address} (${ids.size} container${ids.size === 1 ? '' : 's'})`);
    } catch (err) {
      removed.push(`containerd namespace ${namespace} at ${address} not removed: ${errorMessage(err)}`);
    } finally {
      client.close();
    }
  }
  return removed;
}
