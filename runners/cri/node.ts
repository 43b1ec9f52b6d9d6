/**
 * The node critest sees: a network and an IPC namespace of runbench's own, held open by bind
 * mounts under the session's directory. The CRI's containerd, the CNI plugins it runs, the
 * registry and critest all live in them, so the pods' bridge, veths, iptables rules (portmap),
 * the forwarding sysctl and critest's own shared-memory segments (its HostIpc checks) never
 * touch the host's, and vanish with the namespaces: after a hard kill, once the run's
 * processes are gone, unmounting what is under its scratch directory frees them.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { mountsUnder } from '../../core/recovery.ts';

export interface NodeNamespaces {
  readonly net: string;
  readonly ipc: string;
  /** Runs a command inside them: `nsenter --net=… --ipc=…` (nsenter execs it: same pid). */
  readonly prefix: string[];
  close(): Promise<void>;
}

async function run(cmd: string, args: string[]): Promise<void> {
  const r = await execa(cmd, args, { reject: false, timeout: 15_000 });
  if (r.exitCode !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${String(r.stderr).trim() || `exit ${r.exitCode}`}`);
}

async function unmountAll(dir: string): Promise<void> {
  for (const m of mountsUnder(dir)) await execa('umount', ['-l', m], { reject: false, timeout: 10_000 });
}

/**
 * Makes the namespaces under `dir`. The directory becomes a private mount of itself first:
 * `unshare --net=FILE` refuses a file on a shared mount (as `ip netns add` does for /run/netns).
 */
export async function openNode(dir: string): Promise<NodeNamespaces> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const net = join(dir, 'net');
  const ipc = join(dir, 'ipc');
  const close = async () => {
    await unmountAll(dir);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await run('mount', ['--bind', dir, dir]);
    await run('mount', ['--make-private', dir]);
    writeFileSync(net, '');
    writeFileSync(ipc, '');
    await run('unshare', [`--net=${net}`, `--ipc=${ipc}`, 'true']);
    const prefix = ['nsenter', `--net=${net}`, `--ipc=${ipc}`, '--'];
    await run(prefix[0] as string, [...prefix.slice(1), 'ip', 'link', 'set', 'lo', 'up']);
    return { net, ipc, prefix, close };
  } catch (e) {
    await close();
    throw e;
  }
}
