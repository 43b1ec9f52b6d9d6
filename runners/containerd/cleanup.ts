/**
 * Removing what a containerd session made, whatever state it was left in: one container
 * (task, container, snapshot), and at the end the whole namespace with what it holds.
 */
import { isNotFound, type ContainerdClient } from './api.ts';

export const CLEANUP_DEADLINE_MS = 15_000;

/** Removes one container: its task killed and deleted, the container, its snapshot; not-found is success. */
export async function removeContainer(client: ContainerdClient, snapshotter: string, id: string): Promise<void> {
  const quiet = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      if (!isNotFound(e)) return e;
    }
    return null;
  };
  await quiet(client.killTask(id, 9, true));
  // a killed task needs a moment to be reaped before it can be deleted
  for (let i = 0; i < 50; i++) {
    const e = await quiet(client.deleteTask(id, CLEANUP_DEADLINE_MS));
    if (!e) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await quiet(client.deleteContainer(id));
  await quiet(client.removeSnapshot(snapshotter, id));
}

/** `known` and every task and container the namespace still lists (none when the daemon cannot answer). */
export async function namespaceIds(client: ContainerdClient, known: Iterable<string>): Promise<Set<string>> {
  const ids = new Set(known);
  try {
    for (const t of await client.listTasks()) ids.add(t.id);
    for (const c of await client.listContainers()) ids.add(c.id);
  } catch {
    /* daemon gone: the sweep after the session handles its leftovers */
  }
  return ids;
}

/** Once its containers are gone: the namespace's active snapshots, leases and images, then the namespace. */
export async function deleteNamespace(client: ContainerdClient, namespace: string, snapshotter: string): Promise<void> {
  for (const s of await client.listSnapshots(snapshotter)) {
    if (s.kind !== 'COMMITTED') await client.removeSnapshot(snapshotter, s.name).catch(() => undefined);
  }
  for (const l of await client.listLeases()) await client.deleteLease(l.id).catch(() => undefined);
  for (const i of await client.listImages()) await client.deleteImage(i.name, true).catch(() => undefined);
  await client.deleteNamespace(namespace);
}
