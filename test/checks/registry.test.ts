/** The check registry, selection, the matrix and the exit code, without any runtime. */
import { describe, expect, it } from 'vitest';
import { CHECKS, selectChecks } from '../../checks/index.ts';
import { parseProbeOutput } from '../../checks/probe.ts';
import { conformanceMatrix } from '../../checks/render.ts';
import { notApplicable } from '../../checks/run.ts';
import { AREAS, type ConformanceTarget } from '../../checks/types.ts';
import { conformanceExitCode } from '../../cli/commands/conformance.ts';
import { UserError } from '../../core/errors.ts';
import type { ConformanceResult, ResultsDocument } from '../../core/schema.ts';

describe('the check registry', () => {
  it('has unique ids named after their area, each with a spec reference and level', () => {
    const ids = CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of CHECKS) {
      expect(c.id.startsWith(`${c.area}.`), c.id).toBe(true);
      expect(AREAS).toContain(c.area);
      // the runtime-spec, or for the CLI's own flags the runtime-tools command-line document
      expect(c.specRef, c.id).toMatch(
        c.area === 'wasi' ? /^WASI preview1 [a-z_]+/ : /^(runtime-spec [a-z-]+\.md#[a-z-]+|runtime-tools docs\/command-line-interface\.md#[a-z-]+)/,
      );
      expect(['MUST', 'SHOULD', 'MAY']).toContain(c.level);
      expect(c.layers.length, c.id).toBeGreaterThan(0);
    }
  });

  it('selects by id and by prefix*, and refuses what matches nothing', () => {
    expect(selectChecks(['process.env']).map((c) => c.id)).toEqual(['process.env']);
    expect(selectChecks(['namespaces.*']).every((c) => c.area === 'namespaces')).toBe(true);
    expect(selectChecks(undefined)).toHaveLength(CHECKS.length);
    expect(() => selectChecks(['process.nope'])).toThrow(UserError);
  });

  it('skips with a reason what does not apply to a target', () => {
    const target = { layer: 'containerd', runtimeName: 'x', wasmHandlers: [], containers: null } as unknown as ConformanceTarget;
    const lifecycle = CHECKS.find((c) => c.id === 'lifecycle.state-fields');
    const wasi = CHECKS.find((c) => c.id === 'wasi.env');
    const env = CHECKS.find((c) => c.id === 'process.env');
    expect(lifecycle && notApplicable(lifecycle, target, () => true)).toMatch(/applies at the oci layer/);
    expect(wasi && notApplicable(wasi, target, () => true)).toMatch(/no Wasm handler/);
    expect(env && notApplicable(env, target, () => false)).toMatch(/not built/);
    expect(env && notApplicable(env, target, () => true)).toBeNull();
  });
});

describe('the probe report', () => {
  it('is found among other output and validated', () => {
    expect(parseProbeOutput('noise\n').error).toMatch(/no probe report/);
    expect(parseProbeOutput('{"workload":"probe"}\n').error).toMatch(/schema/);
  });
});

function result(checkId: string, runtime: string, status: 'passed' | 'failed' | 'skipped' | 'errored', level: 'MUST' | 'SHOULD' = 'MUST'): ConformanceResult {
  return {
    checkId,
    area: checkId.split('.')[0] ?? '',
    title: checkId,
    specRef: 'runtime-spec config.md#process',
    level,
    labels: { runtime, layer: 'oci', workload: 'probe', workloadKind: 'native', arch: 'amd64', emulated: false, host: 'h', engine: 'none', engineMode: 'none' },
    outcome: status === 'passed' ? { status, reason: null } : { status, reason: `${status} because` },
  };
}

const doc = (conformance: ConformanceResult[]) => ({ conformance }) as unknown as ResultsDocument;

describe('the matrix and the exit code', () => {
  it('shows checks as rows, runtimes as columns, and the reasons of failures', () => {
    const text = conformanceMatrix(doc([result('process.env', 'runc', 'passed'), result('process.env', 'broken', 'failed'), result('process.cwd', 'runc', 'skipped')]));
    const header = text.split('\n')[0] ?? '';
    expect(header).toMatch(/check\s+level\s+runc\s+broken/);
    expect(text).toMatch(/process\.env\s+MUST\s+PASS\s+FAIL/);
    expect(text).toMatch(/broken\s+process\.env\s+FAIL: failed because/);
  });

  it('is 4 for a failed MUST, 1 for an error, 0 otherwise', () => {
    expect(conformanceExitCode(doc([result('a.b', 'r', 'failed'), result('a.c', 'r', 'errored')]))).toBe(4);
    expect(conformanceExitCode(doc([result('a.b', 'r', 'failed', 'SHOULD'), result('a.c', 'r', 'errored')]))).toBe(1);
    expect(conformanceExitCode(doc([result('a.b', 'r', 'failed', 'SHOULD'), result('a.c', 'r', 'skipped')]))).toBe(0);
  });
});
