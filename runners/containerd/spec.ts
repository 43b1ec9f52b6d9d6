/**
 * What a containerd session runs: the image of each workload kind (the in-image Wasm
 * runtime's own image for the wasm kind where the runtime carries one), and the OCI spec
 * a container is created with.
 */
import { inImageArchive, inImageArgs, inImageModule } from '../../core/in-image.ts';
import { ociConfig, type BundleOptions, type OciConfig } from '../../core/oci-spec.ts';
import type { RunRequest } from '../../core/runner.ts';
import { wasmAnnotationsFor } from '../../core/runtimes.ts';
import type { RuntimeInfo, WorkloadKind } from '../../core/schema.ts';
import { wasmLayersArchive, wasmLayersImage } from '../../core/wasm-layers.ts';
import { wasmModulesArchive } from '../../core/wasm-modules.ts';
import { images, type ImageRef } from './images.ts';
import { isShim } from './shim.ts';

/** Changes to the spec a session generates; the rootfs and cgroup stay the session's. */
export type SpecOverrides = Partial<Omit<BundleOptions, 'rootfs' | 'cgroupsPath'>>;

/** The image each workload kind runs from, for a runtime on `arch`. */
export function sessionImages(runtime: RuntimeInfo, arch: string): Record<WorkloadKind, ImageRef> {
  const refs = images(arch);
  const via = runtime.wasmVia;
  const modules = runtime.wasmModules;
  const layers = runtime.wasmLayers;
  if (layers) {
    // an image per workload whose module is its one layer: the shim gets it from the content store
    return {
      ...refs,
      wasm: {
        ...refs.wasm,
        archive: wasmLayersArchive(layers),
        name: wasmLayersImage(layers, '<workload>'),
        wasmLayerImage: (w) => wasmLayersImage(layers, w),
      },
    };
  }
  if (modules) {
    // the same modules compiled otherwise (ahead of time): an image of their own, laid out as the plain one
    return {
      ...refs,
      wasm: { ...refs.wasm, archive: wasmModulesArchive(modules), name: modules.image.name },
    };
  }
  if (!via) return refs;
  // in-image: Wasm runs as an ordinary linux/<arch> container of the image carrying the Wasm runtime
  return {
    ...refs,
    wasm: {
      kind: 'wasm',
      archive: inImageArchive(via),
      name: via.image.name,
      platform: { os: 'linux', architecture: arch },
      entrypoint: (w) => inImageModule(via, w),
    },
  };
}

/** A Wasm container's annotations: none for a shim or an in-image runtime, else the runtime's handler. */
function wasmAnnotations(runtime: RuntimeInfo): Record<string, string> {
  if (isShim(runtime) || runtime.wasmVia) return {};
  return wasmAnnotationsFor(runtime);
}

/** The spec of one container of `ref`'s image, in cgroup `cgroupsPath`. */
export function containerSpec(runtime: RuntimeInfo, ref: ImageRef, req: RunRequest, cgroupsPath: string, overrides: SpecOverrides): OciConfig {
  const w = req.workload;
  const kind = w.kind;
  return ociConfig({
    args: kind === 'wasm' && runtime.wasmVia ? inImageArgs(runtime.wasmVia, w) : [ref.entrypoint(w.name), ...w.args],
    rootfs: 'rootfs',
    cgroupsPath,
    ...(req.memoryLimitBytes !== undefined ? { memoryLimitBytes: req.memoryLimitBytes } : {}),
    ...(kind === 'wasm' ? { annotations: wasmAnnotations(runtime) } : {}),
    ...overrides,
  });
}
