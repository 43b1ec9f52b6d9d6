import { describe, expect, it } from 'vitest';
import { toTap } from '../../reports/tap.ts';
import { loadFixture } from './fixtures.ts';
import { hostileDoc } from './hostile.ts';

describe('TAP exporter', () => {
  it('conformance results as TAP 14', () => {
    const tap = toTap([loadFixture('single-host.json')]);
    expect(tap).toBe(
      [
        'TAP version 14',
        '1..5',
        'ok 1 - process.args runc oci native amd64',
        'ok 2 - process.args crun oci native amd64',
        'not ok 3 - linux.sysctl runc oci native amd64',
        '  ---',
        '  message: "net.ipv4.ip_forward is 0, want 1"',
        '  severity: fail',
        '  level: MUST',
        '  specRef: "config-linux.md#sysctl"',
        '  title: "applies linux.sysctl"',
        '  host: "ci-x86"',
        '  ...',
        'not ok 4 - linux.sysctl crun oci native amd64',
        '  ---',
        '  message: "probe exited 2 before reporting"',
        '  severity: error',
        '  level: MUST',
        '  specRef: "config-linux.md#sysctl"',
        '  title: "applies linux.sysctl"',
        '  host: "ci-x86"',
        '  ...',
        'ok 5 - linux.personality runc oci native amd64 # SKIP not supported on amd64 by this runtime version',
        '',
      ].join('\n'),
    );
  });

  it('no conformance results: an explicit skip of the whole plan', () => {
    expect(toTap([loadFixture('arm64-emulated.json')])).toBe('TAP version 14\n1..0 # SKIP no conformance results in these documents\n');
  });

  it('a "#" in a name or reason cannot start a directive, and every point is one line', () => {
    const tap = toTap([hostileDoc()]);
    const points = tap.split('\n').filter((l) => /^(not )?ok \d/.test(l));
    expect(points.length).toBe(5);
    const skip = points.find((l) => l.includes('# SKIP'));
    expect(skip).toContain('reason <img src=x onerror="window.pwned=1"></script><script>window.pwned=1</script> \\# not a directive');
    expect(tap).toContain('  message: "reason <img src=x onerror=\\"window.pwned=1\\"></script><script>window.pwned=1</script> # not a directive"');
  });
});
