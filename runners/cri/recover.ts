/**
 * What a cri-layer run killed without its cleanup leaves outside its scratch directory: the
 * sockets its containerd's shims put in containerd's fixed directory, one per container the
 * CRI's state still lists. Everything else (the daemon, the shims and the pods, by their cgroups
 * under /runbench-<runId>; the namespaces and the pods' mounts, under the scratch directory)
 * the generic sweep removes after this.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { LedgerEntry } from '../../core/recovery.ts';
import { SHIM_SOCKET_DIR, shimSocketPath } from '../containerd/daemon.ts';
import { CRI_NAMESPACE } from './endpoint.ts';

export async function recoverCri(entries: readonly LedgerEntry[], run: { dir: string }): Promise<string[]> {
  let sockets = 0;
  for (const e of entries) {
    const { address, state } = e.value;
    // only a daemon of this run's own, whatever the ledger says
    if (e.kind !== 'daemon' || !address || !state || !state.startsWith(`${run.dir}/`) || state.includes('..')) continue;
    let ids: string[] = [];
    try {
      ids = readdirSync(join(state, 'io.containerd.runtime.v2.task', CRI_NAMESPACE));
    } catch {
      continue;
    }
    for (const id of ids) {
      const socket = shimSocketPath(address, CRI_NAMESPACE, id);
      if (socket.startsWith(`${SHIM_SOCKET_DIR}/`) && existsSync(socket)) {
        rmSync(socket, { force: true });
        sockets++;
      }
    }
  }
  return sockets > 0 ? [`${sockets} CRI shim socket${sockets > 1 ? 's' : ''}`] : [];
}
