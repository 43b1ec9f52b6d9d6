/**
 * Density fills with real runtimes, through `runbench run --suite density`: the curve and
 * the figures come out of the results document, the footprint names the processes each
 * layer adds (the container processes; runsc's sandbox and gofer; containerd's shims and
 * containerd itself), and nothing is left on the machine afterwards.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { expect } from 'vitest';
import { ResultsDocument } from '../../core/schema.ts';
import { leftovers, nothingLeft } from '../helpers/leaks.ts';
import { realRuntime } from '../helpers/real.ts';
import { needs, whyMissing } from '../helpers/require.ts';
import { RUNBENCH_BIN } from '../helpers/run.ts';
import { lazyTempDir } from '../helpers/tmp.ts';

const dir = lazyTempDir('runbench-density-');
const runc = await realRuntime('runc');
const runsc = await realRuntime('runsc');
const containerd = await whyMissing('containerd');

async function densityRun(name: string, args: string[]): Promise<ResultsDocument> {
  const out = join(dir(), name);
  const r = await execa('node', [RUNBENCH_BIN, 'run', '--suite', 'density', '--out', out, ...args], { reject: false, all: true, env: { CI: '1' } });
  expect(r.exitCode, r.all).toBe(0);
  return ResultsDocument.parse(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')));
}

function curveOf(doc: ResultsDocument, layer: string) {
  const c = doc.density?.find((x) => x.labels.layer === layer);
  if (!c) throw new Error(`no ${layer} curve in the document`);
  return c;
}

needs('runc', runc.skip).it(
  'oci, runc: 40 idle containers, the curve of their PSS and start latency, a teardown that leaves nothing',
  async () => {
    const doc = await densityRun('oci-runc', ['--runtime', 'runc', '--density-max', '40']);
    const c = curveOf(doc, 'oci');
    expect(c.count).toBe(40);
    expect(c.stop.reason).toBe('cap');
    expect(c.points).toHaveLength(41);
    const last = c.points.at(-1);
    // runc leaves no monitor: everything below the helper is a container's own process
    expect(Object.keys(last?.byProcess ?? {})).toEqual(['idle']);
    expect(last?.footprintBytes).toBeGreaterThan(40 * 16 * 1024);
    expect(last?.cgroupBytes).toBeGreaterThan(0);
    expect(c.points.slice(1).every((p) => p.startNs !== null && p.startNs > 0)).toBe(true);
    expect(c.teardown?.leftovers).toEqual([]);
    expect(doc.measurements.find((m) => m.metric === 'densityPerGiB')?.samples[0]).toBeGreaterThan(100);
    expect(leftovers(doc.runId)).toEqual(nothingLeft);
  },
  300_000,
);

needs('runsc', runsc.skip).it(
  "oci, runsc: the sandbox and gofer count in the footprint, and the teardown kills them",
  async () => {
    const doc = await densityRun('oci-runsc', ['--runtime', 'runsc', '--density-max', '12']);
    const c = curveOf(doc, 'oci');
    expect(c.count).toBe(12);
    expect(Object.keys(c.points.at(-1)?.byProcess ?? {})).toEqual(expect.arrayContaining(['runsc-sandbox', 'runsc-gofer']));
    expect(c.teardown?.leftovers).toEqual([]);
    expect(leftovers(doc.runId)).toEqual(nothingLeft);
  },
  300_000,
);

needs(['runc', 'containerd'], runc.skip ?? containerd).it(
  'containerd, runc: shims and containerd itself in the footprint, every container, shim and socket removed',
  async () => {
    const doc = await densityRun('containerd-runc', ['--layer', 'containerd', '--runtime', 'runc', '--density-max', '25']);
    const c = curveOf(doc, 'containerd');
    expect(c.count).toBe(25);
    const base = c.points[0]?.byProcess ?? {};
    const last = c.points.at(-1)?.byProcess ?? {};
    // before the first container: containerd alone
    expect(Object.keys(base)).toEqual(['containerd']);
    expect(Object.keys(last).sort()).toEqual(['containerd', 'containerd-shim-runc-v2', 'idle']);
    // one shim a container costs more than the container's own process
    expect(last['containerd-shim-runc-v2']).toBeGreaterThan(last.idle ?? Infinity);
    expect(c.teardown?.leftovers).toEqual([]);
    expect(leftovers(doc.runId)).toEqual(nothingLeft);
  },
  300_000,
);
