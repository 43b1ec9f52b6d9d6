import { describe, expect, it } from 'vitest';
import { toJunit } from '../../reports/junit.ts';
import { loadFixture } from './fixtures.ts';
import { hostileDoc } from './hostile.ts';

function suites(xml: string): string[] {
  return [...xml.matchAll(/<testsuite [^>]*>[\s\S]*?<\/testsuite>/g)].map((m) => m[0]);
}

describe('JUnit exporter', () => {
  const doc = loadFixture('single-host.json');
  const xml = toJunit([doc]);

  it('one testsuite per runtime × layer, one testcase per suite run and conformance result', () => {
    const s = suites(xml);
    expect(s.map((x) => /name="([^"]*)"/.exec(x)?.[1])).toEqual(['runc · oci', 'crun · oci', 'youki · oci']);
    const cases = (x: string) => (x.match(/<testcase /g) ?? []).length;
    // runc: 3 suite runs + 3 conformance; crun: 3 + 2; youki: 2 + 0
    expect(s.map(cases)).toEqual([6, 5, 2]);
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="runbench" tests="13" failures="2" errors="2" skipped="2" /);
  });

  it('failed -> <failure>, errored -> <error>, skipped -> <skipped message>', () => {
    expect(xml).toContain('<failure message="wasm: cgroup memory.peak not available on this kernel" type="failed">');
    expect(xml).toContain('<failure message="net.ipv4.ip_forward is 0, want 1" type="failed">');
    expect(xml).toContain('<error message="youki create exited 1: &quot;failed to create container&quot;" type="errored">');
    expect(xml).toContain('<error message="probe exited 2 before reporting" type="errored">');
    expect(xml).toContain('<skipped message="youki not found on PATH"/>');
    expect(xml).toContain('<skipped message="not supported on amd64 by this runtime version"/>');
    expect(xml).toContain('name="linux.sysctl [MUST] applies linux.sysctl (native, amd64)"');
    expect(xml).toContain('<testcase classname="runbench.oci.runc" name="suite startup" time="2.100">');
  });

  it('per-suite counts add up', () => {
    const runc = suites(xml)[0] ?? '';
    expect(runc).toMatch(/tests="6" failures="1" errors="0" skipped="1"/);
  });

  it('several hosts: the host is part of the suite name', () => {
    const both = toJunit([doc, loadFixture('arm64-emulated.json')]);
    expect(both).toContain('name="runc · oci @ci-x86"');
    expect(both).toContain('name="runc · oci @build-02"');
  });

  it('hostile strings are escaped, control characters dropped', () => {
    const d = hostileDoc();
    const first = d.suiteRuns.find((r) => r.outcome.status === 'skipped');
    if (first) first.outcome = { status: 'skipped', reason: 'bell\u0007 and nul\u0000 gone' };
    const out = toJunit([d]);
    expect(out).not.toMatch(/<img|<\/?script/);
    expect(out).toContain('&lt;img src=x onerror=&quot;window.pwned=1&quot;&gt;');
    expect(out).toContain('<skipped message="bell and nul gone"/>');
    // Balanced: every opened testsuite/testcase closes.
    expect((out.match(/<testsuite /g) ?? []).length).toBe((out.match(/<\/testsuite>/g) ?? []).length);
  });
});
