/**
 * crun-wasmedge for real (the debian13 set-up tier): Debian 13's crun 1.21 runs the native
 * hello natively and the wasm32-wasi hello through WasmEdge, from one runtime definition.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sweepCgroups } from '../../core/cgroups.ts';
import { EventBus } from '../../core/events.ts';
import { hostFacts } from '../../core/host.ts';
import { Scope } from '../../core/scope.ts';
import { OciSession } from '../../runners/oci/index.ts';
import { leftovers, nothingLeft } from '../helpers/leaks.ts';
import { realRuntime } from '../helpers/real.ts';

const a = await realRuntime('crun-wasmedge');
let dir: string | null = null;
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function head(path: string, n: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    readSync(fd, buf, 0, n, 0);
    return buf;
  } finally {
    closeSync(fd);
  }
}

describe.skipIf(a.skip !== null)(`crun-wasmedge through the OCI CLI${a.skip ? ` (skipped: ${a.skip})` : ''}`, () => {
  it('is the patched crun ELF itself, named crun, with the WasmEdge handler', () => {
    const rt = a.runtime!;
    // crun takes its global handler from its program name: under `crun` native runs natively
    expect(basename(rt.path!)).toBe('crun');
    // no wrapper script sits between runbench and the runtime it times
    expect(head(rt.path!, 4)).toEqual(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
    expect(rt.version).toMatch(/^1\.\d+/);
    expect(rt.wasmHandlers).toEqual(['wasmedge']);
    expect(rt.wasmAnnotations).toEqual({ 'module.wasm.image/variant': 'compat-smart' });
  });

  it('runs hello natively and as Wasm through WasmEdge, times the phases, leaves nothing', async () => {
    dir = mkdtempSync(join(tmpdir(), 'runbench-wasmedge-'));
    const host = hostFacts();
    const scope = new Scope('test');
    const runId = `20000101${Math.floor(Math.random() * 0xffffff)
      .toString(16)
      .padStart(6, '0')}`;
    const session = new OciSession(a.runtime!, { runId, host, arch: host.arch, scope, events: new EventBus(), workDir: join(dir, runId) });
    try {
      expect(session.supports('native')).toBeNull();
      expect(session.supports('wasm')).toBeNull();
      for (const kind of ['native', 'wasm'] as const) {
        const run = await session.runOnce({ workload: { name: 'hello', kind, args: [] }, timeoutMs: 30_000 });
        expect(run.exitCode, `${kind}: ${run.stderr}`).toBe(0);
        expect(run.stdout).toContain('runbench-hello-ok');
        expect(run.totalNs).toBeGreaterThan(1e5);
        expect(run.totalNs).toBeLessThan(10e9);
      }
      const life = await session.lifecycle({ workload: { name: 'hello', kind: 'wasm', args: [] }, timeoutMs: 30_000 });
      expect(life.exitCode, life.stderr).toBe(0);
      expect(life.stdout).toContain('runbench-hello-ok');
      expect(Object.keys(life.phasesNs)).toEqual(['create', 'start', 'exit', 'delete']);
    } finally {
      await scope.close();
      await sweepCgroups(`runbench-${runId}`);
    }
    expect(leftovers(runId)).toEqual(nothingLeft);
  });
});
