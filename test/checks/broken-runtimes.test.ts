/**
 * The suite proves it can fail: each deliberately broken runtime (a wrapper around real runc
 * or crun) must fail exactly the checks for the promise it breaks, and pass the controls.
 * Every check in the registry appears in some row's `fails` (asserted below), or is listed
 * in UNPROVEN with the reason no wrapper can break it yet.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKS, selectChecks } from '../../checks/index.ts';
import { runConformance } from '../../checks/run.ts';
import { EventBus } from '../../core/events.ts';
import { hostFacts, isRoot } from '../../core/host.ts';
import { findBinary, parseRuntimeSpec, probeRuntime } from '../../core/runtimes.ts';
import type { ConformanceResult, Layer } from '../../core/schema.ts';
import { workloadBuilt } from '../../core/workloads.ts';
import { RUNNERS } from '../../runners/index.ts';
import { writeWrapper, type Breakage } from './wrappers.ts';

interface Row {
  wrapper: string;
  breaks: Breakage;
  /** Checks that must fail against this wrapper. */
  fails: string[];
  /** Checks that must still pass against it (the wrapper breaks nothing else). */
  passes: string[];
  /** Wasm rows need a runtime with a Wasm handler. */
  wasm?: boolean;
  /** Checks allowed to skip instead of failing, when the host cannot tell (reason must match). */
  maySkip?: Record<string, RegExp>;
}

// Drops the last argument, but never the program itself (a container without args is another bug).
const DROP_LAST_ARG = 'if (.process.args | length) > 1 then .process.args |= .[:-1] else . end';
const CHECK_ENV_FILTER = '.process.env |= map(select(startswith("RB_CHECK_") | not))';
const CONSTANT_ENTROPY = [
  '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",',
  ' syscalls: [{names: ["getrandom"], action: "SCMP_ACT_ERRNO", errnoRet: 38}]}',
  ' | .linux.devices = ((.linux.devices // []) + [{path: "/dev/urandom", type: "c", major: 1, minor: 5, fileMode: 438, uid: 0, gid: 0}])',
].join('');

export const BROKEN: Row[] = [
  { wrapper: 'drop-env', breaks: { config: CHECK_ENV_FILTER }, fails: ['process.env'], passes: ['process.args', 'process.cwd'] },
  { wrapper: 'drop-args', breaks: { config: DROP_LAST_ARG }, fails: ['process.args'], passes: ['process.env'] },
  { wrapper: 'other-cwd', breaks: { config: '.process.cwd = "/"' }, fails: ['process.cwd'], passes: ['process.env'] },
  { wrapper: 'no-hostname', breaks: { config: 'del(.hostname)' }, fails: ['process.hostname'], passes: ['namespaces.uts'] },
  {
    wrapper: 'privileged',
    breaks: {
      config:
        '.process.user = {uid: 0, gid: 0} | .process.rlimits = [] | .process.noNewPrivileges = false | .process.capabilities |= with_entries(.value += ["CAP_SYS_ADMIN"])',
    },
    fails: ['process.user', 'process.rlimits', 'process.no-new-privileges', 'process.capabilities'],
    passes: ['process.env'],
  },
  { wrapper: 'exit-liar', breaks: { exitZero: true }, fails: ['lifecycle.exit-code'], passes: ['process.args'] },
  {
    wrapper: 'leaky',
    breaks: { leaky: true },
    fails: ['lifecycle.delete', 'lifecycle.create-error'],
    passes: ['lifecycle.status'],
  },
  {
    wrapper: 'bad-state',
    breaks: { state: 'del(.bundle) | if .status == "created" then .status = "running" else . end' },
    fails: ['lifecycle.state-fields', 'lifecycle.status'],
    passes: ['lifecycle.kill'],
  },
  {
    wrapper: 'lax-cli',
    breaks: { lenientStart: true, forceDelete: true, ignoreTerm: true, lenientKill: true },
    fails: ['lifecycle.start-twice', 'lifecycle.delete-running', 'lifecycle.kill', 'lifecycle.kill-stopped'],
    passes: ['lifecycle.state-fields'],
  },
  { wrapper: 'lazy-create', breaks: { lazyCreate: true }, fails: ['lifecycle.config-after-create'], passes: ['lifecycle.exit-code'] },
  { wrapper: 'replace-id', breaks: { replaceId: true }, fails: ['lifecycle.unique-id'], passes: ['lifecycle.state-fields'] },
  { wrapper: 'writable-root', breaks: { config: '.root.readonly = false' }, fails: ['filesystem.readonly-root'], passes: ['filesystem.masked-paths'] },
  {
    wrapper: 'unmasked',
    breaks: { config: '.linux.maskedPaths = [] | .linux.readonlyPaths = []' },
    fails: ['filesystem.masked-paths', 'filesystem.readonly-paths'],
    passes: ['filesystem.readonly-root'],
  },
  {
    wrapper: 'no-extra-mounts',
    breaks: { config: '.mounts |= map(select(.destination != "/data" and .destination != "/run"))' },
    fails: ['filesystem.bind-mount', 'filesystem.tmpfs-mount'],
    passes: ['filesystem.readonly-root'],
  },
  {
    wrapper: 'host-namespaces',
    breaks: { config: '.linux.namespaces |= map(select(.type == "mount")) | del(.hostname)' },
    fails: ['namespaces.pid', 'namespaces.uts', 'namespaces.ipc', 'namespaces.network'],
    passes: ['namespaces.mount'],
  },
  { wrapper: 'host-mount-ns', breaks: { hostMountNs: true }, fails: ['namespaces.mount'], passes: ['namespaces.pid', 'process.env'] },
  {
    wrapper: 'no-resources',
    breaks: { config: 'del(.linux.resources)' },
    fails: ['resources.memory', 'resources.pids', 'resources.cpu'],
    passes: ['process.env'],
    // On a saturated host an unlimited spin looks like a quota; the check says so and skips.
    maySkip: { 'resources.cpu': /host is too busy/ },
  },
  // Wasm: the same breakages through a runtime's Wasm handler.
  { wrapper: 'wasm-drop-env', breaks: { config: CHECK_ENV_FILTER }, fails: ['wasi.env'], passes: ['wasi.args'], wasm: true },
  { wrapper: 'wasm-drop-args', breaks: { config: DROP_LAST_ARG }, fails: ['wasi.args'], passes: ['wasi.env'], wasm: true },
  { wrapper: 'wasm-exit-liar', breaks: { exitZero: true }, fails: ['wasi.exit-code'], passes: ['wasi.args'], wasm: true },
  { wrapper: 'wasm-no-stderr', breaks: { dropStderr: true }, fails: ['wasi.stdio'], passes: ['wasi.args', 'wasi.env'], wasm: true },
  { wrapper: 'wasm-fake-clock', breaks: { fakeClock: true }, fails: ['wasi.clocks'], passes: ['wasi.args', 'wasi.random'], wasm: true },
  {
    wrapper: 'wasm-no-extra-mounts',
    breaks: { config: '.mounts |= map(select(.destination != "/data"))' },
    fails: ['wasi.preopen'],
    passes: ['wasi.env'],
    wasm: true,
  },
  {
    // A runtime whose entropy is a constant: getrandom(2) is refused with ENOSYS, so the
    // engine falls back to /dev/urandom, which is wired to the zero device (1:5). Each run's
    // bytes look random, and every run returns the same ones.
    wrapper: 'wasm-constant-entropy',
    breaks: { config: CONSTANT_ENTROPY },
    fails: ['wasi.random'],
    passes: ['wasi.env', 'wasi.clocks'],
    wasm: true,
  },
];

/** Checks no wrapper can break yet, and why (none, today: a check listed here is not done). */
export const UNPROVEN: Record<string, string> = {};

const jq = findBinary('jq');
const root = isRoot();
const baseRuntimes = (process.env.RUNBENCH_TEST_BROKEN_BASE ?? 'runc,crun').split(',').filter(Boolean);
/** Runtimes whose Wasm handler the Wasm rows break. */
const WASM_BASES = (process.env.RUNBENCH_TEST_BROKEN_WASM_BASE ?? 'crun-wasmtime,youki').split(',').filter(Boolean);
const dir = mkdtempSync(join(tmpdir(), 'runbench-broken-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the broken-runtime table', () => {
  it('names every registered check in some row, or says why not', () => {
    const covered = new Set([...BROKEN.flatMap((r) => r.fails), ...Object.keys(UNPROVEN)]);
    expect(CHECKS.map((c) => c.id).filter((id) => !covered.has(id))).toEqual([]);
    for (const r of BROKEN) for (const id of [...r.fails, ...r.passes]) expect(CHECKS.some((c) => c.id === id), id).toBe(true);
  });
});

async function runAgainst(name: string, path: string, ids: string[], layer: Layer = 'oci'): Promise<ConformanceResult[]> {
  const runtime = await probeRuntime(parseRuntimeSpec(`${name}=${path}`));
  const doc = await runConformance(
    { checks: selectChecks(ids), layers: [layer], checkTimeoutMs: 90_000 },
    { runners: RUNNERS, runtimes: [runtime], host: hostFacts(), events: new EventBus(), signal: new AbortController().signal },
  );
  return doc.conformance;
}

function summary(results: ConformanceResult[]): string {
  return results.map((r) => `${r.checkId}: ${r.outcome.status}${r.outcome.reason ? ` (${r.outcome.reason})` : ''}`).join('\n');
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
  const why = !root ? 'not root' : !real ? `${base} is not installed` : !jq ? 'jq is not installed' : !workloadBuilt('probe', 'native', hostFacts().arch) ? 'the probe is not built' : null;
  describe.skipIf(why !== null)(`broken wrappers around ${base}${why ? ` (skipped: ${why})` : ''}`, () => {
    for (const row of BROKEN.filter((r) => !r.wasm)) {
      it(`${row.wrapper} fails exactly ${row.fails.join(', ')}`, async () => {
        const path = writeWrapper(dir, `${base}-${row.wrapper}`, real as string, row.breaks);
        expectExactly(row, await runAgainst(`${base}-${row.wrapper}`, path, [...row.fails, ...row.passes]));
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
const atContainerd = (r: Row) =>
  !r.wasm && Object.keys(r.breaks).every((k) => k === 'config') && [...r.fails, ...r.passes].every((id) => CHECKS.find((c) => c.id === id)?.layers.includes('containerd'));
const containerdWhy = (() => {
  const real = findBinary('runc');
  const runner = RUNNERS.containerd;
  const unavailable = runner ? runner.unavailable(hostFacts()) : 'no containerd runner';
  return !root ? 'not root' : !real ? 'runc is not installed' : !jq ? 'jq is not installed' : unavailable;
})();
describe.skipIf(containerdWhy !== null)(`broken wrappers around runc behind containerd${containerdWhy ? ` (skipped: ${containerdWhy})` : ''}`, () => {
  for (const row of BROKEN.filter(atContainerd)) {
    it(`${row.wrapper} fails exactly ${row.fails.join(', ')}`, async () => {
      const path = writeWrapper(dir, `containerd-runc-${row.wrapper}`, findBinary('runc') as string, row.breaks);
      expectExactly(row, await runAgainst(`runc-${row.wrapper}`, path, [...row.fails, ...row.passes], 'containerd'));
    });
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
  describe.skipIf(why !== null)(`broken wrappers around ${base}'s Wasm handler${why ? ` (skipped: ${why})` : ''}`, () => {
    const wasmIds = [...new Set(BROKEN.filter((r) => r.wasm).flatMap((r) => [...r.fails, ...r.passes]))];
    let unbroken: ConformanceResult[] = [];
    beforeAll(async () => {
      unbroken = await runAgainst(base, real as string, wasmIds);
    }, 300_000);
    for (const row of BROKEN.filter((r) => r.wasm)) {
      it(`${row.wrapper} fails exactly ${row.fails.join(', ')}`, async ({ skip }) => {
        const notPassing = unbroken.filter((r) => [...row.fails, ...row.passes].includes(r.checkId) && r.outcome.status !== 'passed');
        if (notPassing.length) skip(`${base} unbroken does not pass ${notPassing.map((r) => `${r.checkId} (${r.outcome.status}: ${r.outcome.reason})`).join('; ')}`);
        const path = writeWrapper(dir, `${base}-${row.wrapper}`, real as string, row.breaks);
        // named after the base so its Wasm annotations apply
        const results = await runAgainst(base, path, [...row.fails, ...row.passes]);
        expect(results.filter((r) => r.outcome.status === 'failed').map((r) => r.checkId).sort(), summary(results)).toEqual([...row.fails].sort());
        expect(results.filter((r) => r.outcome.status === 'passed').map((r) => r.checkId).sort(), summary(results)).toEqual([...row.passes].sort());
      });
    }
  });
}
