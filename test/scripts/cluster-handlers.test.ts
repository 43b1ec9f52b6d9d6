/**
 * scripts/cluster.sh writes RUNBENCH_CLUSTER_HANDLERS into containerd's TOML and into paths:
 * a value that is not NAME=/absolute/path with a strict name and a plain path is refused in
 * one line, with a non-zero exit, before anything is written or started.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../core/paths.ts';
import { clusterHandlers } from '../checks/broken-table.ts';
import { lazyTempDir } from '../helpers/tmp.ts';

const script = join(packageRoot, 'scripts', 'cluster.sh');
const dir = lazyTempDir('runbench-cluster-handlers-');

function cluster(command: string, handlers: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync('/bin/bash', [script, command], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...env,
      RUNBENCH_CLUSTER_HANDLERS: handlers,
      RUNBENCH_CLUSTER_DIR: join(dir(), 'var'),
      RUNBENCH_CLUSTER_RUN: join(dir(), 'run'),
    },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const HOSTILE: [string, RegExp][] = [
  ['evil"]\n[plugins.x]\nBinaryName="/bin/sh', /newline/],
  ['x=/usr/bin/runc\r', /carriage return/],
  ['x=/usr/bin/runc"\n  Root = "/', /newline/],
  ['x=/usr/bin/run"c', /path must be absolute/],
  ["x=/usr/bin/run'c", /path must be absolute/],
  ['x=/usr/bin/run c', /path must be absolute/],
  ['x=/usr/bin/$(id)', /path must be absolute/],
  ['x=/usr/bin/`id`', /path must be absolute/],
  ['x=/usr/bin/runc;id', /path must be absolute/],
  ['x=/usr/bin/run\\c', /path must be absolute/],
  ['x=/usr/bin/run\tc', /path must be absolute/],
  ['x=relative/runc', /path must be absolute/],
  ['x=', /path must be absolute/],
  ['x"]=/usr/bin/runc', /DNS label/],
  ['a.b=/usr/bin/runc', /DNS label/],
  ['a/b=/usr/bin/runc', /DNS label/],
  ['Upper=/usr/bin/runc', /DNS label/],
  ['-x=/usr/bin/runc', /DNS label/],
  [`${'a'.repeat(64)}=/usr/bin/runc`, /DNS label/],
  ['=/usr/bin/runc', /DNS label/],
  ['no-equals', /not NAME=\/absolute\/path/],
  ['a=/usr/bin/runc,,b=/usr/bin/crun', /not NAME=\/absolute\/path/],
  ['a=/usr/bin/runc,', /not NAME=\/absolute\/path/],
  ['runc=/tmp/other-runc', /already taken/],
  ['a=/usr/bin/runc,a=/usr/bin/crun', /already taken/],
];

describe('scripts/cluster.sh and RUNBENCH_CLUSTER_HANDLERS', () => {
  it.each(HOSTILE)('refuses %j in one line with a non-zero exit', (value, why) => {
    const r = cluster('handlers', value);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^cluster: RUNBENCH_CLUSTER_HANDLERS: refused/);
    expect(lines[0]).toMatch(why);
  });

  it('refuses a bad value at up before anything else (no root, tools or directories needed)', () => {
    // a PATH with only what the script needs before its checks: were the value let through,
    // up would stop at its tool check ("containerd not found") instead
    const bin = join(dir(), 'bin');
    mkdirSync(bin, { recursive: true });
    symlinkSync('/usr/bin/dirname', join(bin, 'dirname'));
    const r = cluster('up', 'x=/usr/bin/runc"\nRoot="/', { PATH: bin });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr.trim()).toMatch(/^cluster: RUNBENCH_CLUSTER_HANDLERS: refused: it contains a newline/);
    expect(existsSync(join(dir(), 'run'))).toBe(false);
  });

  it('configures well-formed handlers, the broken-runtime table among them', () => {
    const r = cluster('handlers', `mine=/opt/rt/my-runtime_1.2+x,${clusterHandlers()}`);
    expect(r.status, r.stderr).toBe(0);
    const rows = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t'));
    expect(rows).toContainEqual(['mine', 'io.containerd.runc.v2', '/opt/rt/my-runtime_1.2+x', '-']);
    for (const entry of clusterHandlers().split(',')) {
      const [name, path] = entry.split('=');
      expect(rows).toContainEqual([name, 'io.containerd.runc.v2', path, '-']);
    }
  });

  it('serves crun-wasmtime and youki-wasmer behind the runc shim and the wasmtime and wasmer shims by their runtime types when they are in the cache, all as Wasm handlers', () => {
    const cache = join(dir(), 'cache');
    mkdirSync(join(cache, 'bin'), { recursive: true });
    for (const b of ['crun-wasmtime', 'youki-wasmer', 'containerd-shim-wasmtime-v1', 'containerd-shim-wasmer-v1']) if (!existsSync(join(cache, 'bin', b))) symlinkSync('/bin/true', join(cache, 'bin', b));
    const r = cluster('handlers', '', { RUNBENCH_CACHE: cache });
    expect(r.status, r.stderr).toBe(0);
    const rows = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t'));
    expect(rows).toContainEqual(['crun-wasmtime', 'io.containerd.runc.v2', join(cache, 'bin', 'crun-wasmtime'), 'wasm']);
    expect(rows).toContainEqual(['youki-wasmer', 'io.containerd.runc.v2', join(cache, 'bin', 'youki-wasmer'), 'wasm']);
    expect(rows).toContainEqual(['wasmtime', 'io.containerd.wasmtime.v1', join(cache, 'bin', 'containerd-shim-wasmtime-v1'), 'wasm']);
    expect(rows).toContainEqual(['wasmer', 'io.containerd.wasmer.v1', join(cache, 'bin', 'containerd-shim-wasmer-v1'), 'wasm']);
  });

  it("puts RUNBENCH_CLUSTER_DEFAULT_RUNTIME in runc's place, passing the Wasm annotations on, and refuses a bad one in one line", () => {
    const cache = join(dir(), 'cache');
    const crun = join(cache, 'debian13-x', 'bin', 'crun');
    mkdirSync(join(cache, 'debian13-x', 'bin'), { recursive: true });
    writeFileSync(crun, '#!/bin/sh\n', { mode: 0o755 });
    writeFileSync(join(cache, 'debian13.env'), `DEBIAN13_CRUN=${crun}\n`);
    const engines = join(cache, 'crun-engines-x', 'bin', 'crun');
    mkdirSync(join(cache, 'crun-engines-x', 'bin'), { recursive: true });
    writeFileSync(engines, '#!/bin/sh\n', { mode: 0o755 });
    writeFileSync(join(cache, 'engines.env'), `CRUN_ENGINES=${engines}\n`);
    const rows = (r: { stdout: string }) => r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t'));
    // the recorded crun with WasmEdge is a handler of its own, and so is the engines tier's crun
    const plain = cluster('handlers', '', { RUNBENCH_CACHE: cache });
    expect(plain.status, plain.stderr).toBe(0);
    expect(rows(plain)).toContainEqual(['crun-wasmedge', 'io.containerd.runc.v2', crun, 'wasm']);
    expect(rows(plain)).toContainEqual(['crun-engines', 'io.containerd.runc.v2', engines, 'wasm']);
    expect(rows(plain).find((r) => r[0] === 'runc')?.[2]).not.toBe(crun);
    // ... and, asked for, the node's default: the runc handler runs it
    const recipe = cluster('handlers', '', { RUNBENCH_CACHE: cache, RUNBENCH_CLUSTER_DEFAULT_RUNTIME: 'crun-wasmedge' });
    expect(recipe.status, recipe.stderr).toBe(0);
    expect(rows(recipe).filter((r) => r[0] === 'runc')).toEqual([['runc', 'io.containerd.runc.v2', crun, 'wasm']]);
    expect(rows(recipe)).toContainEqual(['crun-wasmedge', 'io.containerd.runc.v2', crun, 'wasm']);
    expect(rows(cluster('handlers', '', { RUNBENCH_CACHE: cache, RUNBENCH_CLUSTER_DEFAULT_RUNTIME: crun })).find((r) => r[0] === 'runc')?.[2]).toBe(crun);
    for (const bad of ['relative/crun', '/usr/bin/run"c', join(dir(), 'nope')]) {
      const r = cluster('handlers', '', { RUNBENCH_CACHE: cache, RUNBENCH_CLUSTER_DEFAULT_RUNTIME: bad });
      expect(r.status, r.stderr).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^cluster: RUNBENCH_CLUSTER_DEFAULT_RUNTIME: /);
    }
    const none = cluster('handlers', '', { RUNBENCH_CACHE: join(dir(), 'empty'), RUNBENCH_CLUSTER_DEFAULT_RUNTIME: 'crun-wasmedge' });
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/crun-wasmedge: no DEBIAN13_CRUN in .*debian13\.env \(scripts\/setup\.sh --tier debian13\)/);
  });
});
