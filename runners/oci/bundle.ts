/**
 * One container's bundle at the oci layer: a directory holding the config.json of the
 * workload's process, its rootfs, its own cgroup and (for Wasm) the runtime's annotations,
 * and the paths its pid file and output go to. Written before anything is timed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inImageArgs, inImageRootfs } from '../../core/in-image.ts';
import { ociConfig } from '../../core/oci-spec.ts';
import { rootfsDir } from '../../core/paths.ts';
import type { RunRequest } from '../../core/runner.ts';
import { wasmAnnotationsFor } from '../../core/runtimes.ts';
import type { RuntimeInfo } from '../../core/schema.ts';
import { wasmModulesRootfs } from '../../core/wasm-modules.ts';
import { workloadEntrypoint } from '../../core/workloads.ts';

export interface OciContainerSpec {
  id: string;
  bundle: string;
  pidFile: string;
  stdout: string;
  stderr: string;
  cgroupsPath: string;
}

/** Changes to the generated config.json (what a conformance check asks for). */
export type ConfigOverrides = Partial<Parameters<typeof ociConfig>[0]>;

export interface BundleRequest {
  id: string;
  /** The bundle's directory, created here. */
  dir: string;
  cgroupsPath: string;
  runtime: RuntimeInfo;
  arch: string;
  req: RunRequest;
  overrides: ConfigOverrides;
}

/** Writes a fresh bundle for one container. */
export function writeBundle(b: BundleRequest): OciContainerSpec {
  const { id, dir: bundle, cgroupsPath, runtime, req } = b;
  mkdirSync(bundle, { recursive: true });
  const w = req.workload;
  // in-image: an ordinary container whose own wasmtime runs the module, no Wasm annotation
  const via = w.kind === 'wasm' ? runtime.wasmVia : undefined;
  const config = ociConfig({
    args: via ? inImageArgs(via, w) : [workloadEntrypoint(w), ...w.args],
    rootfs: via ? inImageRootfs(via, b.arch) : w.kind === 'wasm' && runtime.wasmModules ? wasmModulesRootfs(runtime.wasmModules, b.arch) : rootfsDir(b.arch),
    cgroupsPath,
    ...(req.memoryLimitBytes !== undefined ? { memoryLimitBytes: req.memoryLimitBytes } : {}),
    ...(w.kind === 'wasm' && !via ? { annotations: wasmAnnotationsFor(runtime) } : {}),
    ...b.overrides,
  });
  writeFileSync(join(bundle, 'config.json'), JSON.stringify(config, null, 2));
  return {
    id,
    bundle,
    pidFile: join(bundle, 'pid'),
    stdout: join(bundle, 'stdout'),
    stderr: join(bundle, 'stderr'),
    cgroupsPath,
  };
}
