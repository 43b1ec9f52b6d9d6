/** The config file: one schema, located one-line errors, file + flags + defaults, a stable digest. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configDigest, parseConfigText, resolveConfig, type Catalogue } from '../../core/config/index.ts';
import { UserError } from '../../core/errors.ts';
import { SUITES } from '../../suites/index.ts';
import { configSchemaText, CONFIG_SCHEMA_FILE } from '../../schema/generate.ts';
import { sampleConfig } from '../../cli/commands/init.ts';

const cat: Catalogue = { suites: SUITES, hostArch: 'amd64' };

function resolveText(text: string, flags = {}) {
  return resolveConfig(parseConfigText(text, 'runbench.yaml', '/etc/bench/runbench.yaml'), flags, cat);
}

function errorOf(text: string, flags = {}): string {
  try {
    resolveText(text, flags);
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).exitCode).toBe(2);
    return (e as Error).message;
  }
  throw new Error('no error');
}

describe('config errors name the file position and the key path', () => {
  it.each([
    ['runtimes:\n  - runc\n  - name: x\n    binary: 12\n', 'runbench.yaml:4:13: runtimes[1].binary: expected string, got number'],
    ['runtimes:\n  - name: x\n    binnary: /x\n', "runbench.yaml:3:5: runtimes[0].binnary: unknown key 'binnary' (did you mean 'binary'?)"],
    ['runs: 5\nfrobs: 1\n', "runbench.yaml:2:1: frobs: unknown key 'frobs'"],
    ['runtimes: [runc, nosuch]\n', "runbench.yaml:1:18: runtimes[1]: unknown runtime 'nosuch'"],
    ['runs: 0\n', 'runbench.yaml:1:7: runs: must be more than 0, got 0'],
    ['layers: [oci, docker]\n', 'runbench.yaml:1:15: layers[1]: expected one of oci, containerd, kubernetes'],
    ['suites: [startup, speed]\n', "runbench.yaml:1:19: suites[1]: unknown suite 'speed'"],
    [
      'thresholds:\n  metrics:\n    - metric: startup.runn\n      max: 20ms\n',
      "runbench.yaml:3:15: thresholds.metrics[0].metric: unknown metric 'startup.runn'",
    ],
    [
      'thresholds:\n  metrics:\n    - metric: startup.run\n      max: 20\n',
      "runbench.yaml:4:12: thresholds.metrics[0].max: give a unit for a time, e.g. '20ms'",
    ],
    ['thresholds:\n  metrics:\n    - metric: startup.run\n', 'runbench.yaml:3:7: thresholds.metrics[0]: give at least one of max, min, maxRegression'],
    ['thresholds:\n  metrics:\n    - metric: startup.run\n      maxRegression: 5\n', 'thresholds.metrics[0].maxRegression: expected string, got number'],
    ['architectures: [riscv64]\n', 'runbench.yaml:1:17: architectures[0]: riscv64 cannot run on this amd64 host: runnable here are amd64'],
    ['runtimes:\n  - name: spin\n    shim: io.containerd.spin.v2\n', "runtimes[0]: 'spin' is a containerd shim, which the oci layer cannot drive"],
    ['runs: [5\n', 'runbench.yaml:2:1:'],
  ])('%j', (text, message) => {
    const m = errorOf(text);
    expect(m).toContain(message);
    expect(m).not.toContain('\n');
  });

  it('reads JSON with positions too', () => {
    const src = parseConfigText('{\n  "runs": "5"\n}\n', 'rb.json');
    expect(() => resolveConfig(src, {}, cat)).toThrow('rb.json:2:11: runs: expected number, got string');
  });
});

describe('resolution: flags over file over defaults', () => {
  it('fills defaults when nothing is given', () => {
    const { config, output } = resolveConfig(null, {}, cat);
    expect(config).toMatchObject({ runtimes: null, layers: ['oci'], runs: 30, warmup: 3, concurrency: 4, churnContainers: 20, timeoutMs: 60_000, hangFactor: 10 });
    expect(config.suites).toEqual(SUITES.map((s) => s.name));
    expect(config.workloadKinds).toEqual(['native', 'wasm']);
    expect(output.baseline).toBeNull();
  });

  it("measures the catalogue's default layers (oci and containerd where containerd is usable) unless the file or a flag names some", () => {
    const withContainerd: Catalogue = { ...cat, defaultLayers: ['oci', 'containerd'] };
    const none = resolveConfig(null, {}, withContainerd);
    expect(none.config.layers).toEqual(['oci', 'containerd']);
    expect(none.layersNamed).toBe(false);
    const file = resolveConfig(parseConfigText('layers: [oci]\n', 'runbench.yaml', '/etc/bench/runbench.yaml'), {}, withContainerd);
    expect(file.config.layers).toEqual(['oci']);
    expect(file.layersNamed).toBe(true);
    const flag = resolveConfig(null, { layer: ['kubernetes'] }, withContainerd);
    expect(flag.config.layers).toEqual(['kubernetes']);
    expect(flag.layersNamed).toBe(true);
  });

  it('takes the file, then lets flags win', () => {
    const text = 'runs: 7\nwarmup: 0\ntimeout: 2s\nsuites: [startup]\nout: res\nbaseline: prev/results.json\n';
    const a = resolveText(text);
    expect(a.config).toMatchObject({ runs: 7, warmup: 0, timeoutMs: 2000, suites: ['startup'] });
    expect(a.output.out).toBe('/etc/bench/res');
    expect(a.output.baseline).toBe('/etc/bench/prev/results.json');
    const b = resolveText(text, { runs: 3, suite: ['memory'], timeout: 500 });
    expect(b.config).toMatchObject({ runs: 3, warmup: 0, timeoutMs: 500, suites: ['memory'] });
  });

  it('takes the hang factor from the file or the flag; 0 turns it off; between 0 and 2 it is refused at its position', () => {
    expect(resolveText('hangFactor: 0\n').config.hangFactor).toBe(0);
    expect(resolveText('hangFactor: 4\n', { hangFactor: 20 }).config.hangFactor).toBe(20);
    expect(errorOf('runs: 5\nhangFactor: 1\n')).toBe("runbench.yaml:2:13: hangFactor: must be 0 (off) or a number of at least 2, got '1'");
  });

  it('turns a runtime entry into a RuntimeDefinition: name + binary + args + wasm annotations', () => {
    const text = [
      'runtimes:',
      '  - runsc',
      '  - name: crun-wasmedge',
      '    binary: ./bin/crun',
      '    globalArgs: [--debug]',
      '    wasm: { annotations: { module.wasm.image/variant: compat-smart } }',
      '  - name: spin',
      '    shim: io.containerd.spin.v2',
      'layers: [containerd]',
    ].join('\n');
    const { config } = resolveText(text);
    expect(config.runtimes?.[0]).toMatchObject({ name: 'runsc', kind: 'oci', binary: 'runsc', globalArgs: ['--platform=ptrace', '--network=none'] });
    expect(config.runtimes?.[1]).toMatchObject({
      name: 'crun-wasmedge',
      kind: 'oci',
      binary: '/etc/bench/bin/crun',
      globalArgs: ['--debug'],
      wasm: { annotations: { 'module.wasm.image/variant': 'compat-smart' } },
    });
    expect(config.runtimes?.[2]).toMatchObject({ name: 'spin', kind: 'containerd-shim', binary: 'containerd-shim-spin-v2', handler: 'io.containerd.spin.v2' });
  });

  it('a --runtime flag picks a runtime defined in the file by name', () => {
    const { config } = resolveText('runtimes:\n  - name: mycrun\n    binary: /opt/crun\n', { runtime: ['mycrun', 'runc'] });
    expect(config.runtimes?.map((r) => [r.name, r.binary])).toEqual([
      ['mycrun', '/opt/crun'],
      ['runc', 'runc'],
    ]);
  });

  it('resolves thresholds into the metric unit', () => {
    const text = [
      'thresholds:',
      '  metrics:',
      '    - { metric: startup.run, runtime: crun, stat: p95, max: 20ms }',
      '    - { metric: startup.run, stat: p50, maxRegression: 5% }',
      '    - { metric: memory.cgroupPeakBytes, max: 64MiB }',
      '  conformance: { maxMustFailures: 0 }',
    ].join('\n');
    const t = resolveText(text).config.thresholds;
    expect(t.metrics[0]).toMatchObject({ suite: 'startup', metric: 'run', unit: 'ns', better: 'lower', stat: 'p95', max: 20e6, where: { runtime: 'crun' } });
    expect(t.metrics[1]).toMatchObject({ stat: 'median', maxRegressionPercent: 5, max: null });
    expect(t.metrics[2]).toMatchObject({ unit: 'bytes', max: 64 * 1024 * 1024 });
    expect(t.conformance).toEqual({ maxMustFailures: 0, maxShouldFailures: null });
  });

  it('the sample written by init is a valid config', () => {
    const text = sampleConfig([], '/tmp');
    expect(() => resolveText(text)).not.toThrow();
  });
});

describe('the published JSON Schema', () => {
  it('schema/runbench.config.schema.json is the one generated from the zod schema (npm run schema)', () => {
    expect(readFileSync(CONFIG_SCHEMA_FILE, 'utf8')).toBe(configSchemaText());
  });

  it('rejects unknown keys (strict objects)', () => {
    const schema = JSON.parse(readFileSync(CONFIG_SCHEMA_FILE, 'utf8')) as { additionalProperties: unknown };
    expect(schema.additionalProperties).toBe(false);
  });
});

describe('config digest', () => {
  it('is the same for the same config, whatever the key order', () => {
    const a = resolveText('runs: 5\nwarmup: 1\nsuites: [startup]\n').config;
    const b = resolveText('suites: [startup]\nwarmup: 1\nruns: 5\n').config;
    expect(configDigest(a)).toBe(configDigest(b));
    expect(configDigest({ x: 1, y: { b: 2, a: 1 } })).toBe(configDigest({ y: { a: 1, b: 2 }, x: 1 }));
  });

  it('changes when the runs change', () => {
    const a = resolveText('runs: 5\n').config;
    const b = resolveText('runs: 6\n').config;
    expect(configDigest(a)).not.toBe(configDigest(b));
  });

  it('ignores where results are written', () => {
    expect(configDigest(resolveText('runs: 5\nout: a\n').config)).toBe(configDigest(resolveText('runs: 5\nout: b\n').config));
  });
});

describe('architectures', () => {
  const withArm: Catalogue = { ...cat, emulatedArchs: ['arm64'] };
  it('accepts an arch the host emulates, from the file or from --arch', () => {
    const src = parseConfigText('architectures: [amd64, arm64]\n', 'runbench.yaml', '/etc/bench/runbench.yaml');
    expect(resolveConfig(src, {}, withArm).config.architectures).toEqual(['amd64', 'arm64']);
    expect(resolveConfig(src, { arch: ['arm64'] }, withArm).config.architectures).toEqual(['arm64']);
    expect(resolveConfig(null, {}, withArm).config.architectures).toEqual(['amd64']);
  });
  it('refuses one it cannot run, naming what can', () => {
    expect(() => resolveConfig(null, { arch: ['arm64'] }, cat)).toThrow('--arch: arm64 cannot run on this amd64 host: runnable here are amd64');
  });
});
