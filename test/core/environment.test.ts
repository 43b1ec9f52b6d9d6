import { describe, expect, it } from 'vitest';
import { environmentDifferences, unexpected } from '../../core/environment.ts';
import { loadFixture } from '../reports/fixtures.ts';

describe('environment differences between base and head', () => {
  const base = loadFixture('single-host.json');

  it('none for the same document', () => {
    expect(environmentDifferences(base, base)).toEqual([]);
  });

  it('names each fact that differs, and whether it can move the figures', () => {
    const head = structuredClone(base);
    head.host.kernel = '6.5.0-1-amd64';
    head.host.nodeVersion = 'v22.1.0';
    head.tool.version = '0.2.0';
    const crun = head.runtimes.find((r) => r.name === 'crun');
    if (!crun) throw new Error('fixture has no crun');
    crun.version = '1.9';
    crun.features = [...crun.features, '+CRIU'];
    head.parameters.runs = 30;
    expect(environmentDifferences(base, head)).toEqual([
      { what: 'kernel', base: '6.1.0-13-amd64', head: '6.5.0-1-amd64', affectsFigures: true },
      { what: 'runbench version', base: '0.1.0', head: '0.2.0', affectsFigures: true },
      { what: 'Node version', base: 'v20.11.0', head: 'v22.1.0', affectsFigures: false },
      { what: 'runs', base: '6', head: '30', affectsFigures: false },
      { what: 'runtime crun version', base: '1.8.1', head: '1.9', affectsFigures: true },
      { what: 'runtime crun features', base: '+SECCOMP +SYSTEMD +WASM:wasmtime', head: '+CRIU +SECCOMP +SYSTEMD +WASM:wasmtime', affectsFigures: true },
    ]);
  });

  it('what can move the figures is what compare refuses without --allow-env-change', () => {
    const head = structuredClone(base);
    head.host.nodeVersion = 'v22.1.0';
    head.host.memoryBytes = base.host.memoryBytes - 3 * 1024 * 1024; // a kernel's reserve moves between boots
    expect(unexpected(environmentDifferences(base, head))).toEqual([]);
    head.host.hostname = 'ci-arm';
    head.host.cgroupLayout = 'hybrid';
    expect(unexpected(environmentDifferences(base, head)).map((d) => d.what)).toEqual(['host', 'cgroup layout']);
  });

  it('a different --timeout or hang deadline can move the failure rates; a document without them says nothing', () => {
    const b = structuredClone(base);
    b.parameters.timeoutMs = 60_000;
    b.parameters.hangDeadline = { factor: 10, floorMs: 5_000, afterSuccesses: 3 };
    expect(environmentDifferences(base, b)).toEqual([]);
    const head = structuredClone(b);
    head.parameters.timeoutMs = 10_000;
    head.parameters.hangDeadline = { factor: 0, floorMs: 5_000, afterSuccesses: 3 };
    expect(environmentDifferences(b, head)).toEqual([
      { what: 'timeout', base: '60000 ms', head: '10000 ms', affectsFigures: true },
      { what: 'hang deadline', base: '10 × the median, at least 5000 ms, after 3 good', head: 'off', affectsFigures: true },
    ]);
  });

  it('a runtime on one side only is listed for the record; its rows are listed as only in base or head', () => {
    const head = structuredClone(base);
    head.runtimes = head.runtimes.filter((r) => r.name !== 'youki');
    expect(environmentDifferences(base, head)).toEqual([{ what: 'runtime youki', base: 'present', head: 'absent', affectsFigures: false }]);
  });
});
