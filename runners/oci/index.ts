/**
 * The `oci` layer: any runtime that speaks the OCI command line, driven through it. The
 * session times runs and lifecycles; the target maps conformance checks onto the CLI.
 */
import { existsSync } from 'node:fs';
import { rootfsDir } from '../../core/paths.ts';
import type { Runner, RunnerContext } from '../../core/runner.ts';
import { OciSession } from './session.ts';
import { OciTarget } from './target.ts';

export { type OciContainerSpec } from './bundle.ts';
export { OciSession } from './session.ts';

export const ociRunner: Runner = {
  layer: 'oci',
  description: 'the runtime binary driven through the OCI command line (create/start/state/kill/delete, run)',
  refuses(runtime) {
    if (runtime.kind === 'oci') return null;
    return `${runtime.name} is a ${runtime.kind === 'containerd-shim' ? 'containerd shim' : 'RuntimeClass'}, measured at the ${runtime.kind === 'containerd-shim' ? 'containerd' : 'kubernetes'} layer`;
  },
  unavailable(host) {
    if (!host.root) return 'the OCI runtimes need root (rootless runs are not measured)';
    if (!existsSync(rootfsDir(host.arch))) return `no rootfs at ${rootfsDir(host.arch)}: run scripts/build-fixtures.sh`;
    return null;
  },
  async open(runtime, ctx: RunnerContext) {
    return openOciSession(runtime, ctx);
  },
};

/** A session of the oci layer with every capability it has, the conformance target included. */
export function openOciSession(runtime: ConstructorParameters<typeof OciSession>[0], ctx: RunnerContext): OciSession {
  const session = new OciSession(runtime, ctx);
  session.capabilities.conformance = { target: (scratch) => new OciTarget(session, scratch) };
  return session;
}
