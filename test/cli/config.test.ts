/** run --config and init from the command line: exit codes, one-line errors, files written. */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { readConfigFile, resolveConfig } from '../../core/config/index.ts';
import { hostFacts } from '../../core/host.ts';
import { packageRoot } from '../../core/paths.ts';
import { ResultsDocument } from '../../core/schema.ts';
import { SUITES } from '../../suites/index.ts';
import { realRuntime } from '../helpers/real.ts';
import { needs } from '../helpers/require.ts';

const bin = join(packageRoot, 'bin', 'runbench.js');
const dir = mkdtempSync(join(tmpdir(), 'runbench-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function runbench(cwd: string, ...args: string[]) {
  return execa('node', [bin, ...args], { reject: false, cwd, env: { CI: '1' } });
}

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

describe('run --config: a config error is one located line and exit 2', () => {
  it.each([
    [
      'wrong type',
      'runtimes:\n  - runc\n  - name: crun-wasmedge\n    binary: 12\n',
      'runbench: runbench.yaml:4:13: runtimes[1].binary: expected string, got number',
    ],
    ['unknown key', 'runs: 3\nwramup: 1\n', "runbench: runbench.yaml:2:1: wramup: unknown key 'wramup' (did you mean 'warmup'?)"],
    ['unknown runtime', 'runtimes: [runc, nosuch]\n', "runbench: runbench.yaml:1:18: runtimes[1]: unknown runtime 'nosuch'"],
    ['bad YAML', 'runs: [3\n', 'runbench: runbench.yaml:2:1:'],
  ])('%s', async (_name, text, message) => {
    writeFileSync(join(dir, 'runbench.yaml'), text);
    const r = await runbench(dir, 'run', '--config', 'runbench.yaml');
    expect(r.exitCode).toBe(2);
    expect(oneLine(r.stderr)).toContain(message);
    expect(r.stdout).toBe('');
  });

  it('a missing config file', async () => {
    const r = await runbench(dir, 'run', '--config', 'nope.yaml');
    expect(r.exitCode).toBe(2);
    expect(oneLine(r.stderr)).toBe('runbench: cannot read config file nope.yaml: ENOENT');
  });

  it('an unreadable baseline', async () => {
    writeFileSync(join(dir, 'runbench.yaml'), 'baseline: missing.json\n');
    const r = await runbench(dir, 'run', '--config', 'runbench.yaml');
    expect(r.exitCode).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/cannot read results file .*missing\.json: ENOENT/);
  });
});

describe('runbench init', () => {
  const d = join(dir, 'proj');

  it('writes a config with a schema line and a nightly workflow, which run --config accepts', async () => {
    const r = await runbench(dir, 'init', '--dir', 'proj');
    expect(r.exitCode, r.stderr).toBe(0);
    const config = readFileSync(join(d, 'runbench.yaml'), 'utf8');
    expect(config.split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=.*schema\/runbench\.config\.schema\.json$/);
    const schemaRef = config.split('\n')[0]!.split('$schema=')[1]!;
    expect(existsSync(join(d, schemaRef))).toBe(true);
    const workflow = readFileSync(join(d, '.github', 'workflows', 'runbench-nightly.yml'), 'utf8');
    for (const step of [
      'scripts/setup.sh',
      'runbench run --config runbench.yaml',
      'gh run download',
      'runbench report',
      '--html',
      'runbench compare',
      'tool: customSmallerIsBetter',
      '--format openmetrics',
      'steps.compare.outputs.code',
    ]) {
      expect(workflow).toContain(step);
    }
    // The written config is valid and names the runtimes found here.
    const { config: resolved } = resolveConfig(readConfigFile(join(d, 'runbench.yaml')), {}, { suites: SUITES, hostArch: hostFacts().arch });
    expect(resolved.runtimes?.length).toBeGreaterThan(0);
    expect(resolved.thresholds.metrics.length).toBe(3);
  });

  it('refuses to overwrite without --force (exit 2, one line), overwrites with it', async () => {
    writeFileSync(join(d, 'runbench.yaml'), 'runs: 1\n');
    const r = await runbench(dir, 'init', '--dir', 'proj');
    expect(r.exitCode).toBe(2);
    expect(oneLine(r.stderr)).toBe('runbench: proj/runbench.yaml exists: use --force to overwrite it');
    expect(readFileSync(join(d, 'runbench.yaml'), 'utf8')).toBe('runs: 1\n');
    const f = await runbench(dir, 'init', '--dir', 'proj', '--force');
    expect(f.exitCode).toBe(0);
    expect(readFileSync(join(d, 'runbench.yaml'), 'utf8')).toContain('thresholds:');
  });
});

const runc = await realRuntime('runc');

describe('a threshold breach at the end of a real run', () => {
  needs('runc', runc.skip).it('exits 3, prints the breach, records it in results.json (real runc)', async () => {
    const d = join(dir, 'breach');
    mkdirSync(d, { recursive: true });
    writeFileSync(
      join(d, 'runbench.yaml'),
      [
        'runtimes: [runc]',
        'suites: [startup]',
        'workloads: { kinds: [native] }',
        'runs: 2',
        'warmup: 0',
        'out: results',
        'thresholds:',
        '  metrics:',
        '    - { metric: startup.run, stat: p50, max: 1us }   # cannot be met',
      ].join('\n'),
    );
    const r = await runbench(d, 'run', '--config', 'runbench.yaml', '--quiet');
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/^threshold breached: startup\.run median for runc oci hello native is .* above the limit of 1\.0 µs$/m);
    const doc = ResultsDocument.parse(JSON.parse(readFileSync(join(d, 'results', 'results.json'), 'utf8')));
    expect(doc.thresholds?.[0]?.outcome.status).toBe('failed');
    expect(doc.config.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(doc.config.resolved).toMatchObject({ runs: 2, warmup: 0, suites: ['startup'], workloadKinds: ['native'], runtimes: [{ name: 'runc' }] });
    // The same config twice gives the same digest; a flag that changes runs gives another.
    const again = await runbench(d, 'run', '--config', 'runbench.yaml', '--quiet', '--runs', '3', '--out', 'results3');
    expect(again.exitCode).toBe(3);
    const doc3 = ResultsDocument.parse(JSON.parse(readFileSync(join(d, 'results3', 'results.json'), 'utf8')));
    expect(doc3.config.digest).not.toBe(doc.config.digest);
    expect(doc3.parameters.runs).toBe(3);
  });
});
