/**
 * Lifecycle and state: the operations of runtime.md (create, start, state, kill, delete)
 * and what they must refuse. Containers here run the `idle` workload, which waits for a
 * signal, so each status can be observed without racing the process.
 */
import type { Outcome } from '../core/schema.ts';
import {
  ALL_LAYERS,
  errored,
  failed,
  passed,
  type Check,
  type BundleOverrides,
  type CheckContext,
  type ContainerHandle,
  type ContainerOps,
  type Level,
  type Remains,
} from './types.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OciConfig, OciHook } from '../core/oci-spec.ts';
import { probeCheck } from './define.ts';
import { firstLine, parseProbeOutput, reportOf } from './probe.ts';

const SPEC = 'runtime-spec';
const STOP_TIMEOUT_MS = 10_000;

function opsOf(ctx: CheckContext): ContainerOps {
  const ops = ctx.target.containers;
  if (!ops) throw new Error(`the ${ctx.target.layer} target has no step-by-step container operations`);
  return ops;
}

/** A failed step the check depends on: errored, with the runtime's first line of stderr. */
const stepFailed = (step: string, r: { exitCode: number; stderr: string }): Outcome => errored(`${step} failed (exit ${r.exitCode}): ${firstLine(r.stderr)}`);

interface LifecycleMeta {
  id: string;
  title: string;
  specRef: string;
  level?: Level;
}

/**
 * A check of the runtime's CLI operations. With `container`, an idle container is created
 * (and started, for `running`) first and handed to `run`; the runtime failing that is errored.
 */
function lifecycleCheck(
  spec: LifecycleMeta &
    (
      | {
          container: 'created' | 'running';
          /** What the container's config asks for beyond the defaults. */
          overrides?(ctx: CheckContext): BundleOverrides;
          run(ops: ContainerOps, c: ContainerHandle, ctx: CheckContext): Promise<Outcome>;
        }
      | { container: 'none'; workload?: 'idle' | 'probe'; run(ops: ContainerOps, ctx: CheckContext): Promise<Outcome> }
    ),
): Check {
  return {
    id: spec.id,
    area: 'lifecycle',
    title: spec.title,
    specRef: spec.specRef,
    level: spec.level ?? 'MUST',
    kinds: ['native'],
    layers: ['oci'],
    needs: ['containers'],
    workload: spec.container === 'none' ? (spec.workload ?? 'idle') : 'idle',
    async run(ctx) {
      const ops = opsOf(ctx);
      if (spec.container === 'none') return spec.run(ops, ctx);
      const c = ops.bundle('idle', [], spec.overrides?.(ctx));
      const created = await ops.create(c);
      if (created.exitCode !== 0) return stepFailed('create', created);
      if (spec.container === 'running') {
        const started = await ops.start(c.id);
        if (started.exitCode !== 0) return stepFailed('start', started);
      }
      return spec.run(ops, c, ctx);
    },
  };
}

/** Kills a running container and waits until it is stopped; an Outcome when it does not stop. */
async function killAndWait(ops: ContainerOps, id: string): Promise<Outcome | null> {
  await ops.kill(id, 'KILL');
  const s = await ops.waitFor(id, 'stopped', STOP_TIMEOUT_MS);
  return s?.status === 'stopped' ? null : errored(`the container did not stop after kill KILL (status ${s?.status ?? 'gone'})`);
}

/** What is left of a container, as reasons: an answering `state`, a state entry, cgroups, processes. */
function leftovers(state: { exitCode: number; state: { status: string | null } | null }, left: Remains, stateAnswers: string): string[] {
  const problems: string[] = [];
  if (state.exitCode === 0) problems.push(`${stateAnswers} (status ${state.state?.status ?? '?'})`);
  if (left.stateEntry) problems.push('a state entry is left under --root');
  if (left.cgroups.length) problems.push(`cgroup left: ${left.cgroups[0]}${left.cgroups.length > 1 ? ` (+${left.cgroups.length - 1})` : ''}`);
  if (left.processes.length) problems.push(`process left: ${left.processes[0]}`);
  return problems;
}

const stateFields = lifecycleCheck({
  id: 'lifecycle.state-fields',
  title: 'state reports ociVersion, id, status, pid and bundle',
  specRef: `${SPEC} runtime.md#state`,
  container: 'created',
  async run(ops, c) {
    const r = await ops.state(c.id);
    if (r.exitCode !== 0) return failed(`state of a created container exited ${r.exitCode}: ${firstLine(r.stderr)}`);
    if (!r.state) return failed(`state output is not a JSON object: ${JSON.stringify(r.stdout.slice(0, 80))}`);
    const o = (r.state.raw ?? {}) as Record<string, unknown>;
    const problems: string[] = [];
    if (typeof o.ociVersion !== 'string' || !/^\d+\.\d+\.\d+/.test(o.ociVersion)) problems.push(`ociVersion is ${JSON.stringify(o.ociVersion)}`);
    if (o.id !== c.id) problems.push(`id is ${JSON.stringify(o.id)}, not ${c.id}`);
    if (typeof o.status !== 'string') problems.push(`status is ${JSON.stringify(o.status)}`);
    if (typeof o.pid !== 'number' || o.pid <= 0) problems.push(`pid of a created container is ${JSON.stringify(o.pid)}`);
    if (o.bundle !== c.bundle) problems.push(`bundle is ${JSON.stringify(o.bundle)}, not ${c.bundle}`);
    return problems.length ? failed(problems.join('; ')) : passed();
  },
});

const statusTransitions = lifecycleCheck({
  id: 'lifecycle.status',
  title: 'status goes created → running → stopped',
  specRef: `${SPEC} runtime.md#lifecycle, runtime.md#state`,
  container: 'created',
  async run(ops, c) {
    const s1 = (await ops.state(c.id)).state;
    if (s1?.status !== 'created') return failed(`after create, status is ${JSON.stringify(s1?.status ?? null)}, not "created"`);
    const started = await ops.start(c.id);
    if (started.exitCode !== 0) return stepFailed('start', started);
    const s2 = (await ops.state(c.id)).state;
    if (s2?.status !== 'running') return failed(`after start, status is ${JSON.stringify(s2?.status ?? null)}, not "running"`);
    const killed = await ops.kill(c.id, 'KILL');
    if (killed.exitCode !== 0) return stepFailed('kill KILL', killed);
    const s3 = await ops.waitFor(c.id, 'stopped', STOP_TIMEOUT_MS);
    if (s3?.status !== 'stopped') return failed(`after the process was killed, status is ${JSON.stringify(s3?.status ?? null)}, not "stopped"`);
    return passed();
  },
});

const uniqueId = lifecycleCheck({
  id: 'lifecycle.unique-id',
  title: 'create with an id already in use fails and leaves the first container alone',
  specRef: `${SPEC} runtime.md#create`,
  container: 'created',
  async run(ops, c) {
    const before = (await ops.state(c.id)).state;
    const again = await ops.create(ops.bundle('idle', []), c.id);
    const after = (await ops.state(c.id)).state;
    if (again.exitCode === 0) return failed(`a second create with id ${c.id} succeeded`);
    if (!after || after.pid !== before?.pid)
      return failed(`the refused create changed the first container (pid ${before?.pid ?? '?'} -> ${after?.pid ?? 'gone'})`);
    return passed();
  },
});

const startTwice = lifecycleCheck({
  id: 'lifecycle.start-twice',
  title: 'start of a container that is not created fails without effect',
  specRef: `${SPEC} runtime.md#start`,
  container: 'running',
  async run(ops, c) {
    const before = (await ops.state(c.id)).state;
    const again = await ops.start(c.id);
    const after = (await ops.state(c.id)).state;
    if (again.exitCode === 0) return failed('a second start of a running container succeeded');
    if (after?.status !== 'running' || after.pid !== before?.pid) {
      return failed(`the refused start changed the container (status ${after?.status ?? 'gone'}, pid ${before?.pid ?? '?'} -> ${after?.pid ?? '?'})`);
    }
    return passed();
  },
});

const deleteRunning = lifecycleCheck({
  id: 'lifecycle.delete-running',
  title: 'delete of a running container (without --force) fails without effect',
  specRef: `${SPEC} runtime.md#delete`,
  container: 'running',
  async run(ops, c) {
    const del = await ops.delete(c.id);
    const after = (await ops.state(c.id)).state;
    if (del.exitCode === 0) return failed(`delete of a running container succeeded (it is now ${after?.status ?? 'gone'})`);
    if (after?.status !== 'running') return failed(`the refused delete left the container ${after?.status ?? 'gone'}`);
    return passed();
  },
});

const pidFile = lifecycleCheck({
  id: 'lifecycle.pid-file',
  title: "create --pid-file writes the container process's pid, the one state reports",
  specRef: 'runtime-tools docs/command-line-interface.md#create (--pid-file)',
  container: 'created',
  async run(ops, c) {
    const written = ops.pidFile(c).trim();
    if (!written) return failed('create wrote nothing to the --pid-file');
    if (!/^\d+$/.test(written)) return failed(`the --pid-file holds ${JSON.stringify(written.slice(0, 40))}, not a pid`);
    const s = (await ops.state(c.id)).state;
    if (s?.pid === null || s?.pid === undefined) return errored('state reports no pid to compare with');
    return Number(written) === s.pid ? passed() : failed(`the --pid-file says ${written}, state says ${s.pid}`);
  },
});

const killTerm = lifecycleCheck({
  id: 'lifecycle.kill',
  title: 'kill delivers SIGTERM: a process that exits on it leaves the container stopped',
  specRef: `${SPEC} runtime.md#kill`,
  container: 'running',
  async run(ops, c) {
    const k = await ops.kill(c.id, 'TERM');
    if (k.exitCode !== 0) return failed(`kill TERM exited ${k.exitCode}: ${firstLine(k.stderr)}`);
    const s = await ops.waitFor(c.id, 'stopped', STOP_TIMEOUT_MS);
    if (s?.status !== 'stopped') return failed(`${STOP_TIMEOUT_MS / 1000} s after kill TERM the container is ${s?.status ?? 'gone'}, not stopped`);
    return passed();
  },
});

const killStopped = lifecycleCheck({
  id: 'lifecycle.kill-stopped',
  title: 'kill of a stopped container fails without effect',
  specRef: `${SPEC} runtime.md#kill`,
  container: 'running',
  async run(ops, c) {
    const notStopped = await killAndWait(ops, c.id);
    if (notStopped) return notStopped;
    const again = await ops.kill(c.id, 'KILL');
    const after = (await ops.state(c.id)).state;
    if (again.exitCode === 0) return failed('kill of a stopped container succeeded');
    if (after?.status !== 'stopped') return failed(`the refused kill left the container ${after?.status ?? 'gone'}`);
    return passed();
  },
});

const killCreated = lifecycleCheck({
  id: 'lifecycle.kill-created',
  title: 'kill of a created container sends the signal: after KILL it is stopped',
  specRef: `${SPEC} runtime.md#kill`,
  container: 'created',
  async run(ops, c) {
    const k = await ops.kill(c.id, 'KILL');
    if (k.exitCode !== 0) return failed(`kill KILL of a created container exited ${k.exitCode}: ${firstLine(k.stderr)}`);
    const s = await ops.waitFor(c.id, 'stopped', STOP_TIMEOUT_MS);
    if (s?.status !== 'stopped') return failed(`${STOP_TIMEOUT_MS / 1000} s after kill KILL the created container is ${s?.status ?? 'gone'}, not stopped`);
    return passed();
  },
});

const deleteCreated = lifecycleCheck({
  id: 'lifecycle.delete-created',
  title: 'delete of a created (not stopped) container, without --force, fails without effect',
  specRef: `${SPEC} runtime.md#delete`,
  container: 'created',
  async run(ops, c) {
    const del = await ops.delete(c.id);
    const after = (await ops.state(c.id)).state;
    if (del.exitCode === 0) return failed(`delete of a created container succeeded (it is now ${after?.status ?? 'gone'})`);
    if (after?.status !== 'created') return failed(`the refused delete left the container ${after?.status ?? 'gone'}`);
    return passed();
  },
});

const deleteRemoves = lifecycleCheck({
  id: 'lifecycle.delete',
  title: 'delete of a stopped container removes it: no state, no cgroup, no process',
  specRef: `${SPEC} runtime.md#delete`,
  container: 'running',
  async run(ops, c) {
    const notStopped = await killAndWait(ops, c.id);
    if (notStopped) return notStopped;
    const del = await ops.delete(c.id);
    if (del.exitCode !== 0) return failed(`delete of a stopped container exited ${del.exitCode}: ${firstLine(del.stderr)}`);
    const problems = leftovers(await ops.state(c.id), ops.remains(c), 'state still answers');
    return problems.length ? failed(`after delete, ${problems.join('; ')}`) : passed();
  },
});

const failedCreate = lifecycleCheck({
  id: 'lifecycle.create-error',
  title: 'a create that cannot apply the config fails and leaves nothing behind',
  specRef: `${SPEC} runtime.md#create, runtime.md#errors`,
  container: 'none',
  async run(ops) {
    // A bind mount whose source does not exist cannot be applied.
    const missing = `/nonexistent-runbench-${Date.now()}`;
    const c = ops.bundle('idle', [], { extraMounts: [{ destination: '/data', type: 'bind', source: missing, options: ['rbind'] }] });
    const r = await ops.create(c);
    const problems = leftovers(await ops.state(c.id), ops.remains(c), 'state answers for it');
    if (r.exitCode === 0) problems.unshift(`create succeeded with a bind mount from missing ${missing}`);
    return problems.length ? failed(problems.join('; ')) : passed(`create refused: ${firstLine(r.stderr).slice(0, 100)}`);
  },
});

const configAfterCreate = lifecycleCheck({
  id: 'lifecycle.config-after-create',
  title: 'edits to config.json after create do not affect the container',
  specRef: `${SPEC} runtime.md#lifecycle, runtime.md#create`,
  container: 'none',
  workload: 'probe',
  async run(ops) {
    const c = ops.bundle('probe', ['--exit', '3']);
    const created = await ops.create(c);
    if (created.exitCode !== 0) return stepFailed('create', created);
    ops.rewriteConfig(c, (cfg) => (cfg.process ? { ...cfg, process: { ...cfg.process, args: [cfg.process.args?.[0] ?? '/bin/probe', '--exit', '5'] } } : cfg));
    const started = await ops.start(c.id);
    if (started.exitCode !== 0) return stepFailed('start', started);
    await ops.waitFor(c.id, 'stopped', STOP_TIMEOUT_MS);
    const { report, error } = parseProbeOutput(ops.stdout(c));
    if (!report) return errored(`no probe report from the started container: ${error ?? ''}`);
    if (report.exitRequested === 5) return failed('the process ran with args written to config.json after create');
    return report.exitRequested === 3 ? passed() : errored(`the probe ran with unexpected args ${report.argv.join(' ')}`);
  },
});

/** Hooks that run in the runtime namespace, in the order runtime.md#lifecycle runs them. */
const HOOK_ORDER = ['createRuntime', 'createContainer', 'poststart', 'poststop'] as const;

const hooks = probeCheck({
  id: 'lifecycle.hooks',
  area: 'lifecycle',
  title: 'createRuntime, createContainer, poststart and poststop hooks run, in order, with the state on stdin',
  specRef: `${SPEC} config.md#posix-platform-hooks, runtime.md#lifecycle`,
  level: 'MUST',
  layers: ['oci', 'containerd'],
  setup(ctx) {
    const dir = ctx.target.scratchDir('hooks');
    // each hook appends its name to `order` and keeps the state it read on stdin
    const hook = (name: string) => ({ path: '/bin/sh', args: ['sh', '-c', 'printf "%s\\n" "$1" >> "$2/order"; cat > "$2/$1.json"', 'hook', name, dir] });
    return {
      args: [],
      overrides: { hooks: Object.fromEntries(HOOK_ORDER.map((h) => [h, [hook(h)]])) },
    };
  },
  judge(_report, run) {
    const dir = hookDir(run.requested);
    if (!dir) return errored('the config carries no hooks');
    const order = readOr(join(dir, 'order')).split('\n').filter(Boolean);
    const missing = HOOK_ORDER.filter((h) => !order.includes(h));
    if (missing.length) return failed(`hooks that did not run: ${missing.join(', ')}${order.length ? ` (ran: ${order.join(', ')})` : ''}`);
    if (order.join(',') !== HOOK_ORDER.join(',')) return failed(`hooks ran in the order ${order.join(', ')}`);
    const ids = HOOK_ORDER.map((h) => {
      try {
        const state = JSON.parse(readOr(join(dir, `${h}.json`))) as { id?: unknown };
        return typeof state.id === 'string' && state.id !== '' ? state.id : null;
      } catch {
        return null;
      }
    });
    const noState = HOOK_ORDER.filter((_, i) => ids[i] === null);
    if (noState.length) return failed(`hooks without the container's state on stdin: ${noState.join(', ')}`);
    if (new Set(ids).size !== 1) return failed(`hooks got the state of different containers: ${ids.join(', ')}`);
    return passed();
  },
});

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** The directory the hooks write to: their last argument. */
function hookDir(config: OciConfig): string | null {
  return config.hooks?.createRuntime?.[0]?.args?.at(-1) ?? null;
}

/** A hook that appends its name to `dir/ran` (and reads the state it is given). */
function recordingHook(dir: string, name: string): OciHook {
  return { path: '/bin/sh', args: ['sh', '-c', 'printf "%s\\n" "$1" >> "$2/ran"; cat >/dev/null', 'hook', name, dir] };
}
/** A hook that fails. */
const FAILING_HOOK: OciHook = { path: '/bin/sh', args: ['sh', '-c', 'cat >/dev/null; exit 1'] };

/** The hooks that recorded themselves, in order, in the directory the config's recording hooks name. */
function hooksRan(config: OciConfig): { dir: string | null; ran: () => string[] } {
  const all = Object.values(config.hooks ?? {}).flatMap((h) => (Array.isArray(h) ? h : []));
  const dir = all.find((h) => h.args?.[3] === 'hook')?.args?.at(-1) ?? null;
  return { dir, ran: () => (dir ? readOr(join(dir, 'ran')).split('\n').filter(Boolean) : []) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const poststartTiming = lifecycleCheck({
  id: 'lifecycle.poststart-timing',
  title: 'poststart hooks run during start, before it returns: not at create',
  specRef: `${SPEC} config.md#poststart, runtime.md#lifecycle`,
  container: 'created',
  overrides: (ctx) => ({ hooks: { poststart: [recordingHook(ctx.target.scratchDir('hooks'), 'poststart')] } }),
  async run(ops, c) {
    const { dir, ran } = hooksRan(c.requested);
    if (!dir) return errored('the config carries no recording hook');
    if (ran().includes('poststart')) return failed('the poststart hook ran during create, before start');
    const started = await ops.start(c.id);
    if (started.exitCode !== 0) return stepFailed('start', started);
    if (ran().includes('poststart')) return passed();
    await sleep(1000);
    return failed(ran().includes('poststart') ? 'start returned before the poststart hook ran' : 'the poststart hook did not run');
  },
});

/** A failing hook followed by a recording one: the failure is a warning, the second hook and the lifecycle go on. */
function hookFailureCheck(kind: 'poststart' | 'poststop', step: number): Check {
  return lifecycleCheck({
    id: `lifecycle.${kind}-hook-failure`,
    title: `a failing ${kind} hook is a warning: the hook after it runs and ${kind === 'poststart' ? 'start' : 'delete'} succeeds`,
    specRef: `${SPEC} runtime.md#lifecycle (step ${step})`,
    container: 'none',
    async run(ops, ctx) {
      const c = ops.bundle('idle', [], { hooks: { [kind]: [FAILING_HOOK, recordingHook(ctx.target.scratchDir('hooks'), kind)] } });
      const { ran } = hooksRan(c.requested);
      const problems: string[] = [];
      const created = await ops.create(c);
      if (created.exitCode !== 0) {
        // a runtime that runs poststart hooks at create fails there
        if (kind === 'poststart') return failed(`create failed (exit ${created.exitCode}): ${firstLine(created.stderr)}`);
        return stepFailed('create', created);
      }
      const started = await ops.start(c.id);
      if (kind === 'poststart') {
        if (started.exitCode !== 0) problems.push(`start failed (exit ${started.exitCode}): ${firstLine(started.stderr)}`);
        else {
          const s = (await ops.state(c.id)).state;
          if (s?.status !== 'running') problems.push(`after start the container is ${s?.status ?? 'gone'}, not running`);
        }
        if (!ran().includes(kind)) problems.push('the poststart hook after the failing one did not run');
        return problems.length ? failed(problems.join('; ')) : passed();
      }
      if (started.exitCode !== 0) return stepFailed('start', started);
      const notStopped = await killAndWait(ops, c.id);
      if (notStopped) return notStopped;
      const del = await ops.delete(c.id);
      if (del.exitCode !== 0) problems.push(`delete failed (exit ${del.exitCode}): ${firstLine(del.stderr)}`);
      if (!ran().includes(kind)) problems.push('the poststop hook after the failing one did not run');
      return problems.length ? failed(problems.join('; ')) : passed();
    },
  });
}

const createHookFailure = lifecycleCheck({
  id: 'lifecycle.create-hook-failure',
  title: 'a failing createRuntime hook fails create and leaves no container behind',
  specRef: `${SPEC} runtime.md#lifecycle (step 4)`,
  container: 'none',
  async run(ops, ctx) {
    const dir = ctx.target.scratchDir('hooks');
    const c = ops.bundle('idle', [], { hooks: { createRuntime: [FAILING_HOOK], poststop: [recordingHook(dir, 'poststop')] } });
    const r = await ops.create(c);
    const problems = leftovers(await ops.state(c.id), ops.remains(c), 'state answers for it');
    if (r.exitCode === 0) problems.unshift('create succeeded although its createRuntime hook failed');
    if (problems.length) return failed(problems.join('; '));
    // steps 12 and 13 then destroy the container and run the poststop hooks: recorded, not judged
    const poststop = hooksRan(c.requested).ran().includes('poststop') ? 'the poststop hook ran' : 'the poststop hook did not run';
    return passed(`create refused (${firstLine(r.stderr).slice(0, 100)}); ${poststop}`);
  },
});

const exitCode: Check = {
  id: 'lifecycle.exit-code',
  area: 'lifecycle',
  title: "the one-shot run exits with the container process's exit code",
  // runtime-spec defines no `run`; runc, crun, youki and runsc all return the process's status.
  specRef: `${SPEC} runtime.md#lifecycle (process exit; \`run\` as in runc's CLI)`,
  level: 'SHOULD',
  kinds: ['native'],
  layers: ALL_LAYERS,
  async run(ctx) {
    const run = await ctx.target.probe({ kind: 'native', args: ['--exit', '7'] });
    const { report, outcome } = reportOf(run);
    if (!report) return run.exitCode === 7 ? passed('exit 7, without a report') : (outcome ?? errored('no report'));
    if (report.exitRequested !== 7) return errored(`the probe did not get --exit 7 (argv ${report.argv.join(' ')})`);
    return run.exitCode === 7 ? passed() : failed(`the probe exited 7, the runtime reported ${run.exitCode}`);
  },
};

export const LIFECYCLE_CHECKS: readonly Check[] = [
  stateFields,
  statusTransitions,
  uniqueId,
  startTwice,
  deleteRunning,
  pidFile,
  killTerm,
  killStopped,
  killCreated,
  deleteCreated,
  deleteRemoves,
  failedCreate,
  configAfterCreate,
  hooks,
  poststartTiming,
  hookFailureCheck('poststart', 9),
  hookFailureCheck('poststop', 13),
  createHookFailure,
  exitCode,
];
