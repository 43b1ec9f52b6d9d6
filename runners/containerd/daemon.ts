/**
 * runbench's own containerd: a generated config with its own root, state, gRPC and
 * ttrpc sockets under the run's work directory, so the system's /run/containerd and
 * /var/lib/containerd are never read or written. Stopped (and whatever it left behind
 * removed) by whoever started it, on success, failure and interrupt alike.
 */
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { otherProcesses } from '../../core/processes.ts';
import { mountsUnder } from '../../core/recovery.ts';
import { execa } from 'execa';
import { RuntimeFailure } from '../../core/errors.ts';
import { findBinary } from '../../core/runtimes.ts';
import { ContainerdClient } from './api.ts';

/** containerd 1.6 puts every shim's socket here whatever its own state dir (a compile-time constant). */
export const SHIM_SOCKET_DIR = '/run/containerd/s';

export interface Daemon {
  address: string;
  /** Null when runbench did not start it (--containerd-address). */
  pid: number | null;
  owned: boolean;
  logPath: string | null;
  /** Settles with how it ended when runbench's own containerd exits (never, for one it did not start). */
  gone: Promise<string>;
  stop(): Promise<void>;
}

export function configToml(dir: string): string {
  // TOML basic strings: JSON string escaping is a subset of what TOML accepts.
  const q = (s: string) => JSON.stringify(s);
  return [
    'version = 2',
    `root = ${q(join(dir, 'root'))}`,
    `state = ${q(join(dir, 'state'))}`,
    // CRI would start its own network and image services: nothing here uses it.
    'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
    '[grpc]',
    `  address = ${q(join(dir, 'containerd.sock'))}`,
    '[ttrpc]',
    `  address = ${q(join(dir, 'containerd.sock.ttrpc'))}`,
    '[debug]',
    '  address = ""',
    '[metrics]',
    '  address = ""',
    '',
  ].join('\n');
}

function tail(path: string, lines = 3): string {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').slice(-lines).join(' | ');
  } catch {
    return '';
  }
}

/** Processes whose command line contains every one of `needles` (shims name containerd's address). */
export function processesMatching(...needles: string[]): number[] {
  return otherProcesses()
    .filter((p) => needles.every((n) => p.cmdline.includes(n)))
    .map((p) => p.pid);
}

/** The socket a v2 shim listens on for container `id` of namespace `ns` (containerd 1.6). */
export function shimSocketPath(address: string, ns: string, id: string): string {
  return join(
    SHIM_SOCKET_DIR,
    createHash('sha256')
      .update(join(address, ns, id))
      .digest('hex'),
  );
}

async function waitExit(proc: ChildProcess, exited: Promise<void>, ms: number): Promise<boolean> {
  if (proc.exitCode !== null || proc.signalCode !== null) return true;
  let timer: NodeJS.Timeout | undefined;
  const done = await Promise.race([
    exited.then(() => true),
    new Promise<boolean>((r) => {
      timer = setTimeout(() => r(false), ms);
    }),
  ]);
  clearTimeout(timer);
  return done;
}

/** Kills shims that still name our socket, unmounts what is left under `dir` and removes it. */
export async function sweepDaemonDir(dir: string, address: string): Promise<void> {
  for (const pid of processesMatching('-address', address)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  for (const m of mountsUnder(dir)) await execa('umount', ['-l', m], { reject: false, timeout: 10_000 });
  rmSync(dir, { recursive: true, force: true });
}

export interface StartOptions {
  dir: string;
  binary: string;
  searchPath: string[];
  readyTimeoutMs: number;
  /** The config's text (default: configToml(dir), the CRI plugin off); its sockets must be dir's. */
  config?: string;
  /** A command the daemon runs under, e.g. nsenter into a network namespace of its own. */
  prefix?: string[];
}

export async function startContainerd(opts: StartOptions): Promise<Daemon> {
  const { dir } = opts;
  // traversable, as containerd's own /run/containerd is: a container in a user namespace is
  // set up by its mapped root, which must reach the rootfs under the state directory
  mkdirSync(dir, { recursive: true, mode: 0o711 });
  chmodSync(dir, 0o711); // whatever the umask
  const config = join(dir, 'config.toml');
  writeFileSync(config, opts.config ?? configToml(dir));
  const address = join(dir, 'containerd.sock');
  const logPath = join(dir, 'containerd.log');
  const log = openSync(logPath, 'a');
  // containerd finds containerd-shim-<name>-<version> binaries on its own PATH.
  const PATH = [...opts.searchPath, process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'].join(':');
  const argv = [...(opts.prefix ?? []), opts.binary, '--config', config];
  const proc = spawn(argv[0] ?? opts.binary, argv.slice(1), { env: { ...process.env, PATH }, stdio: ['ignore', log, log] });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.once('error', () => undefined);
  closeSync(log);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (proc.exitCode === null && proc.signalCode === null && proc.pid !== undefined) {
      proc.kill('SIGTERM');
      if (!(await waitExit(proc, exited, 10_000))) {
        proc.kill('SIGKILL');
        await waitExit(proc, exited, 5_000);
      }
    }
    await sweepDaemonDir(dir, address);
  };
  const client = new ContainerdClient(address, 'default', 2_000);
  try {
    const deadline = Date.now() + opts.readyTimeoutMs;
    for (;;) {
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`containerd exited ${proc.exitCode ?? proc.signalCode}: ${tail(logPath)}`);
      if (existsSync(address)) {
        try {
          await client.version();
          break;
        } catch {
          /* not serving yet */
        }
      }
      if (Date.now() > deadline) throw new Error(`containerd did not answer on ${address} within ${opts.readyTimeoutMs} ms: ${tail(logPath)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch (e) {
    client.close();
    await stop();
    throw e;
  }
  client.close();
  const gone = exited.then(() => `containerd exited ${proc.exitCode ?? proc.signalCode}`);
  return { address, pid: proc.pid ?? null, owned: true, logPath, gone, stop };
}

/**
 * The containerd a session talks to: the one at `address` (runbench never stops it), else
 * runbench's own, started under `dir` with `searchPath` ahead of PATH (where the shims are).
 */
export async function openDaemon(o: { runtime: string; address: string | undefined; dir: string; searchPath: string[] }): Promise<Daemon> {
  if (o.address) return { address: o.address, pid: null, owned: false, logPath: null, gone: new Promise<string>(() => undefined), stop: async () => undefined };
  const binary = findBinary('containerd');
  if (!binary) throw new RuntimeFailure(o.runtime, 'containerd not found on PATH');
  return startContainerd({ dir: o.dir, binary, searchPath: o.searchPath, readyTimeoutMs: 30_000 });
}
