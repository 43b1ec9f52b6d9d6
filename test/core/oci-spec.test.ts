import { describe, expect, it } from 'vitest';
import { DEFAULT_CAPABILITIES, OciConfig, ociConfig, OMITTABLE } from '../../core/oci-spec.ts';

describe('OCI bundle generation', () => {
  it('generates a non-terminal config with a read-only root and no AppArmor profile', () => {
    const c = ociConfig({ args: ['/bin/hello'], rootfs: '/r' });
    expect(c.process?.terminal).toBe(false);
    expect(c.root).toEqual({ path: '/r', readonly: true });
    expect(JSON.stringify(c)).not.toContain('apparmorProfile');
    expect(c.process?.capabilities?.effective).toEqual(DEFAULT_CAPABILITIES);
    expect(c.linux?.namespaces?.map((n) => n.type)).toEqual(['pid', 'network', 'ipc', 'uts', 'mount']);
    expect(c.mounts?.map((m) => m.destination)).toContain('/proc');
    expect(c.linux?.resources).toBeUndefined();
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
    expect(c.linux?.cgroupsPath).toBe('/runbench-x/runc/id');
    expect(c.linux?.resources?.memory).toEqual({ limit: 32 << 20, swap: 32 << 20 });
    expect(c.linux?.resources?.pids).toEqual({ limit: 10 });
    expect(c.linux?.resources?.cpu).toEqual({ quota: 20_000, period: 100_000 });
    expect(c.annotations).toEqual({ 'run.oci.handler': 'wasm' });
  });

  it('rejects what a runtime would choke on', () => {
    expect(() => ociConfig({ args: [], rootfs: '/r' })).toThrow();
    expect(() => ociConfig({ args: ['/x'], rootfs: '/r', env: ['NOEQUALS'] })).toThrow();
    expect(() => ociConfig({ args: ['/x'], rootfs: '/r', cwd: 'relative' })).toThrow();
    expect(OciConfig.safeParse({}).success).toBe(false);
  });
});

describe('the model reads any valid config', () => {
  it('needs only ociVersion: everything the spec marks OPTIONAL is optional', () => {
    expect(OciConfig.parse({ ociVersion: '1.0.2' })).toEqual({ ociVersion: '1.0.2' });
    const minimal = {
      ociVersion: '1.0.2',
      root: { path: 'rootfs' },
      process: { cwd: '/', user: { uid: 0, gid: 0 }, args: ['/bin/sh'] },
      linux: { namespaces: [{ type: 'pid' }], resources: { devices: [{ allow: false }] } },
      mounts: [{ destination: '/proc' }],
    };
    const c = OciConfig.parse(minimal);
    expect(c.process?.rlimits).toBeUndefined();
    expect(c.process?.capabilities).toBeUndefined();
    expect(c.linux?.maskedPaths).toBeUndefined();
    expect(c.linux?.readonlyPaths).toBeUndefined();
    expect(c.hostname).toBeUndefined();
  });

  it('keeps properties it does not know, at every level, so a config read and written back loses nothing', () => {
    const raw = {
      ociVersion: '1.3.0',
      'io.example.top': { x: 1 },
      process: { cwd: '/', user: { uid: 0, gid: 0, umask: 18 }, args: ['/x'], scheduler: { policy: 'SCHED_OTHER' } },
      linux: { intelRdt: { closID: 'a' }, seccomp: { defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/l' } },
    };
    expect(JSON.parse(JSON.stringify(OciConfig.parse(raw)))).toEqual(raw);
  });

  it('still refuses what is invalid', () => {
    expect(OciConfig.safeParse({ ociVersion: '1.0.2', process: { user: { uid: 0, gid: 0 }, args: ['/x'] } }).success).toBe(false); // no cwd
    expect(OciConfig.safeParse({ ociVersion: '1.0.2', process: { cwd: '/', user: { uid: 0, gid: 0 }, args: [] } }).success).toBe(false);
    expect(OciConfig.safeParse({ ociVersion: '1.0.2', linux: { namespaces: [{ type: 'nope' }] } }).success).toBe(false);
  });

  it('generates configs without the fields asked left out, with unknown properties, and with another ociVersion', () => {
    const c = ociConfig({
      args: ['/x'],
      rootfs: '/r',
      ociVersion: '1.3.0',
      omit: [...OMITTABLE],
      unknownProperties: { config: { 'io.runbench.extra': true }, process: { 'io.runbench.p': 1 }, linux: { 'io.runbench.l': 'x' } },
    });
    expect(c.ociVersion).toBe('1.3.0');
    for (const field of OMITTABLE) {
      const [head, leaf] = field.split('.') as [string, string | undefined];
      const parent = (c as Record<string, unknown>)[head];
      if (leaf === undefined) expect(parent, field).toBeUndefined();
      else expect((parent as Record<string, unknown>)[leaf], field).toBeUndefined();
    }
    expect(c).toMatchObject({ 'io.runbench.extra': true, process: { 'io.runbench.p': 1 }, linux: { 'io.runbench.l': 'x' } });
  });

  it('writes each capability set on its own when asked', () => {
    const c = ociConfig({
      args: ['/x'],
      rootfs: '/r',
      capabilities: ['CAP_KILL', 'CAP_CHOWN'],
      capabilitySets: { inheritable: ['CAP_KILL'], ambient: ['CAP_KILL'] },
    });
    expect(c.process?.capabilities).toEqual({
      bounding: ['CAP_KILL', 'CAP_CHOWN'],
      effective: ['CAP_KILL', 'CAP_CHOWN'],
      permitted: ['CAP_KILL', 'CAP_CHOWN'],
      inheritable: ['CAP_KILL'],
      ambient: ['CAP_KILL'],
    });
  });
});
