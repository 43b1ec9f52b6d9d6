/** The three ways to run Wasm, told from configuration; the in-image process line; slugs of display names. */
import { describe, expect, it } from 'vitest';
import { parseConfigText, resolveConfig } from '../../core/config/index.ts';
import { inImageArgs } from '../../core/in-image.ts';
import { KNOWN_RUNTIMES, kindUnsupported } from '../../core/runtimes.ts';
import type { RuntimeInfo } from '../../core/schema.ts';
import { RuntimeInfo as RuntimeInfoSchema } from '../../core/schema.ts';
import { slug } from '../../core/slug.ts';
import { runtimeInfo } from '../helpers/runtime.ts';
import { wasmWay } from '../../core/wasm-ways.ts';
import { fakeRuntime } from '../../runners/fake.ts';
import { SUITES } from '../../suites/index.ts';

function known(name: string, path: string, wasmHandlers: string[] = []): RuntimeInfo {
  const def = KNOWN_RUNTIMES.find((r) => r.name === name);
  if (!def) throw new Error(`${name} is not a known runtime`);
  return runtimeInfo({
    name,
    version: '1.0.0-fake',
    kind: def.kind,
    path,
    wasmHandlers,
    ...(def.wasm ? { wasmAnnotations: def.wasm.annotations } : {}),
    ...(def.wasmOnly ? { wasmOnly: true } : {}),
    ...(def.handler ? { handler: def.handler } : {}),
    ...(def.wasmVia ? { wasmVia: def.wasmVia } : {}),
  });
}

describe('ways to run Wasm', () => {
  it('classifies each known runtime by its configuration, not its name', () => {
    expect(wasmWay(known('runc/wasmtime-in-image', '/usr/sbin/runc'))).toBe('in-image');
    expect(wasmWay(known('crun/wasmtime-in-image', '/usr/bin/crun'))).toBe('in-image');
    expect(wasmWay(known('crun-wasmtime', '/c/crun-wasmtime', ['wasmtime']))).toBe('oci-handler');
    expect(wasmWay(known('youki', '/c/youki', ['wasmtime']))).toBe('oci-handler');
    expect(wasmWay(known('wasmtime-shim', '/c/containerd-shim-wasmtime-v1', ['wasmtime']))).toBe('containerd-shim');
    expect(wasmWay(known('runc', '/usr/sbin/runc'))).toBeNull();
    // a youki built without its wasm feature has no handler: no way to run Wasm
    expect(wasmWay(known('youki', '/c/youki'))).toBeNull();
    // a name that looks like a way decides nothing
    expect(wasmWay({ ...fakeRuntime('my/wasmtime-in-image'), kind: 'oci' })).toBeNull();
  });

  it('runs only Wasm through an in-image configuration, and says native is the base runtime itself', () => {
    const rt = known('runc/wasmtime-in-image', '/usr/sbin/runc');
    expect(kindUnsupported(rt, 'wasm')).toBeNull();
    expect(kindUnsupported(rt, 'native')).toBe(
      'runc/wasmtime-in-image is runc running Wasm through /usr/local/bin/wasmtime in its image: native is measured as runc itself',
    );
  });

  it('builds the process line wasmtime run ... /wasm/<workload>.wasm <args>', () => {
    const via = KNOWN_RUNTIMES.find((r) => r.name === 'runc/wasmtime-in-image')?.wasmVia;
    expect(via).toBeDefined();
    expect(inImageArgs(via!, { name: 'cpu', kind: 'wasm', args: ['16', '50000000'] })).toEqual([
      '/usr/local/bin/wasmtime',
      'run',
      '-C',
      'cache=n',
      '-S',
      'inherit-env=y',
      '--dir=/',
      '/wasm/cpu.wasm',
      '16',
      '50000000',
    ]);
  });

  it('keeps wasmVia through the results schema, and refuses an unknown way', () => {
    const rt = known('crun/wasmtime-in-image', '/usr/bin/crun');
    expect(RuntimeInfoSchema.parse(rt).wasmVia).toEqual(rt.wasmVia);
    expect(() => RuntimeInfoSchema.parse({ ...rt, wasmVia: { ...rt.wasmVia, kind: 'sidecar' } })).toThrow();
  });

  it('turns display names into names valid for ids, namespaces and paths', () => {
    expect(slug('runc/wasmtime-in-image')).toBe('runc_wasmtime-in-image');
    expect(slug('crun-wasmtime')).toBe('crun-wasmtime');
    expect(slug('a b/c')).toBe('a-b_c');
    expect(slug('runc/wasmtime-in-image')).toMatch(/^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$/);
  });

  it('takes the names with a slash in a config file, keeping the way they run Wasm; two slashes are refused', () => {
    const src = parseConfigText('runtimes: [crun-wasmtime, runc/wasmtime-in-image]\nlayers: [oci, containerd]\n', 'runbench.yaml');
    const { config } = resolveConfig(src, {}, { suites: SUITES, hostArch: 'amd64' });
    expect(config.runtimes?.map((r) => r.name)).toEqual(['crun-wasmtime', 'runc/wasmtime-in-image']);
    expect(config.runtimes?.[1]?.wasmVia?.runtimePath).toBe('/usr/local/bin/wasmtime');
    const bad = parseConfigText('runtimes: [a/b/c]\n', 'runbench.yaml');
    expect(() => resolveConfig(bad, {}, { suites: SUITES, hostArch: 'amd64' })).toThrow(/runtimes/);
  });
});
