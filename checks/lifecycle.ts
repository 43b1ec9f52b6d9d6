/**
 * Lifecycle and state: the operations of runtime.md (create, start, state, kill, delete)
 * and what they must refuse. Containers here run the `idle` workload, which waits for a
 * signal, so each status can be observed without racing the process.
 */
import { ALL_LAYERS, errored, failed, passed, type Check } from './types.ts';
import { firstLine, parseProbeOutput, reportOf } from './probe.ts';

import { killAndWait, leftovers, lifecycleCheck, SPEC, STOP_TIMEOUT_MS, stepFailed } from './lifecycle-steps.ts';
import { createHookFailure, hookFailureCheck, hooks, poststartTiming } from './hooks.ts';

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
