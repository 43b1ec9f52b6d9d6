/**
 * scripts/cluster.sh and RUNBENCH_CLUSTER_MAX_PODS: the kubelet's maxPods past Kubernetes'
 * 110 for density runs, a pod range wide enough for that many pods, and a count refused in
 * one line, before anything starts, when it is not a number or when that many pods could
 * take the host's kernel tasks into the share kept for the rest of the host.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../core/paths.ts';
import { lazyTempDir } from '../helpers/tmp.ts';

const script = join(packageRoot, 'scripts', 'cluster.sh');
const dir = lazyTempDir('runbench-cluster-max-pods-');

function cluster(command: string, maxPods: string | undefined, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync('/bin/bash', [script, command], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...env,
      ...(maxPods === undefined ? {} : { RUNBENCH_CLUSTER_MAX_PODS: maxPods }),
      RUNBENCH_CLUSTER_DIR: join(dir(), 'var'),
      RUNBENCH_CLUSTER_RUN: join(dir(), 'run'),
    },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** What the script allows on this host: 16 tasks a pod under the lower of pid_max and threads-max, less an eighth (4096 at least). */
function mostPods(): number {
  const read = (p: string) => Number(readFileSync(p, 'utf8').trim());
  const limit = Math.min(read('/proc/sys/kernel/pid_max'), read('/proc/sys/kernel/threads-max'));
  return Math.floor((limit - Math.max(4096, Math.floor(limit / 8))) / 16);
}

describe('scripts/cluster.sh and RUNBENCH_CLUSTER_MAX_PODS', () => {
  it('keeps the kubelet default and the /24 pod range without it', () => {
    const r = cluster('pods', undefined);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('maxPods 110, pod range 10.244.123.0/24\n');
  });

  it.each([
    ['250', '10.244.123.0/24'],
    ['251', '10.244.128.0/23'],
    ['493', '10.244.128.0/23'],
    ['494', '10.244.128.0/22'],
    ['1005', '10.244.128.0/22'],
    ['1006', '10.244.128.0/21'],
  ])('gives %s pods a range that holds them and 16 more: %s', (n, range) => {
    const r = cluster('pods', n);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`maxPods ${n}, pod range ${range}\n`);
    const prefix = Number(range.split('/')[1]);
    expect(2 ** (32 - prefix) - 3).toBeGreaterThanOrEqual(Number(n) + (Number(n) > 250 ? 16 : 0));
  });

  it.each([
    ['0', /a whole number/],
    ['-5', /a whole number/],
    ['12abc', /a whole number/],
    ['1e3', /a whole number/],
    ['300;id', /a whole number/],
    ['9999999', /a whole number/],
  ])('refuses %j in one line with a non-zero exit', (value, why) => {
    const r = cluster('pods', value);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^cluster: RUNBENCH_CLUSTER_MAX_PODS: refused/);
    expect(lines[0]).toMatch(why);
  });

  it("refuses more pods than the host's kernel tasks allow, and takes the most it allows", () => {
    const most = mostPods();
    const over = cluster('pods', String(most + 1));
    expect(over.status, over.stderr).toBe(1);
    expect(over.stderr.trim()).toMatch(new RegExp(`^cluster: RUNBENCH_CLUSTER_MAX_PODS: refused ${most + 1}: at 16 kernel tasks a pod, at most ${most} pods fit under pid_max \\d+`));
    const at = cluster('pods', String(most));
    expect(at.status, at.stderr).toBe(0);
    expect(at.stdout).toMatch(new RegExp(`^maxPods ${most}, pod range 10\\.244\\.`));
  });

  it('refuses a bad value at up before anything else (no root, tools or directories needed)', () => {
    const bin = join(dir(), 'bin');
    mkdirSync(bin, { recursive: true });
    symlinkSync('/usr/bin/dirname', join(bin, 'dirname'));
    symlinkSync('/usr/bin/cat', join(bin, 'cat'));
    const r = cluster('up', '110x', { PATH: bin });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr.trim()).toMatch(/^cluster: RUNBENCH_CLUSTER_MAX_PODS: refused '110x'/);
    expect(existsSync(join(dir(), 'run'))).toBe(false);
  });
});
