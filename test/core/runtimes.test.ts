import { describe, expect, it } from 'vitest';
import { KNOWN_RUNTIMES, kindUnsupported, parseRuntimeSpec, parseVersionOutput } from '../../core/runtimes.ts';
import { fakeRuntime } from '../../runners/fake.ts';

describe('runtime catalogue', () => {
  it('reads versions and Wasm handlers from each runtime family', () => {
    expect(parseVersionOutput('runc', 'runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1\nspec: 1.0.2-dev\n')).toEqual({
      version: '1.1.5+ds1',
      features: [],
      wasmHandlers: [],
    });
    const crun = parseVersionOutput('crun', 'crun version 1.8.1\ncommit: abc\nrundir: /run/crun\nspec: 1.0.0\n+SYSTEMD +SECCOMP +WASM:wasmtime +YAJL\n');
    expect(crun.version).toBe('1.8.1');
    expect(crun.features).toContain('+WASM:wasmtime');
    expect(crun.wasmHandlers).toEqual(['wasmtime']);
    expect(parseVersionOutput('youki', 'youki version: 0.7.0\ncommit: 0.7.0\nspec: 1.1.0\n').version).toBe('0.7.0');
    expect(parseVersionOutput('shim', 'containerd-shim-wasmtime-v1:\n  Runtime: wasmtime\n  Version: 0.1.0\n  Revision: e18\n')).toEqual({
      version: '0.1.0',
      features: [],
      wasmHandlers: ['wasmtime'],
    });
  });

  it('knows which workload kinds a runtime can run, and says why not', () => {
    const runc = fakeRuntime('runc');
    expect(kindUnsupported(runc, 'native')).toBeNull();
    expect(kindUnsupported(runc, 'wasm')).toBe('runc has no Wasm handler');
    const youki = fakeRuntime('youki', true);
    expect(kindUnsupported(youki, 'wasm')).toBeNull();
    const crunWasm = { ...fakeRuntime('crun-wasmtime', true), wasmOnly: true };
    expect(kindUnsupported(crunWasm, 'native')).toBe('crun-wasmtime runs every container as a Wasm module');
    const shim = { ...fakeRuntime('wasmtime-shim'), kind: 'containerd-shim' as const, wasmOnly: true };
    expect(kindUnsupported(shim, 'wasm')).toBeNull();
    expect(kindUnsupported(shim, 'native')).not.toBeNull();
  });

  it('has the wasmtime and wasmer shims as configuration, and NAME=PATH adds any OCI runtime', () => {
    const shim = KNOWN_RUNTIMES.find((r) => r.name === 'wasmtime-shim');
    expect(shim).toMatchObject({ kind: 'containerd-shim', binary: 'containerd-shim-wasmtime-v1', handler: 'io.containerd.wasmtime.v1', wasmOnly: true });
    // the same runwasi library with another engine: its version is the one set-up records
    expect(KNOWN_RUNTIMES.find((r) => r.name === 'wasmer-shim')).toMatchObject({
      kind: 'containerd-shim',
      binary: 'containerd-shim-wasmer-v1',
      handler: 'io.containerd.wasmer.v1',
      wasmOnly: true,
      engine: { name: 'wasmer', mode: 'jit', version: { file: 'engines.env', key: 'SHIM_WASMER' } },
    });
    expect(parseRuntimeSpec('mycrun=/opt/crun')).toMatchObject({ name: 'mycrun', kind: 'oci', binary: '/opt/crun' });
    // a known name keeps its global arguments when pointed elsewhere
    expect(parseRuntimeSpec('runsc=/opt/runsc').globalArgs).toEqual(['--platform=ptrace', '--network=none']);
    // runsc as its users run it, and a second configuration that applies linux.seccomp
    expect(parseRuntimeSpec('runsc').globalArgs).not.toContain('--oci-seccomp');
    expect(parseRuntimeSpec('runsc/oci-seccomp')).toMatchObject({ binary: 'runsc', globalArgs: ['--platform=ptrace', '--network=none', '--oci-seccomp'] });
  });
});
