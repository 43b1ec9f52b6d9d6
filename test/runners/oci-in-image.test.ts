/** The bundle an in-image configuration writes: wasmtime from the in-image rootfs, no Wasm annotation, slugged id and cgroup. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { EventBus } from '../../core/events.ts';
import { hostFacts } from '../../core/host.ts';
import { inImageRootfs } from '../../core/in-image.ts';
import { rbExecPath, rootfsDir } from '../../core/paths.ts';
import { KNOWN_RUNTIMES } from '../../core/runtimes.ts';
import type { RuntimeInfo } from '../../core/schema.ts';
import { Scope } from '../../core/scope.ts';
import { fakeRuntime } from '../../runners/fake.ts';
import { OciSession } from '../../runners/oci/index.ts';
import { needs } from '../helpers/require.ts';
import { lazyTempDir } from '../helpers/tmp.ts';

const dir = lazyTempDir('runbench-in-image-');

const def = KNOWN_RUNTIMES.find((r) => r.name === 'runc/wasmtime-in-image')!;
const runtime: RuntimeInfo = { ...fakeRuntime(def.name), path: '/usr/sbin/runc', wasmOnly: true, wasmVia: def.wasmVia! };
const noHelper = existsSync(rbExecPath) ? null : `${rbExecPath} is missing (scripts/build-fixtures.sh)`;

needs('fixtures', noHelper).describe('in-image bundles', () => {
  it('runs wasmtime from the in-image rootfs with the module and its args, and no Wasm annotation', async () => {
    const host = hostFacts();
    const scope = new Scope('test');
    const session = new OciSession(runtime, { runId: '20000101abcdef', host, arch: 'amd64', scope, events: new EventBus(), workDir: join(dir(), 'w') });
    try {
      const c = session.prepare({ workload: { name: 'mem', kind: 'wasm', args: ['64'] }, timeoutMs: 1000 });
      const config = JSON.parse(readFileSync(join(c.bundle, 'config.json'), 'utf8'));
      expect(config.process.args).toEqual(['/usr/local/bin/wasmtime', 'run', '-C', 'cache=n', '-S', 'inherit-env=y', '--dir=/', '/wasm/mem.wasm', '64']);
      expect(config.root.path).toBe(inImageRootfs(def.wasmVia!, 'amd64'));
      expect(config.annotations).toBeUndefined();
      expect(c.id).toBe('rb-20000101abcdef-runc_wasmtime-in-image-000001');
      expect(c.cgroupsPath).toBe('/runbench-20000101abcdef/runc_wasmtime-in-image/rb-20000101abcdef-runc_wasmtime-in-image-000001');
      expect(c.bundle.startsWith(join(dir(), 'w', 'oci', 'runc_wasmtime-in-image'))).toBe(true);
      // native stays the base runtime's own row
      expect(session.supports('native')?.reason).toMatch(/native is measured as runc itself/);
      // a native workload (as doctor's smoke would never send) keeps the plain rootfs
      const n = session.prepare({ workload: { name: 'hello', kind: 'native', args: [] }, timeoutMs: 1000 });
      const nc = JSON.parse(readFileSync(join(n.bundle, 'config.json'), 'utf8'));
      expect(nc.process.args).toEqual(['/bin/hello']);
      expect(nc.root.path).toBe(rootfsDir('amd64'));
    } finally {
      await scope.close();
    }
  });
});
