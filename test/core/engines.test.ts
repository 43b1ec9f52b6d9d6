/** The Wasm engine behind each configuration: told from the definition, labelled on each figure, filled in for old documents. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfigText, resolveConfig } from '../../core/config/index.ts';
import { engineLabels, engineOf } from '../../core/engines.ts';
import { mendLegacyDocument } from '../../core/legacy.ts';
import { KNOWN_RUNTIMES, kindUnsupported } from '../../core/runtimes.ts';
import { ResultsDocument } from '../../core/schema.ts';
import { readResults } from '../../reports/json.ts';
import { SUITES } from '../../suites/index.ts';
import { runtimeInfo } from '../helpers/runtime.ts';

const dir = mkdtempSync(join(tmpdir(), 'runbench-engines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const def = (name: string) => {
  const d = KNOWN_RUNTIMES.find((r) => r.name === name);
  if (!d) throw new Error(`${name} is not known`);
  return d;
};

describe('Wasm engines', () => {
  it('names an engine and a mode for every known Wasm configuration', () => {
    const engines = Object.fromEntries(KNOWN_RUNTIMES.filter((r) => r.engine).map((r) => [r.name, `${r.engine?.name} ${r.engine?.mode}`]));
    expect(engines).toMatchObject({
      youki: 'wasmtime jit',
      'youki-wasmer': 'wasmer jit',
      'crun-wasmtime': 'wasmtime jit',
      'wasmtime-shim': 'wasmtime jit',
      'wasmer-shim': 'wasmer jit',
      'runc/wasmtime-in-image': 'wasmtime jit',
      'runc/wasmtime-aot-in-image': 'wasmtime aot',
      'crun/wasmtime-aot-in-image': 'wasmtime aot',
      'crun-wasmedge': 'wasmedge interpreter',
      'crun-wasmedge/aot': 'wasmedge aot',
      'crun-engines': 'wasmedge interpreter',
      'crun-engines/wasmtime': 'wasmtime jit',
      'crun-engines/wasmer': 'wasmer jit',
      'crun/wasmedge-in-image': 'wasmedge interpreter',
      'crun/wasmedge-jit-in-image': 'wasmedge jit',
      'crun/wasmedge-aot-in-image': 'wasmedge aot',
      'crun/wasmer-in-image': 'wasmer jit',
      'crun/wasmer-aot-in-image': 'wasmer aot',
    });
    // the handler that picks an engine in the one crun binary is named by the annotation alone
    expect(def('crun-engines/wasmtime').wasm?.annotations).toEqual({ 'run.oci.handler': 'wasmtime' });
    expect(def('crun-engines/wasmer').wasm?.annotations).toEqual({ 'run.oci.handler': 'wasmer' });
  });

  it('labels a native figure none and a Wasm figure with its engine, or unknown when nothing names it', () => {
    const crunW = runtimeInfo({ name: 'crun-wasmedge', wasmHandlers: ['wasmedge'], engine: { name: 'wasmedge', version: '0.14.1', mode: 'aot' } });
    expect(engineLabels(crunW, 'native')).toEqual({ engine: 'none', engineMode: 'none' });
    expect(engineLabels(crunW, 'wasm')).toEqual({ engine: 'wasmedge', engineMode: 'aot' });
    // no recorded engine: the one handler, with that engine's usual mode
    expect(engineLabels(runtimeInfo({ name: 'mine', wasmHandlers: ['wasmtime'] }), 'wasm')).toEqual({ engine: 'wasmtime', engineMode: 'jit' });
    // three handlers and nothing naming one: crun picks by its own order, which runbench does not guess
    const three = runtimeInfo({ name: 'x', wasmHandlers: ['wasmedge', 'wasmer', 'wasmtime'] });
    expect(engineLabels(three, 'wasm')).toEqual({ engine: 'unknown', engineMode: 'unknown' });
    expect(engineOf({ ...three, wasmAnnotations: { 'run.oci.handler': 'wasmer' } })).toEqual({ name: 'wasmer', version: null, mode: 'jit' });
    expect(engineOf(runtimeInfo({ name: 's', kind: 'containerd-shim', handler: 'io.containerd.wasmtime.v1', wasmOnly: true }))?.name).toBe('wasmtime');
    expect(engineOf(runtimeInfo({ name: 's', kind: 'containerd-shim', handler: 'io.containerd.wasmer.v1', wasmOnly: true }))).toEqual({ name: 'wasmer', version: null, mode: 'jit' });
  });

  it('measures native rows of a Wasm configuration as its base runtime', () => {
    const aot = runtimeInfo({ name: 'crun-wasmedge/aot', wasmHandlers: ['wasmedge'], wasmOnly: true });
    expect(kindUnsupported(aot, 'native')).toBe('crun-wasmedge/aot is one Wasm configuration of crun-wasmedge: native is measured as crun-wasmedge itself');
    expect(kindUnsupported(aot, 'wasm')).toBeNull();
  });

  it('gives the figures of a document from before engines were labels the engine of their runtime', () => {
    const labels = { layer: 'oci', workload: 'hello', arch: 'amd64', emulated: false, host: 'h' };
    const stats = { n: 1, min: 1, max: 1, mean: 1, stddev: 0, median: 1, p95: 1, p99: 1, mad: 0, outliers: [], ci95Median: [1, 1] };
    const m = (runtime: string, kind: string) => ({ suite: 'startup', metric: 'run', unit: 'ns', labels: { ...labels, runtime, workloadKind: kind }, samples: [1], stats, notes: {} });
    const rt = (name: string, over: object) => ({ name, kind: 'oci', path: null, version: null, features: [], wasmHandlers: [], status: 'ok', reason: null, globalArgs: [], ...over });
    const old = {
      schemaVersion: 1,
      tool: { name: 'runbench', version: '0.1.0' },
      runId: 'r',
      startedAt: 's',
      finishedAt: 'f',
      host: { hostname: 'h', kernel: 'k', os: 'o', arch: 'amd64', cpuModel: 'c', cores: 2, memoryBytes: 1, cgroupLayout: 'v1', cgroup2Controllers: [], root: true, apparmor: false, nodeVersion: 'v20' },
      runtimes: [
        rt('crun-wasmedge', { wasmHandlers: ['wasmedge'] }),
        rt('crun/wasmtime-in-image', { wasmOnly: true, wasmVia: { kind: 'in-image', runtimePath: '/usr/local/bin/wasmtime', args: [], rootfs: 'r', image: { name: 'n', archive: 'a' } } }),
      ],
      parameters: { suites: ['startup'], runtimes: [], layers: ['oci'], runs: 1, warmup: 0, concurrency: 1, churnContainers: 1 },
      config: { digest: 'd', resolved: {} },
      harness: null,
      measurements: [m('crun-wasmedge', 'native'), m('crun-wasmedge', 'wasm'), m('crun/wasmtime-in-image', 'wasm'), m('gone', 'wasm')],
      facts: [],
      suiteRuns: [],
      conformance: [],
    };
    const path = join(dir, 'old.json');
    writeFileSync(path, JSON.stringify(old));
    const doc = readResults(path);
    expect(doc.measurements.map((x) => `${x.labels.engine}/${x.labels.engineMode}`)).toEqual(['none/none', 'wasmedge/interpreter', 'wasmtime/jit', 'unknown/unknown']);
    // a document that has its engines keeps them
    const again = ResultsDocument.parse(mendLegacyDocument(JSON.parse(JSON.stringify(doc))));
    expect(again.measurements.map((x) => x.labels.engine)).toEqual(doc.measurements.map((x) => x.labels.engine));
  });

  it('takes an engine a config file names for a runtime of its own (WAMR, which nothing here builds)', () => {
    const text = 'runtimes:\n  - name: crun-wamr\n    binary: /opt/crun/bin/crun\n    wasm: { annotations: { run.oci.handler: wamr } }\n    engine: { name: wamr, mode: interpreter, version: 2.2.0 }\n';
    const { config } = resolveConfig(parseConfigText(text, 'runbench.yaml'), {}, { suites: SUITES, hostArch: 'amd64' });
    expect(config.runtimes?.[0]?.engine).toEqual({ name: 'wamr', mode: 'interpreter', version: '2.2.0' });
    const bad = parseConfigText('runtimes:\n  - name: x\n    binary: /x\n    engine: { name: wamr, mode: fast }\n', 'runbench.yaml');
    expect(() => resolveConfig(bad, {}, { suites: SUITES, hostArch: 'amd64' })).toThrow(/runtimes\[0\]\.engine\.mode/);
  });
});
