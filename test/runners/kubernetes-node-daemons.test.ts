/**
 * The node's daemons beside a pod density curve: the process serving a unix socket is found
 * by the socket's inode (the CRI's containerd, among the other containerds a host may run),
 * and the PSS by name covers that daemon and the processes below it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeDaemonsPss, nodeShims, shimsDrained, socketServer } from '../../runners/kubernetes/node-daemons.ts';
import { lazyTempDir } from '../helpers/tmp.ts';

const dir = lazyTempDir('runbench-node-daemons-');
const children: ChildProcess[] = [];
afterEach(() => {
  // each server leads its own process group: the sleep below it goes with it
  for (const c of children.splice(0)) {
    try {
      if (c.pid) process.kill(-c.pid, 'SIGKILL');
    } catch {
      /* exited already */
    }
  }
});

/** A node process listening on a unix socket at `path` (and one below it, sleeping), once it listens. */
async function serve(path: string): Promise<ChildProcess> {
  const code = `require('child_process').spawn('sleep', ['60'], { stdio: 'ignore' }); require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`;
  const c = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  children.push(c);
  await new Promise<void>((resolve, reject) => {
    c.stdout?.once('data', () => resolve());
    c.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  return c;
}

describe('the node daemons of a pod density curve', () => {
  it('finds the process serving a socket by its inode, not the others of that name', async () => {
    const a = join(dir(), 'a.sock');
    const b = join(dir(), 'b.sock');
    const sa = await serve(a);
    const sb = await serve(b);
    const name = basename(process.execPath);
    expect(socketServer(a, name)).toBe(sa.pid);
    expect(socketServer(b, name)).toBe(sb.pid);
    // another name, or a socket nobody serves
    expect(socketServer(a, 'containerd')).toBeNull();
    expect(existsSync(join(dir(), 'none.sock'))).toBe(false);
    expect(socketServer(join(dir(), 'none.sock'), name)).toBeNull();
  });

  it('reads the PSS of the daemon and what runs below it, by name', async () => {
    const path = join(dir(), 'c.sock');
    const s = await serve(path);
    const pss = await nodeDaemonsPss({ kubelet: null, containerd: s.pid ?? null, socket: path });
    expect(pss[basename(process.execPath)]).toBeGreaterThan(1024 * 1024);
    expect(pss.sleep).toBeGreaterThan(0);
  });

  it("waits for the node's shims to be back to what they were, and says what still runs at the deadline", async () => {
    const socket = join(dir(), 'shims.sock');
    const d = { kubelet: null, containerd: null, socket };
    // a stand-in shim: its command line names containerd-shim and the address it serves
    const shim = (ms: number) => {
      const c = spawn(process.execPath, ['-e', `setTimeout(() => {}, ${ms})`, 'containerd-shim-runc-v2', '-address', socket], { stdio: 'ignore', detached: true });
      children.push(c);
      return c;
    };
    shim(60_000);
    shim(800);
    await new Promise((r) => setTimeout(r, 300));
    expect(nodeShims(d)).toHaveLength(2);
    expect(await shimsDrained(d, 1, Date.now() + 10_000)).toEqual([]);
    expect(await shimsDrained(d, 0, Date.now() + 300)).toEqual([`1 shims of the node's containerd (${socket}) still run after the pods were deleted`]);
  });
});
