/** The kubernetes conformance target's pure parts: a check's request as pod fields, the CRI's spec read back, CRI logs split. */
import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { asOciConfig, podEdits, splitCriLog } from '../../runners/kubernetes/target.ts';
import { CannotAsk } from '../../checks/types.ts';
import { DEFAULT_MASKED_PATHS } from '../../core/oci-spec.ts';

const pod = (): V1Pod => ({ metadata: { name: 'p' }, spec: { containers: [{ name: 'workload', image: 'i' }] } });
const edited = (o: Parameters<typeof podEdits>[0]) => {
  const p = pod();
  podEdits(o)(p);
  return p;
};

describe('podEdits', () => {
  it('says env, cwd, user, groups, capabilities, no-new-privileges, read-only root and hostname the way a pod does', () => {
    const p = edited({
      env: ['PATH=/bin', 'RB_CHECK_EQUALS=a=b'],
      cwd: '/etc',
      user: { uid: 65534, gid: 65534, additionalGids: [1000, 2000] },
      capabilities: ['CAP_CHOWN', 'CAP_KILL'],
      noNewPrivileges: true,
      readonlyRoot: true,
      hostname: 'rb-conformance',
      sysctl: { 'net.ipv4.ip_unprivileged_port_start': '1000' },
    });
    const c = p.spec!.containers[0]!;
    expect(c.env).toEqual([
      { name: 'PATH', value: '/bin' },
      { name: 'RB_CHECK_EQUALS', value: 'a=b' },
    ]);
    expect(c.workingDir).toBe('/etc');
    expect(c.securityContext).toEqual({
      runAsUser: 65534,
      runAsGroup: 65534,
      capabilities: { drop: ['ALL'], add: ['CHOWN', 'KILL'] },
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
    });
    expect(p.spec!.securityContext?.supplementalGroups).toEqual([1000, 2000]);
    expect(p.spec!.hostname).toBe('rb-conformance');
    expect(p.spec!.securityContext?.sysctls).toEqual([{ name: 'net.ipv4.ip_unprivileged_port_start', value: '1000' }]);
  });

  it('turns a bind mount into a hostPath volume, a tmpfs into a memory emptyDir, and limits into resources', () => {
    const p = edited({
      extraMounts: [
        { destination: '/data', type: 'bind', source: '/tmp/x', options: ['rbind', 'ro'] },
        { destination: '/run', type: 'tmpfs', source: 'tmpfs', options: ['size=1m'] },
      ],
      memoryLimitBytes: 32 * 1024 * 1024,
      cpuQuota: { quotaUs: 20_000, periodUs: 100_000 },
    });
    expect(p.spec!.volumes).toEqual([
      { name: 'rb-vol-0', hostPath: { path: '/tmp/x', type: 'Directory' } },
      { name: 'rb-vol-1', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
    ]);
    expect(p.spec!.containers[0]!.volumeMounts).toEqual([
      { name: 'rb-vol-0', mountPath: '/data', readOnly: true },
      { name: 'rb-vol-1', mountPath: '/run', readOnly: false },
    ]);
    expect(p.spec!.containers[0]!.resources).toEqual({ limits: { memory: '33554432', cpu: '200m' }, requests: { memory: '33554432', cpu: '200m' } });
  });

  it('refuses what a pod has no field for, saying so', () => {
    expect(() => podEdits({ rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1, hard: 2 }] })).toThrow(CannotAsk);
    expect(() => podEdits({ pidsLimit: 48 })).toThrow(/pids limit/);
    expect(() => podEdits({ namespaces: ['mount'] })).toThrow(CannotAsk);
    expect(() => podEdits({ cpuQuota: { quotaUs: 20_000, periodUs: 50_000 } })).toThrow(/per 100000/);
    expect(() => podEdits({ maskedPaths: ['/proc/kcore'] })).toThrow(/masked paths/);
    expect(() => podEdits({ hooks: { poststop: [{ path: '/bin/true' }] } })).toThrow(/hooks/);
    expect(() => podEdits({ oomScoreAdj: 345 })).toThrow(/QoS/);
    expect(() => podEdits({ devices: [{ path: '/dev/rb-null', type: 'c', major: 1, minor: 3 }] })).toThrow(/device/);
    // the CRI's own defaults are runbench's: asking for them is asking for nothing
    expect(() => podEdits({ maskedPaths: [...DEFAULT_MASKED_PATHS] })).not.toThrow();
  });
});

describe('the spec the CRI generated', () => {
  it('reads the parts the checks judge, filling what the CRI leaves out', () => {
    const c = asOciConfig({
      ociVersion: '1.1.0',
      process: { user: { uid: 0, gid: 0 }, args: ['/bin/probe'], env: ['PATH=/bin'], cwd: '/', capabilities: { bounding: ['CAP_KILL'] } },
      root: { path: 'rootfs' },
      mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }],
      linux: {
        namespaces: [{ type: 'uts', path: '/proc/1/ns/uts' }, { type: 'pid' }],
        resources: { memory: { limit: 1024 }, cpu: { shares: 2, quota: 20000, period: 100000 } },
      },
    });
    expect(c.hostname).toBe('');
    expect(c.process?.rlimits).toEqual([]);
    expect(c.process?.capabilities?.effective).toEqual([]);
    expect(c.linux?.namespaces?.[0]).toEqual({ type: 'uts', path: '/proc/1/ns/uts' });
    expect(c.linux?.resources).toEqual({ memory: { limit: 1024 }, cpu: { quota: 20000, period: 100000 } });
    expect(c.linux?.maskedPaths).toEqual([]);
  });
});

describe('CRI logs', () => {
  it('splits the streams and joins partial lines', () => {
    const log = [
      '2026-11-28T02:50:00.1Z stdout P {"a":',
      '2026-11-28T02:50:00.2Z stdout F 1}',
      '2026-11-28T02:50:00.3Z stderr F runbench-wasi-stderr',
      '2026-11-28T02:50:00.4Z stdout F ',
      '',
    ].join('\n');
    expect(splitCriLog(log)).toEqual({ stdout: '{"a":1}\n\n', stderr: 'runbench-wasi-stderr\n' });
  });
});
