/**
 * What a cri-layer run killed without its cleanup leaves outside its scratch directory: the
 * sockets its containerd's shims put in containerd's fixed directory, one per container the
 * CRI's state still lists, and the cgroups of runtimes that read the CRI's `slice:prefix:id`
 * path from the root of each hierarchy (crun, youki, runsc; runc nests it under containerd's
 * own cgroup). Everything else (the daemon, the shims, runc's pods, by their cgroups under
 * /runbench-<runId>; the namespaces and the pods' mounts, under the scratch directory) the
 * generic sweep removes after this.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { sweepCgroups } from '../../core/cgroups.ts';
import type { LedgerEntry } from '../../core/recovery.ts';
import { SHIM_SOCKET_DIR, shimSocketPath } from '../containerd/daemon.ts';
import { CRI_NAMESPACE } from './endpoint.ts';

export async function recoverCri(entries: readonly LedgerEntry[], run: { dir: string }): Promise<string[]> {
  let sockets = 0;
  let cgroups = 0;
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
      if (/^[0-9a-f]{64}$/.test(id)) cgroups += (await sweepCgroups(`test.slice:cri-containerd:${id}`)).removed;
      const socket = shimSocketPath(address, CRI_NAMESPACE, id);
      if (socket.startsWith(`${SHIM_SOCKET_DIR}/`) && existsSync(socket)) {
        rmSync(socket, { force: true });
        sockets++;
      }
    }
  }
  const out: string[] = [];
  if (sockets > 0) out.push(`${sockets} CRI shim socket${sockets > 1 ? 's' : ''}`);
  if (cgroups > 0) out.push(`${cgroups} pod cgroup director${cgroups > 1 ? 'ies' : 'y'}`);
  return out;
}
