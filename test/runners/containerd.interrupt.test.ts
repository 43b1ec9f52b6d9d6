/** Ctrl-C in the middle of a containerd run: its containerd, shims, containers, mounts and directories all go. */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { hostFacts } from '../../core/host.ts';
import { packageRoot } from '../../core/paths.ts';
import { findBinary } from '../../core/runtimes.ts';
import { processesMatching } from '../../runners/containerd/daemon.ts';
import { images } from '../../runners/containerd/images.ts';
import { leftovers, nothingLeft } from '../helpers/leaks.ts';
import { realRuntime } from '../helpers/real.ts';
import { needs } from '../helpers/require.ts';
import { deadShimSocketsSince, shimSockets } from '../helpers/shim-sockets.ts';
import { lazyTempDir } from '../helpers/tmp.ts';

const runc = await realRuntime('runc');
const why =
  runc.skip ??
  (!findBinary('containerd') || !findBinary('ctr') ? 'containerd/ctr not installed' : null) ??
  (!existsSync(images(hostFacts().arch).native.archive) ? 'images not built (scripts/build-images.sh)' : null);

const out = lazyTempDir('runbench-ctrd-int-');

/** The run ids of every runbench containerd whose shim is up (a container is running). */
function runningRuns(): Set<string> {
  const ids = new Set<string>();
  for (const pid of processesMatching('containerd-shim', '-address /run/runbench/')) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const m = /-address\0\/run\/runbench\/([0-9]{8}[0-9a-f]{6})\/containerd\//.exec(cmd);
      if (m?.[1]) ids.add(m[1]);
    } catch {
      /* gone */
    }
  }
  return ids;
}

needs(['runc', 'containerd'], why).describe('interrupting a containerd run', () => {
  it('SIGINT mid-run exits 130 and leaves no containerd, shim, mount, cgroup, socket or directory', async () => {
    // other runs on a shared host may have shims up: only a run that appears after the spawn is this one
    const before = new Set(shimSockets());
    const otherRuns = runningRuns();
    const child = spawn(
      process.execPath,
      [
        join(packageRoot, 'bin/runbench.js'),
        'run',
        '--layer',
        'containerd',
        '--runtime',
        'runc',
        '--suite',
        'startup',
        '--runs',
        '500',
        '--warmup',
        '0',
        '--out',
        out(),
        '--quiet',
      ],
      { cwd: packageRoot, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    let runId: string | null = null;
    const deadline = Date.now() + 60_000;
    while (!runId && Date.now() < deadline && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 50));
      runId = [...runningRuns()].find((id) => !otherRuns.has(id)) ?? null;
    }
    expect(runId, `no container came up: ${stderr}`).not.toBeNull();
    child.kill('SIGINT');
    const code = await exited;
    expect(code, stderr).toBe(130);
    expect(stderr).toContain('interrupted');
    expect(leftovers(runId!)).toEqual(nothingLeft);
    expect(processesMatching(`/run/runbench/${runId}`)).toEqual([]);
    expect(deadShimSocketsSince(before)).toEqual([]);
    expect(existsSync(join('/run/runbench', runId!))).toBe(false);
  });
});
