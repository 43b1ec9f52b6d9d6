/**
 * The `containerd` layer: containerd's gRPC API with each runtime behind its shim, on
 * runbench's own containerd or one given by address.
 */
import { existsSync } from 'node:fs';
import { findBinary } from '../../core/runtimes.ts';
import type { Runner, RunnerContext } from '../../core/runner.ts';
import type { RuntimeInfo } from '../../core/schema.ts';
import { imageMissing, images } from './images.ts';
import { ContainerdSession, type ContainerdRunnerOptions } from './session.ts';
import { ContainerdTarget } from './target.ts';
import { recoverContainerd } from './recover.ts';

export { ContainerdSession, type ContainerdRunnerOptions } from './session.ts';
export { isShim, shimRuntimeName, type ShimConfig } from './shim.ts';
export { type SpecOverrides } from './spec.ts';

export function createContainerdRunner(opts: ContainerdRunnerOptions = {}): Runner {
  return {
    layer: 'containerd',
    description: opts.address
      ? `containerd at ${opts.address} through its gRPC API, each runtime behind its shim`
      : "runbench's own containerd (per runtime) through its gRPC API, each runtime behind its shim",
    unavailable(host) {
      if (!host.root) return 'containerd needs root (rootless containerd is not measured)';
      if (!opts.address && !findBinary('containerd')) return 'containerd not found on PATH (apt-get install containerd)';
      if (!findBinary('ctr')) return 'ctr not found on PATH (it comes with containerd)';
      if (opts.address && !existsSync(opts.address)) return `no containerd socket at ${opts.address}`;
      const missing = imageMissing(images(host.arch).native);
      return missing;
    },
    recover: recoverContainerd,
    async open(runtime: RuntimeInfo, ctx: RunnerContext) {
      const s = new ContainerdSession(runtime, ctx, opts);
      s.capabilities.conformance = { target: (scratch) => new ContainerdTarget(s, scratch) };
      await s.open();
      return s;
    },
  };
}

export const containerdRunner = createContainerdRunner();
