/**
 * The step-by-step machinery the lifecycle and hook checks share: a check that makes an idle
 * container through the target's operations and removes whatever it made, and the readers of
 * what a container left behind.
 */
import type { Outcome } from '../core/schema.ts';
import {
  errored,
  type Check,
  type BundleOverrides,
  type CheckContext,
  type ContainerHandle,
  type ContainerOps,
  type Level,
  type Remains,
} from './types.ts';
import { firstLine } from './probe.ts';

export const SPEC = 'runtime-spec';
export const STOP_TIMEOUT_MS = 10_000;

export function opsOf(ctx: CheckContext): ContainerOps {
  const ops = ctx.target.containers;
  if (!ops) throw new Error(`the ${ctx.target.layer} target has no step-by-step container operations`);
  return ops;
}

/** A failed step the check depends on: errored, with the runtime's first line of stderr. */
export const stepFailed = (step: string, r: { exitCode: number; stderr: string }): Outcome =>
  errored(`${step} failed (exit ${r.exitCode}): ${firstLine(r.stderr)}`);

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
export function lifecycleCheck(
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
export async function killAndWait(ops: ContainerOps, id: string): Promise<Outcome | null> {
  await ops.kill(id, 'KILL');
  const s = await ops.waitFor(id, 'stopped', STOP_TIMEOUT_MS);
  return s?.status === 'stopped' ? null : errored(`the container did not stop after kill KILL (status ${s?.status ?? 'gone'})`);
}

/** What is left of a container, as reasons: an answering `state`, a state entry, cgroups, processes. */
export function leftovers(state: { exitCode: number; state: { status: string | null } | null }, left: Remains, stateAnswers: string): string[] {
  const problems: string[] = [];
  if (state.exitCode === 0) problems.push(`${stateAnswers} (status ${state.state?.status ?? '?'})`);
  if (left.stateEntry) problems.push('a state entry is left under --root');
  if (left.cgroups.length) problems.push(`cgroup left: ${left.cgroups[0]}${left.cgroups.length > 1 ? ` (+${left.cgroups.length - 1})` : ''}`);
  if (left.processes.length) problems.push(`process left: ${left.processes[0]}`);
  return problems;
}
