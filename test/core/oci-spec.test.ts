import { describe, expect, it } from 'vitest';
import { DEFAULT_CAPABILITIES, OciConfig, ociConfig } from '../../core/oci-spec.ts';

describe('OCI bundle generation', () => {
  it('generates a non-terminal config with a read-only root and no AppArmor profile', () => {
    const c = ociConfig({ args: ['/bin/hello'], rootfs: '/r' });
    expect(c.process.terminal).toBe(false);
    expect(c.root).toEqual({ path: '/r', readonly: true });
    expect(JSON.stringify(c)).not.toContain('apparmorProfile');
    expect(c.process.capabilities.effective).toEqual(DEFAULT_CAPABILITIES);
    expect(c.linux.namespaces.map((n) => n.type)).toEqual(['pid', 'network', 'ipc', 'uts', 'mount']);
    expect(c.mounts.map((m) => m.destination)).toContain('/proc');
    expect(c.linux.resources).toBeUndefined();
    expect(c.annotations).toBeUndefined();
  });

  it('carries limits, cgroups path and Wasm annotations when asked', () => {
    const c = ociConfig({
      args: ['/wasm/hello.wasm'],
      rootfs: '/r',
      cgroupsPath: '/runbench-x/runc/id',
      memoryLimitBytes: 32 << 20,
      pidsLimit: 10,
      cpuQuota: { quotaUs: 20_000, periodUs: 100_000 },
      annotations: { 'run.oci.handler': 'wasm' },
    });
    expect(c.linux.cgroupsPath).toBe('/runbench-x/runc/id');
    expect(c.linux.resources?.memory).toEqual({ limit: 32 << 20, swap: 32 << 20 });
    expect(c.linux.resources?.pids).toEqual({ limit: 10 });
    expect(c.linux.resources?.cpu).toEqual({ quota: 20_000, period: 100_000 });
    expect(c.annotations).toEqual({ 'run.oci.handler': 'wasm' });
  });

  it('rejects what a runtime would choke on', () => {
    expect(() => ociConfig({ args: [], rootfs: '/r' })).toThrow();
    expect(() => ociConfig({ args: ['/x'], rootfs: '/r', env: ['NOEQUALS'] })).toThrow();
    expect(() => ociConfig({ args: ['/x'], rootfs: '/r', cwd: 'relative' })).toThrow();
    expect(OciConfig.safeParse({}).success).toBe(false);
  });
});
