/** The containerd runner's pure parts: names, encodings, the generated config. */
import { describe, expect, it } from 'vitest';
import { RUNC_OPTIONS_TYPE_URL, runcOptions } from '../../runners/containerd/api.ts';
import { configToml, shimSocketPath } from '../../runners/containerd/daemon.ts';
import { chainId } from '../../runners/containerd/images.ts';
import { isShim, shimRuntimeName } from '../../runners/containerd/index.ts';
import type { RuntimeInfo } from '../../core/schema.ts';
import { runtimeInfo } from '../helpers/runtime.ts';

const info = (over: Partial<RuntimeInfo>): RuntimeInfo => runtimeInfo({ name: 'x', path: '/usr/bin/x', ...over });

describe('containerd runner', () => {
  it('names a shim binary the way containerd resolves runtime names', () => {
    expect(shimRuntimeName('/root/.cache/runbench/bin/containerd-shim-wasmtime-v1')).toBe('io.containerd.wasmtime.v1');
    expect(shimRuntimeName('/root/.cache/runbench/bin/containerd-shim-wasmer-v1')).toBe('io.containerd.wasmer.v1');
    expect(shimRuntimeName('/usr/bin/containerd-shim-runc-v2')).toBe('io.containerd.runc.v2');
    expect(shimRuntimeName('/usr/bin/crun')).toBeNull();
    expect(isShim(info({ path: '/opt/containerd-shim-spin-v2' }))).toBe(true);
    expect(isShim(info({ kind: 'containerd-shim', path: '/opt/shim' }))).toBe(true);
    expect(isShim(info({ path: '/usr/sbin/runc' }))).toBe(false);
  });

  it('encodes runc shim options as containerd.runc.v1.Options (binary_name = 6, root = 7)', () => {
    const any = runcOptions({ binaryName: '/usr/bin/crun', root: '/r' });
    expect(any.type_url).toBe(RUNC_OPTIONS_TYPE_URL);
    // tag 6/LEN, length 13, bytes; tag 7/LEN, length 2, bytes
    expect([...any.value]).toEqual([0x32, 13, ...Buffer.from('/usr/bin/crun'), 0x3a, 2, ...Buffer.from('/r')]);
    const long = runcOptions({ binaryName: 'a'.repeat(200) });
    expect([...long.value.subarray(0, 3)]).toEqual([0x32, 0xc8, 0x01]);
  });

  it('computes OCI chain IDs as containerd names committed snapshots', () => {
    const a = 'sha256:aaaa';
    expect(chainId([a])).toBe(a);
    // sha256("sha256:aaaa sha256:bbbb"), as `printf ... | sha256sum` gives it
    expect(chainId([a, 'sha256:bbbb'])).toBe('sha256:2c4d8760379f05d0ad1ed610712309f0114e7345e6e6a351494cff030ffdf197');
    expect(chainId([a, 'sha256:bbbb'])).not.toBe(chainId(['sha256:bbbb', a]));
  });

  it("generates a config whose root, state and sockets are all under runbench's directory", () => {
    const toml = configToml('/run/runbench/r1/containerd/runc/daemon');
    const paths = toml.split('\n').filter((l) => /(root|state|address) = "\//.test(l));
    expect(paths).toHaveLength(4);
    for (const line of paths) expect(line).toContain('/run/runbench/r1/containerd/runc/daemon');
    expect(toml).toContain('disabled_plugins = ["io.containerd.grpc.v1.cri"]');
    expect(toml).not.toContain('/run/containerd');
    expect(shimSocketPath('/a.sock', 'ns', 'id')).toMatch(/^\/run\/containerd\/s\/[0-9a-f]{64}$/);
  });
});
