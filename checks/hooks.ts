/**
 * Hooks (config.md#posix-platform-hooks, runtime.md#lifecycle): which run, in what order, with
 * what on stdin, when poststart runs relative to `start`, and what a failing hook does.
 */
import { errored, failed, passed, type Check } from './types.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OciConfig, OciHook } from '../core/oci-spec.ts';
import { probeCheck } from './define.ts';
import { firstLine } from './probe.ts';
import { killAndWait, leftovers, lifecycleCheck, SPEC, stepFailed } from './lifecycle-steps.ts';

const HOOK_ORDER = ['createRuntime', 'createContainer', 'poststart', 'poststop'] as const;

export const hooks = probeCheck({
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

export const poststartTiming = lifecycleCheck({
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
export function hookFailureCheck(kind: 'poststart' | 'poststop', step: number): Check {
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

export const createHookFailure = lifecycleCheck({
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
