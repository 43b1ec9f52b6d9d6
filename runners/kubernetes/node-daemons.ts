/**
 * The node's own daemons, when the node is this machine: the kubelet, the containerd serving
 * the CRI, and the shims of that containerd with everything below them. A pod's working set
 * (the summary API) leaves them all out, yet each pod makes the kubelet and containerd grow
 * and brings a shim: their PSS, read beside a density curve, shows what a pod costs the node.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { otherProcesses } from '../../core/processes.ts';
import { processName, pssOf, settledDescendants } from '../../core/procfs.ts';

export interface NodeDaemons {
  /** The machine's one kubelet; null when there is none or more than one. */
  kubelet: number | null;
  /** The containerd listening on the CRI socket; null when no process named containerd holds it. */
  containerd: number | null;
  socket: string;
}

/** The inodes of the unix sockets bound at `path` (/proc/net/unix: Num RefCount Protocol Flags Type St Inode Path). */
function socketInodes(path: string, table: string = readFileSync('/proc/net/unix', 'utf8')): Set<string> {
  const out = new Set<string>();
  for (const line of table.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[7] === path && f[6]) out.add(f[6]);
  }
  return out;
}

/** The process named `name` that holds a socket bound at `path`, or null. */
export function socketServer(path: string, name: string): number | null {
  let inodes: Set<string>;
  try {
    inodes = socketInodes(path);
  } catch {
    return null;
  }
  if (inodes.size === 0) return null;
  for (const p of otherProcesses()) {
    if (processName(p.pid) !== name) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${p.pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${p.pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m?.[1] && inodes.has(m[1])) return p.pid;
    }
  }
  return null;
}

/** The kubelet of this machine and the containerd serving `socket`. */
export function nodeDaemons(socket: string): NodeDaemons {
  const kubelets = otherProcesses().filter((p) => processName(p.pid) === 'kubelet');
  return { kubelet: kubelets.length === 1 ? (kubelets[0]?.pid ?? null) : null, containerd: socketServer(socket, 'containerd'), socket };
}

/**
 * PSS by process name of the kubelet, the containerd and its shims (found by the address
 * they serve: shims are daemons, reparented away) and every process below them: the
 * kubelet, containerd, containerd-shim-runc-v2, pause, the containers' own processes.
 */
export async function nodeDaemonsPss(d: NodeDaemons): Promise<Record<string, number>> {
  const shims = nodeShims(d);
  const roots = [...(d.kubelet === null ? [] : [d.kubelet]), ...(d.containerd === null ? [] : [d.containerd]), ...shims];
  const pss = pssOf(await settledDescendants(roots));
  return Object.fromEntries(Object.entries(pss.byName).map(([k, v]) => [k, v.bytes]));
}

/** The shims of the node's containerd: they name the address they serve. */
export function nodeShims(d: NodeDaemons): number[] {
  return otherProcesses()
    .filter((p) => p.cmdline.includes('containerd-shim') && p.cmdline.includes(`-address ${d.socket}`))
    .map((p) => p.pid);
}

/**
 * Waits until the node's containerd has no more shims than `before`: the API server forgets a
 * pod before the node has torn its sandbox down, and a fill that followed at once would take
 * the shims still exiting as its own baseline. What still runs at the deadline is returned.
 */
export async function shimsDrained(d: NodeDaemons, before: number, deadlineMs: number): Promise<string[]> {
  for (;;) {
    const n = nodeShims(d).length;
    if (n <= before) return [];
    if (Date.now() >= deadlineMs) return [`${n - before} shims of the node's containerd (${d.socket}) still run after the pods were deleted`];
    await new Promise((r) => setTimeout(r, 250));
  }
}

export function describeNodeDaemons(d: NodeDaemons): string {
  const kubelet = d.kubelet === null ? 'no single kubelet process' : `kubelet pid ${d.kubelet}`;
  const containerd = d.containerd === null ? `no containerd holding ${d.socket}` : `containerd pid ${d.containerd} serving ${d.socket}`;
  return `${kubelet}, ${containerd}, with its shims and the processes below them (PSS)`;
}
