/**
 * youki-wasmer: the wasmer tier's second youki (scripts/lib/youki-wasmer.sh), found in the cache's
 * bin under its own name, its executor read from the status file set-up writes (youki's
 * --version names none) and its engine version from engines.env; a binary of its own, so its
 * native rows are measured, and its set-up failures are its own, not youki's.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';

// paths.ts reads this when first imported
const dir = mkdtempSync(join(tmpdir(), 'runbench-youki-wasmer-'));
const cache = join(dir, 'cache');
process.env.RUNBENCH_CACHE_DIR = cache;
const { KNOWN_RUNTIMES, kindUnsupported, probeRuntime, wasmAnnotationsFor } = await import('../../core/runtimes.ts');
const { wasmWay } = await import('../../core/wasm-ways.ts');
afterAll(() => {
  delete process.env.RUNBENCH_CACHE_DIR;
  rmSync(dir, { recursive: true, force: true });
});

const def = (name: string) => {
  const d = KNOWN_RUNTIMES.find((r) => r.name === name);
  if (!d) throw new Error(`${name} is not known`);
  return d;
};
const status = join(cache, 'status');
const bin = join(cache, 'youki-wasmer-0.7.0', 'bin', 'youki-wasmer');

/** The layout the tier's step leaves, with a stand-in that answers --version as youki 0.7.0 does. */
function installStep(): void {
  mkdirSync(join(cache, 'youki-wasmer-0.7.0', 'bin'), { recursive: true });
  mkdirSync(join(cache, 'bin'), { recursive: true });
  mkdirSync(status, { recursive: true });
  writeFileSync(bin, '#!/bin/sh\nprintf "youki version: 0.7.0\\ncommit: 0.7.0-VERGEN_IDEMPOTENT_OUTPUT\\nspec: 1.1.0\\nrustc: 1.95.0\\nlibseccomp: 2.5.4\\n"\n');
  chmodSync(bin, 0o755);
  writeFileSync(join(cache, 'bin', 'youki-wasmer'), `#!/bin/sh\nexec ${bin} "$@"\n`);
  chmodSync(join(cache, 'bin', 'youki-wasmer'), 0o755);
  writeFileSync(join(status, 'youki-wasmer.wasm'), 'wasmer\n');
  writeFileSync(join(cache, 'engines.env'), 'YOUKI_WASMTIME=46.0.1\nYOUKI_WASMER=7.0.1\n');
}

beforeEach(() => rmSync(cache, { recursive: true, force: true }));

describe('youki-wasmer', () => {
  it('is youki with the same annotation, wasmer as its engine, and no Wasm-only flag', () => {
    const y = def('youki-wasmer');
    expect(y).toMatchObject({ kind: 'oci', binary: 'youki-wasmer', globalArgs: [] });
    expect(y.wasm?.annotations).toEqual(def('youki').wasm?.annotations);
    expect(wasmAnnotationsFor({ name: 'youki-wasmer' })).toEqual({ 'run.oci.handler': 'wasm' });
    expect(y.engine).toEqual({ name: 'wasmer', mode: 'jit', version: { file: 'engines.env', key: 'YOUKI_WASMER' } });
    expect(y.wasmOnly).toBeUndefined();
    expect(y.recorded).toBeUndefined();
  });

  it('is missing, saying where it looked, before the wasmer tier ran', async () => {
    const info = await probeRuntime(def('youki-wasmer'));
    expect(info).toMatchObject({ status: 'missing', path: null });
    expect(info.reason).toMatch(/^youki-wasmer not found on PATH or in .*\/cache\/bin$/);
  });

  it('is ok with the executor and engine version set-up recorded, and runs both workload kinds', async () => {
    installStep();
    const info = await probeRuntime(def('youki-wasmer'));
    expect(info).toMatchObject({ status: 'ok', version: '0.7.0', wasmHandlers: ['wasmer'], engine: { name: 'wasmer', version: '7.0.1', mode: 'jit' } });
    expect(wasmWay(info)).toBe('oci-handler');
    expect(kindUnsupported(info, 'wasm')).toBeNull();
    // a binary of its own, not one configuration of youki's: its native rows are its own figures
    expect(kindUnsupported(info, 'native')).toBeNull();
    // youki's own record is youki's: it names wasmtime, and youki-wasmer's does not leak into it
    writeFileSync(join(status, 'youki.wasm'), 'wasmtime\n');
    expect((await probeRuntime(def('youki-wasmer'))).wasmHandlers).toEqual(['wasmer']);
  });

  it('has no Wasm to run when the step recorded no executor', async () => {
    installStep();
    rmSync(join(status, 'youki-wasmer.wasm'));
    const info = await probeRuntime(def('youki-wasmer'));
    expect(info.wasmHandlers).toEqual([]);
    expect(kindUnsupported(info, 'wasm')).toBe('youki-wasmer has no Wasm handler');
  });

  it('is broken with its own set-up failure, and a failure of youki is not its', async () => {
    mkdirSync(status, { recursive: true });
    const reason = 'cargo install youki 0.7.0 with v1,v2,seccomp,wasm-wasmer failed: error: linker `cc` not found; log: /x/youki-wasmer.log';
    writeFileSync(join(status, 'youki-wasmer.failed'), `${reason}\n`);
    expect(await probeRuntime(def('youki-wasmer'))).toMatchObject({ status: 'broken', path: null, reason: `set-up failed: ${reason}` });
    installStep();
    expect(await probeRuntime(def('youki-wasmer'))).toMatchObject({ status: 'broken', path: join(cache, 'bin', 'youki-wasmer') });
    rmSync(join(status, 'youki-wasmer.failed'));
    writeFileSync(join(status, 'youki.failed'), 'not this one\n');
    expect((await probeRuntime(def('youki-wasmer'))).status).toBe('ok');
  });
});
