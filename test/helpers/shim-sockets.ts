/**
 * containerd's shim sockets, for a test's "nothing left" assertion on a shared host: other runs'
 * live shims create sockets too, so a socket is this run's leftover only when nothing listens on it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHIM_SOCKET_DIR } from '../../runners/containerd/daemon.ts';

export function shimSockets(): string[] {
  return existsSync(SHIM_SOCKET_DIR) ? readdirSync(SHIM_SOCKET_DIR) : [];
}

/** Unix socket paths something listens on (/proc/net/unix). */
function listeningSockets(): Set<string> {
  const lines = readFileSync('/proc/net/unix', 'utf8').split('\n').slice(1);
  return new Set(lines.map((l) => l.trim().split(/\s+/)[7]).filter((p): p is string => p !== undefined));
}

/** Shim sockets that appeared since `before` and that no live process listens on. */
export function deadShimSocketsSince(before: readonly string[] | ReadonlySet<string>): string[] {
  const had = new Set(before);
  const live = listeningSockets();
  return shimSockets().filter((s) => !had.has(s) && !live.has(join(SHIM_SOCKET_DIR, s)));
}
