/**
 * Removing what a runtime left at the oci layer: the state entries it keeps under the
 * session's --root, and the forced kill and delete of a container it did not remove.
 */
import { readdirSync } from 'node:fs';
import { execa } from 'execa';

const CLEANUP_TIMEOUT_MS = 15_000;

/** True when the runtime still has state for this id under `stateRoot` (run/delete normally remove it). */
export function hasStateEntry(stateRoot: string, id: string): boolean {
  try {
    // exact id, or the id with a suffix (runsc's <id>_sandbox:<id>.state), never id-1 matching id-10
    return readdirSync(stateRoot).some((e) => e.startsWith(id) && !/^[0-9]/.test(e.slice(id.length)));
  } catch {
    return false;
  }
}

/** The ids of this run's containers the runtime still has state for. */
export function leftoverIds(stateRoot: string, runId: string): string[] {
  let leftovers: string[] = [];
  try {
    leftovers = readdirSync(stateRoot).filter((e) => e.startsWith(`rb-${runId}-`));
  } catch {
    leftovers = [];
  }
  return leftovers.map((e) => e.replace(/\.(state|json)$/, ''));
}

/** `kill KILL`, then `delete --force`; failures are ignored (the cgroup sweep comes after). */
export async function killAndDelete(argv: (...args: string[]) => string[], id: string): Promise<void> {
  const [kill, ...killArgs] = argv('kill', id, 'KILL');
  await execa(kill as string, killArgs, { reject: false, timeout: CLEANUP_TIMEOUT_MS });
  const [del, ...delArgs] = argv('delete', '--force', id);
  await execa(del as string, delArgs, { reject: false, timeout: CLEANUP_TIMEOUT_MS });
}
