/**
 * One CRI endpoint for one runtime handler, for as long as one critest run needs it: the
 * node's namespaces, the registry serving critest's images, and a containerd with its CRI
 * plugin in a cgroup of the run's own (so every pod's cgroup lands under
 * /runbench-<runId>/, where the run's sweep finds it). Torn down in reverse, on success,
 * failure and interrupt alike: the pods through containerd's API, then the daemon and its
 * shims, the cgroups, the registry, the namespaces.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeCgroups, sweepCgroups } from '../../core/cgroups.ts';
import { cacheBinDir } from '../../core/paths.ts';
import { recordInLedger } from '../../core/recovery.ts';
import type { RunnerContext } from '../../core/runner.ts';
import type { RuntimeInfo } from '../../core/schema.ts';
import { ContainerdClient } from '../containerd/api.ts';
import { namespaceIds, removeContainer } from '../containerd/cleanup.ts';
import { shimSocketPath, startContainerd, type Daemon } from '../containerd/daemon.ts';
import { canLowerOomScore, containerdCriConfig, handlerFor, writeNetworkAndRegistry, type CriDirs } from './config.ts';
import { openNode } from './node.ts';

/** The CRI's own containerd namespace. */
export const CRI_NAMESPACE = 'k8s.io';

export interface CriEndpoint {
  binary: string;
  /** `containerd 1.7.24`: the `cri` label of every row it serves. */
  label: string;
}

export interface OpenEndpoint {
  socket: string;
  handler: string;
  /** nsenter into the node's namespaces. */
  prefix: string[];
  dir: string;
  /** How the CRI's containerd ended, with the end of its log, when it died before critest finished; else null. */
  died(): string | null;
}

async function startRegistry(prefix: string[], layout: string, dir: string): Promise<{ port: number; stop: () => Promise<void> }> {
  const portFile = join(dir, 'registry.port');
  const logPath = join(dir, 'registry.log');
  const log = openSync(logPath, 'a');
  const main = fileURLToPath(new URL('./registry-main.ts', import.meta.url));
  const argv = [...prefix, process.execPath, '--import', import.meta.resolve('tsx'), main, layout, portFile];
  const child: ChildProcess = spawn(argv[0] as string, argv.slice(1), { stdio: ['pipe', log, log] });
  closeSync(log);
  child.once('error', () => undefined);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    child.stdin?.end();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(t);
    }
  };
  const deadline = Date.now() + 30_000;
  while (!existsSync(portFile) || readFileSync(portFile, 'utf8').trim() === '') {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      const tail = existsSync(logPath) ? readFileSync(logPath, 'utf8').trim().split('\n').slice(-3).join(' | ') : '';
      throw new Error(`the image registry did not start: ${tail || 'no port within 30 s'}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { port: Number(readFileSync(portFile, 'utf8').trim()), stop };
}

/** How long the CRI's leftovers may take to go through containerd's API before the daemon is stopped under them. */
const REMOVE_DEADLINE_MS = 30_000;

/**
 * Removes every pod and container the CRI still holds through containerd's API, for at most
 * REMOVE_DEADLINE_MS (a runtime whose kill or delete fails, as runsc behind the runc shim does,
 * would hold it for minutes); returns their ids, whose shims, sockets and cgroups the caller
 * removes after the daemon.
 */
async function removeAll(daemon: Daemon): Promise<string[]> {
  const client = new ContainerdClient(daemon.address, CRI_NAMESPACE, 5_000);
  let ids: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    ids = [...(await namespaceIds(client, []))];
    const all = (async () => {
      for (const id of ids) await removeContainer(client, 'overlayfs', id);
    })();
    await Promise.race([all, new Promise((r) => (timer = setTimeout(r, REMOVE_DEADLINE_MS)))]);
  } catch {
    /* the daemon is gone or wedged: the sweep after it removes what is left */
  } finally {
    clearTimeout(timer);
    client.close();
  }
  return ids;
}

/** After the daemon: the sockets of its shims, and the cgroups of runtimes that put a pod at the hierarchy's root. */
async function sweepPods(daemon: Daemon, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    rmSync(shimSocketPath(daemon.address, CRI_NAMESPACE, id), { force: true });
    if (/^[0-9a-f]{64}$/.test(id)) await sweepCgroups(`test.slice:cri-containerd:${id}`);
  }
}

/** Opens the endpoint, runs `fn` against it, and tears it all down. */
export async function withEndpoint<T>(
  ctx: RunnerContext,
  runtime: RuntimeInfo,
  ep: CriEndpoint,
  dir: string,
  layout: string,
  fn: (open: OpenEndpoint) => Promise<T>,
): Promise<T> {
  const { scope } = ctx;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const node = await openNode(join(dir, 'node'));
  const closeNode = scope.defer(`cri node ${dir}`, () => node.close());
  const cgroup = `runbench-${ctx.runId}/cri-${dir.split('/').slice(-2).join('-')}`;
  const sweep = scope.defer(`cri cgroups ${cgroup}`, async () => void (await sweepCgroups(cgroup)));
  try {
    const registry = await startRegistry(node.prefix, layout, dir);
    const stopRegistry = scope.defer(`cri registry ${dir}`, registry.stop);
    try {
      const handler = handlerFor(runtime, dir);
      const dirs: CriDirs = {
        daemon: join(dir, 'containerd'),
        cniConf: join(dir, 'cni', 'net.d'),
        ipam: join(dir, 'cni', 'ipam'),
        registryHosts: join(dir, 'certs.d'),
        runtimeRoot: join(dir, 'runtime-root'),
      };
      writeNetworkAndRegistry(dirs, `runbench-cri-${ctx.runId}`, `127.0.0.1:${registry.port}`);
      const address = join(dirs.daemon, 'containerd.sock');
      // the shims' sockets of a run killed without its cleanup are found from this (recover.ts)
      recordInLedger(ctx.workDir, { layer: 'cri', kind: 'daemon', value: { address, state: join(dirs.daemon, 'state') } });
      const procs = makeCgroups(cgroup);
      // containerd joins the cgroup before it starts: its shims, and through them the pods, are born there
      const join_ = ['sh', '-c', 'for f in $(echo "$1" | tr : " "); do echo $$ >"$f" || exit 1; done; shift; exec "$@"', 'sh', procs.join(':')];
      const daemon = await startContainerd({
        dir: dirs.daemon,
        binary: ep.binary,
        // containerd's own directory first: its own version of the runc shim
        searchPath: [dirname(ep.binary), ...(handler.shimDir ? [handler.shimDir] : []), cacheBinDir],
        readyTimeoutMs: 60_000,
        config: containerdCriConfig(dirs, handler, { restrictOomScoreAdj: !canLowerOomScore() }),
        prefix: [...join_, ...node.prefix],
      });
      let died: string | null = null;
      let stopping = false;
      void daemon.gone.then((how) => {
        if (stopping) return;
        const log = daemon.logPath && existsSync(daemon.logPath) ? readFileSync(daemon.logPath, 'utf8').trim().split('\n') : [];
        const said = log.filter((l) => /level=(error|fatal)|panic|fatal error/.test(l)).slice(-2).join(' | ') || log.slice(-2).join(' | ');
        died = `${ep.label} ${how.replace(/^containerd /, '')} while critest ran${said ? `: ${said.slice(0, 600)}` : ''}`;
      });
      const stopDaemon = scope.defer(`cri containerd ${dir}`, async () => {
        stopping = true;
        const ids = await removeAll(daemon);
        await daemon.stop();
        await sweepPods(daemon, ids);
      });
      try {
        return await fn({ socket: daemon.address, handler: handler.name, prefix: node.prefix, dir, died: () => died });
      } finally {
        await stopDaemon();
      }
    } finally {
      await stopRegistry();
    }
  } finally {
    await sweep();
    await closeNode();
  }
}
