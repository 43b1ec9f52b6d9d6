/**
 * crun-wasmedge is found only where the debian13 set-up tier records it (debian13.env in the
 * cache), never on PATH, and reported missing, broken or ok from that record and the status
 * directory.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';

// paths.ts reads this when first imported
const dir = mkdtempSync(join(tmpdir(), 'runbench-recorded-'));
const cache = join(dir, 'cache');
process.env.RUNBENCH_CACHE_DIR = cache;
const { KNOWN_RUNTIMES, parseRuntimeSpec, probeRuntime, readCacheEnv, recordedBinary } = await import('../../core/runtimes.ts');
afterAll(() => {
  delete process.env.RUNBENCH_CACHE_DIR;
  rmSync(dir, { recursive: true, force: true });
});

const def = KNOWN_RUNTIMES.find((r) => r.name === 'crun-wasmedge')!;
const keyDir = join(cache, 'debian13-0123456789ab');
const crun = join(keyDir, 'bin', 'crun');
const envFile = join(cache, 'debian13.env');
const failed = join(cache, 'status', 'crun-wasmedge.failed');

/** The layout scripts/setup.sh --tier debian13 leaves, with a stand-in crun 1.21 that answers --version. */
function installTier(): void {
  mkdirSync(join(keyDir, 'bin'), { recursive: true });
  writeFileSync(
    crun,
    '#!/bin/sh\nprintf "crun version 1.21\\ncommit: 1026984\\nrundir: /run/crun\\nspec: 1.0.0\\n+SYSTEMD +SELINUX +APPARMOR +CAP +SECCOMP +EBPF +CRIU +WASM:wasmedge +YAJL\\n"\n',
  );
  chmodSync(crun, 0o755);
  writeFileSync(
    envFile,
    [
      '# Written by scripts/setup.sh --tier debian13',
      `DEBIAN13_DIR=${keyDir}`,
      `DEBIAN13_ROOT=${keyDir}/root`,
      `DEBIAN13_CRUN=${crun}`,
      'DEBIAN13_VERSION_CRUN=1.21-1',
      '',
    ].join('\n'),
  );
}

beforeEach(() => rmSync(cache, { recursive: true, force: true }));

describe('crun-wasmedge discovery', () => {
  it('is configuration: a crun named crun, found through the record, with the annotation that lets native run natively', () => {
    expect(def).toMatchObject({ kind: 'oci', binary: 'crun', recorded: { file: 'debian13.env', key: 'DEBIAN13_CRUN', tier: 'debian13' } });
    expect(def.wasm?.annotations).toEqual({ 'module.wasm.image/variant': 'compat-smart' });
    expect(def.wasmOnly).toBeUndefined();
  });

  it('is missing, with the tier to run, when the tier was not run', async () => {
    const info = await probeRuntime(def);
    expect(info).toMatchObject({ name: 'crun-wasmedge', status: 'missing', path: null });
    expect(info.reason).toBe(`no DEBIAN13_CRUN in ${envFile}: run scripts/setup.sh --tier debian13`);
  });

  it('never takes the crun on PATH for it', async () => {
    const onPath = join(dir, 'path');
    mkdirSync(onPath, { recursive: true });
    writeFileSync(join(onPath, 'crun'), '#!/bin/sh\necho crun version 1.8.1\n');
    chmodSync(join(onPath, 'crun'), 0o755);
    const saved = process.env.PATH;
    process.env.PATH = `${onPath}:${saved ?? ''}`;
    try {
      expect((await probeRuntime(def)).status).toBe('missing');
    } finally {
      process.env.PATH = saved;
    }
  });

  it('is ok with its version and the WasmEdge handler when the tier recorded it', async () => {
    installTier();
    expect(readCacheEnv('debian13.env')).toMatchObject({ DEBIAN13_CRUN: crun, DEBIAN13_VERSION_CRUN: '1.21-1' });
    const info = await probeRuntime(def);
    expect(info).toMatchObject({ status: 'ok', reason: null, path: crun, version: '1.21', wasmHandlers: ['wasmedge'] });
    expect(info.features).toContain('+WASM:wasmedge');
    expect(info.wasmAnnotations).toEqual({ 'module.wasm.image/variant': 'compat-smart' });
    expect(info.wasmOnly).toBeUndefined();
  });

  it('is broken with the set-up reason when the tier failed, whether or not an older binary is recorded', async () => {
    mkdirSync(join(cache, 'status'), { recursive: true });
    const reason = 'debootstrap trixie from http://deb.debian.org/debian failed: E: Failed getting release file; log: /x/debian13.log';
    writeFileSync(failed, `${reason}\n`);
    expect(await probeRuntime(def)).toMatchObject({ status: 'broken', path: null, reason: `set-up failed: ${reason}` });
    installTier();
    expect(await probeRuntime(def)).toMatchObject({ status: 'broken', path: crun, reason: `set-up failed: ${reason}` });
    // a failure of the file name it shares with the plain crun is not its own
    rmSync(failed);
    writeFileSync(join(cache, 'status', 'crun.failed'), 'not this one\n');
    expect((await probeRuntime(def)).status).toBe('ok');
  });

  it('is missing, not broken, when its set-up chose not to provide it (an optional part it does not build)', async () => {
    installTier();
    mkdirSync(join(cache, 'status'), { recursive: true });
    const reason = 'no libwasmer and wasmer.h in /x/wasmer-c-api-7.4.2 (not built by this tier)';
    writeFileSync(join(cache, 'status', 'crun-wasmedge.missing'), `${reason}\n`);
    expect(await probeRuntime(def)).toMatchObject({ status: 'missing', path: null, reason });
  });

  it('says which recorded path is gone when the root was removed by hand', async () => {
    installTier();
    rmSync(keyDir, { recursive: true });
    const found = recordedBinary(def.recorded!);
    expect(found).toEqual({ missing: `${crun}, recorded in ${envFile}, is not an executable: run scripts/setup.sh --tier debian13` });
    expect(await probeRuntime(def)).toMatchObject({ status: 'missing', path: null });
  });

  it('keeps its Wasm annotation when pointed at another crun on the command line', () => {
    const spec = parseRuntimeSpec('crun-wasmedge=/opt/crun-1.21/bin/crun');
    expect(spec).toMatchObject({ binary: '/opt/crun-1.21/bin/crun', wasm: { annotations: { 'module.wasm.image/variant': 'compat-smart' } } });
    expect(spec.recorded).toBeUndefined();
  });
});
