/**
 * The suite proves it can fail: each deliberately broken runtime (a wrapper around real runc
 * or crun, or around a runtime's Wasm handler) must fail exactly the checks for the promise it
 * breaks, and pass the controls: through the CLI, behind containerd's runc shim, and behind a
 * Kubernetes RuntimeClass. The table is in broken-table.ts.
 * Every check in the registry appears in some row's `fails` (asserted below), or is listed
 * in UNPROVEN with the reason no wrapper can break it yet.
 */
import { mkdirSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKS, selectChecks } from '../../checks/index.ts';
import { runConformance } from '../../checks/run.ts';
import { EventBus } from '../../core/events.ts';
import { hostFacts, isRoot } from '../../core/host.ts';
import { findBinary, parseRuntimeSpec, probeRuntime } from '../../core/runtimes.ts';
import type { ConformanceResult, Layer, RuntimeInfo } from '../../core/schema.ts';
import { workloadBuilt } from '../../core/workloads.ts';
import { RUNNERS } from '../../runners/index.ts';
import { localClusterWhy, localHandlers, runtimeClass } from '../helpers/cluster.ts';
import { needs, skipBecause } from '../helpers/require.ts';
import { lazyTempDir } from '../helpers/tmp.ts';
import { atKubernetes, BROKEN, CLUSTER_BROKEN_DIR, kubernetesHandler, runsAt, UNPROVEN, type Row } from './broken-table.ts';
import { writeWrapper } from './wrappers.ts';

const jq = findBinary('jq');
const root = isRoot();
const baseRuntimes = (process.env.RUNBENCH_TEST_BROKEN_BASE ?? 'runc,crun').split(',').filter(Boolean);
/** Runtimes whose Wasm handler the Wasm rows break. */
const WASM_BASES = (process.env.RUNBENCH_TEST_BROKEN_WASM_BASE ?? 'crun-wasmtime,youki,youki-wasmer').split(',').filter(Boolean);
const dir = lazyTempDir('runbench-broken-');

describe('the broken-runtime table', () => {
  it('names every registered check in some row, or says why not', () => {
    const covered = new Set([...BROKEN.flatMap((r) => r.fails), ...Object.keys(UNPROVEN)]);
    expect(CHECKS.map((c) => c.id).filter((id) => !covered.has(id))).toEqual([]);
    for (const r of BROKEN)
      for (const id of [...r.fails, ...r.passes])
        expect(
          CHECKS.some((c) => c.id === id),
          id,
        ).toBe(true);
  });
});

async function runAgainst(name: string, path: string, ids: string[], layer: Layer = 'oci'): Promise<ConformanceResult[]> {
  return runOn(await probeRuntime(parseRuntimeSpec(`${name}=${path}`)), ids, layer);
}

async function runOn(runtime: RuntimeInfo, ids: string[], layer: Layer): Promise<ConformanceResult[]> {
  const doc = await runConformance(
    { checks: selectChecks(ids), layers: [layer], checkTimeoutMs: 90_000 },
    { runners: RUNNERS, runtimes: [runtime], host: hostFacts(), events: new EventBus(), signal: new AbortController().signal },
  );
  return doc.conformance;
}

function summary(results: ConformanceResult[]): string {
  return results.map((r) => `${r.checkId}: ${r.outcome.status}${r.outcome.reason ? ` (${r.outcome.reason})` : ''}`).join('\n');
}

/** What runs against a base: the row's checks, less the controls the unbroken base does not pass itself. */
function asked(row: Row, baseNotPassing: ReadonlySet<string>): Row {
  return { ...row, passes: row.passes.filter((id) => !baseNotPassing.has(id) || row.fixes?.includes(id)) };
}

function expectExactly(row: Row, results: ConformanceResult[]): void {
  const excused = (r: ConformanceResult) => r.outcome.status === 'skipped' && (row.maySkip?.[r.checkId]?.test(r.outcome.reason) ?? false);
  const failedIds = results.filter((r) => r.outcome.status === 'failed').map((r) => r.checkId);
  const passedIds = results.filter((r) => r.outcome.status === 'passed').map((r) => r.checkId);
  const expectedFails = row.fails.filter((id) => !results.some((r) => r.checkId === id && excused(r)));
  expect(failedIds.sort(), summary(results)).toEqual(expectedFails.sort());
  expect(passedIds.sort(), summary(results)).toEqual([...row.passes].sort());
}

for (const base of baseRuntimes) {
  const real = findBinary(base);
  const why = !root
    ? 'not root'
    : !real
      ? `${base} is not installed`
      : !jq
        ? 'jq is not installed'
        : !workloadBuilt('probe', 'native', hostFacts().arch)
          ? 'the probe is not built'
          : null;
  needs(base, why).describe(`broken wrappers around ${base}`, () => {
    // A control is only evidence where the unbroken base passes it (runc 1.1 runs poststart
    // hooks at create, say): those the base does not pass are left out of the rows' controls.
    const nativeIds = [...new Set(BROKEN.filter((r) => !r.wasm).flatMap((r) => [...r.fails, ...r.passes]))];
    let baseNotPassing = new Set<string>();
    beforeAll(async () => {
      const unbroken = await runAgainst(base, real as string, nativeIds);
      baseNotPassing = new Set(unbroken.filter((r) => r.outcome.status !== 'passed').map((r) => r.checkId));
    }, 600_000);
    for (const row of BROKEN.filter((r) => !r.wasm)) {
      it(`${row.wrapper} fails exactly ${row.fails.join(', ') || 'nothing'}`, async ({ skip }) => {
        const r = asked(row, baseNotPassing);
        if (r.fails.length + r.passes.length === 0) skip(`${base} unbroken passes none of ${row.passes.join(', ')}`);
        const path = writeWrapper(dir(), `${base}-${row.wrapper}`, real as string, row.breaks);
        expectExactly(r, await runAgainst(`${base}-${row.wrapper}`, path, [...r.fails, ...r.passes]));
      });
    }
  });
}

/**
 * The same wrappers behind containerd's runc shim (as its BinaryName): the shim runs
 * `create` with the bundle it wrote from the spec runbench gave containerd, so a wrapper
 * that edits config.json at create breaks the containerd layer the same way. Rows whose
 * checks are all probe checks (lifecycle is the CLI's, and `run` is not the shim's path).
 */
const containerdWhy = (() => {
  const real = findBinary('runc');
  const runner = RUNNERS.containerd;
  const unavailable = runner ? runner.unavailable(hostFacts()) : 'no containerd runner';
  return !root ? 'not root' : !real ? 'runc is not installed' : !jq ? 'jq is not installed' : unavailable;
})();
needs(['runc', 'containerd'], containerdWhy).describe('broken wrappers around runc behind containerd', () => {
  for (const row of BROKEN.filter((r) => runsAt(r, 'containerd'))) {
    it(`${row.wrapper} fails exactly ${row.fails.join(', ') || 'nothing'}`, async () => {
      const path = writeWrapper(dir(), `containerd-runc-${row.wrapper}`, findBinary('runc') as string, row.breaks);
      expectExactly(row, await runAgainst(`runc-${row.wrapper}`, path, [...row.fails, ...row.passes], 'containerd'));
    });
  }
});

/**
 * The wrappers as CRI handlers of the local cluster (scripts/cluster.sh up with
 * RUNBENCH_CLUSTER_HANDLERS, see broken-handlers.ts), each reached through a RuntimeClass.
 * The pod's checks are judged against the spec the CRI generated, so these rows show that a
 * runtime breaking that spec is caught there too. Checks a pod cannot ask for skip; what is
 * judged must come out as the row says, and at least one of its breakages must show.
 */
const kubeRows = BROKEN.filter(atKubernetes);
const kubeWhy = await (async () => {
  if (!root) return 'not root';
  if (!jq) return 'jq is not installed';
  if (!findBinary('runc')) return 'runc is not installed';
  const cluster = await localClusterWhy();
  if (cluster) return cluster;
  const handlers = localHandlers();
  const missing = kubeRows.filter((r) => handlers.get(kubernetesHandler(r)) !== `${CLUSTER_BROKEN_DIR}/${kubernetesHandler(r)}`);
  return missing.length
    ? `the local cluster has no broken-* handlers: start it with RUNBENCH_CLUSTER_HANDLERS=$(npx tsx test/checks/broken-handlers.ts) scripts/cluster.sh up`
    : null;
})();
needs(['runc', 'cluster'], kubeWhy).describe('broken wrappers around runc behind a Kubernetes RuntimeClass', () => {
  const written: string[] = [];
  afterAll(() => {
    for (const f of written) rmSync(f, { force: true });
    if (written.length > 0 && readdirSync(CLUSTER_BROKEN_DIR).length === 0) rmdirSync(CLUSTER_BROKEN_DIR);
  });
  for (const row of kubeRows) {
    it(`${row.wrapper} fails what a pod can ask of ${row.fails.join(', ')}`, async () => {
      mkdirSync(CLUSTER_BROKEN_DIR, { recursive: true });
      written.push(writeWrapper(CLUSTER_BROKEN_DIR, kubernetesHandler(row), findBinary('runc') as string, row.breaks));
      const runtime = runtimeClass(kubernetesHandler(row));
      const results = await runOn(runtime, [...row.fails, ...row.passes], 'kubernetes');
      const judged = new Set(results.filter((r) => r.outcome.status !== 'skipped').map((r) => r.checkId));
      const failedIds = results.filter((r) => r.outcome.status === 'failed').map((r) => r.checkId);
      const passedIds = results.filter((r) => r.outcome.status === 'passed').map((r) => r.checkId);
      expect(failedIds.sort(), summary(results)).toEqual(row.fails.filter((id) => judged.has(id)).sort());
      expect(passedIds.sort(), summary(results)).toEqual(row.passes.filter((id) => judged.has(id)).sort());
      expect(failedIds.length, summary(results)).toBeGreaterThan(0);
    }, 600_000);
  }
});

/**
 * Every runtime with a Wasm handler that is installed is a base for the Wasm rows. A row is
 * only evidence where the unbroken base passes its checks: where the base itself fails one
 * (youki 0.7 preopens no directory), the row is skipped with that reason.
 */
for (const base of WASM_BASES) {
  const real = findBinary(base);
  const info = root && jq && real ? await probeRuntime(parseRuntimeSpec(base)) : null;
  const why = !root
    ? 'not root'
    : !jq
      ? 'jq is not installed'
      : !real
        ? `${base} is not installed`
        : info?.status !== 'ok'
          ? `${base} is ${info?.status}: ${info?.reason}`
          : info.wasmHandlers.length === 0
            ? `${base} has no Wasm handler`
            : !workloadBuilt('probe', 'wasm', hostFacts().arch)
              ? 'the Wasm probe is not built'
              : null;
  needs(base, why).describe(`broken wrappers around ${base}'s Wasm handler`, () => {
    const wasmIds = [...new Set(BROKEN.filter((r) => r.wasm).flatMap((r) => [...r.fails, ...r.passes]))];
    let unbroken: ConformanceResult[] = [];
    beforeAll(async () => {
      unbroken = await runAgainst(base, real as string, wasmIds);
    }, 300_000);
    for (const row of BROKEN.filter((r) => r.wasm)) {
      it(`${row.wrapper} fails exactly ${row.fails.join(', ')}`, async (ctx) => {
        const notPassing = unbroken.filter((r) => [...row.fails, ...row.passes].includes(r.checkId) && r.outcome.status !== 'passed');
        // what the base runtime itself does not do is not evidence either way: skipped even where required
        if (notPassing.length)
          skipBecause(ctx, `${base} unbroken does not pass ${notPassing.map((r) => `${r.checkId} (${r.outcome.status}: ${r.outcome.reason})`).join('; ')}`);
        const path = writeWrapper(dir(), `${base}-${row.wrapper}`, real as string, row.breaks);
        // named after the base so its Wasm annotations apply
        const results = await runAgainst(base, path, [...row.fails, ...row.passes]);
        expect(
          results
            .filter((r) => r.outcome.status === 'failed')
            .map((r) => r.checkId)
            .sort(),
          summary(results),
        ).toEqual([...row.fails].sort());
        expect(
          results
            .filter((r) => r.outcome.status === 'passed')
            .map((r) => r.checkId)
            .sort(),
          summary(results),
        ).toEqual([...row.passes].sort());
      });
    }
  });
}
