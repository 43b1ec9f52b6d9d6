/**
 * The images a containerd session runs, built locally by scripts/build-images.sh as OCI
 * image layout archives: imported once per session with `ctr images import` (set-up,
 * never timed), then resolved to the snapshot a container's rootfs is prepared from.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { z } from 'zod';
import { errorMessage } from '../../core/errors.ts';
import { buildDir } from '../../core/paths.ts';
import type { WorkloadKind } from '../../core/schema.ts';
import { WORKLOADS } from '../../core/workloads.ts';
import type { ContainerdClient, Descriptor } from './api.ts';

export interface ImageRef {
  kind: WorkloadKind;
  archive: string;
  name: string;
  platform: { os: string; architecture: string };
  /** Where a workload sits inside the image's filesystem. */
  entrypoint(workload: string): string;
  /**
   * Set when each workload is an image of its own whose module is an OCI Wasm layer and which
   * has no filesystem layer (`name` then only names them in messages): the image of a
   * workload. Such an archive is imported without unpacking (containerd before 1.6.25 and
   * 1.7.7 cannot unpack a layer that is not a tar), and its containers' rootfs starts empty.
   */
  wasmLayerImage?(workload: string): string;
}

/** The image a container of `workload` is made from. */
export function imageOf(ref: ImageRef, workload: string): string {
  return ref.wasmLayerImage ? ref.wasmLayerImage(workload) : ref.name;
}

export function images(arch: string): Record<WorkloadKind, ImageRef> {
  const dir = join(buildDir, 'images');
  return {
    native: {
      kind: 'native',
      archive: join(dir, 'native.tar'),
      name: 'docker.io/runbench/native:latest',
      platform: { os: 'linux', architecture: arch },
      entrypoint: (w) => `/bin/${w}`,
    },
    // The "compat" form: an ordinary tar layer holding /<workload>.wasm, which crun's and
    // youki's Wasm handlers and runwasi's shims all run from the container's rootfs.
    wasm: {
      kind: 'wasm',
      archive: join(dir, 'wasm.tar'),
      name: 'docker.io/runbench/wasm:latest',
      platform: { os: 'wasi', architecture: 'wasm' },
      entrypoint: (w) => `/${w}.wasm`,
    },
  };
}

export function imageMissing(ref: ImageRef): string | null {
  return existsSync(ref.archive) ? null : `${ref.archive} is missing: run scripts/build-images.sh`;
}

export async function importImage(ctr: string, address: string, namespace: string, ref: ImageRef, snapshotter: string, gone?: Promise<string>): Promise<void> {
  const args = ['--address', address, '--namespace', namespace, 'images', 'import', '--snapshotter', snapshotter];
  // ctr fetches and unpacks the host's platform unless told: a linux image of another arch
  // (run under qemu-user) is asked for by name, the Wasm images' wasi platforms take them all
  if (ref.platform.os === 'linux') args.push('--platform', `${ref.platform.os}/${ref.platform.architecture}`);
  else args.push('--all-platforms');
  // nothing to unpack: the runwasi library reads the Wasm layers from the content store
  if (ref.wasmLayerImage) args.push('--no-unpack');
  const proc = execa(ctr, [...args, ref.archive], { reject: false, all: true, timeout: 120_000 });
  // ctr waits for a containerd that died under it: stop it at once instead
  let died: string | null = null;
  void gone?.then((why) => {
    died = why;
    proc.kill('SIGKILL');
  });
  const r = await proc;
  if (died) throw new Error(`${died} while ctr imported ${ref.archive}`);
  if (r.exitCode !== 0) {
    const last = (r.all ?? '').trim().split('\n').pop() ?? '';
    if (/no match for platform/.test(last)) throw new Error(`${ref.archive} holds no ${ref.platform.os}/${ref.platform.architecture} image`);
    throw new Error(`ctr images import ${ref.archive}: ${last}`);
  }
}

const Index = z.object({
  manifests: z.array(z.object({ mediaType: z.string(), digest: z.string(), platform: z.object({ os: z.string(), architecture: z.string() }).optional() })),
});
const Manifest = z.object({ config: z.object({ digest: z.string() }) });
const Config = z.object({ rootfs: z.object({ diff_ids: z.array(z.string()) }) });
export const LayerManifest = z.object({ config: z.object({ digest: z.string() }), layers: z.array(z.object({ mediaType: z.string(), digest: z.string() })) });
const WasmConfig = z.object({ architecture: z.literal('wasm') });

/** The media types runwasi's library (containerd-shim-wasm 1.0) takes as Wasm layers. */
export const WASM_LAYER_TYPES: readonly string[] = ['application/vnd.bytecodealliance.wasm.component.layer.v0+wasm', 'application/wasm'];

/**
 * Checks that `name` is what runwasi's library takes for a Wasm image: its target a manifest
 * (the library reads no index), its config's architecture `wasm`, and exactly one Wasm layer
 * (the library runs a single module). Otherwise the library would quietly leave the module
 * to the rootfs, which has none.
 */
async function wasmLayerManifest(client: ContainerdClient, name: string): Promise<void> {
  const image = await client.getImage(name).catch((e: unknown) => {
    throw new Error(`${name} is not in the archive: ${errorMessage(e)}`);
  });
  const manifest = LayerManifest.safeParse(JSON.parse((await client.readContent(image.target.digest)).toString('utf8')));
  if (!manifest.success) throw new Error(`${name}'s target is not an image manifest`);
  const config = WasmConfig.safeParse(JSON.parse((await client.readContent(manifest.data.config.digest)).toString('utf8')));
  if (!config.success) throw new Error(`${name}'s config does not say architecture wasm`);
  const wasm = manifest.data.layers.filter((l) => WASM_LAYER_TYPES.includes(l.mediaType)).length;
  if (wasm !== 1) throw new Error(`${name} has ${wasm} Wasm layers (${WASM_LAYER_TYPES.join(' or ')}), not one`);
}

/** The OCI image-spec chain ID of a layer stack: the name of its committed snapshot. */
export function chainId(diffIds: string[]): string {
  let chain = '';
  for (const d of diffIds) {
    chain = chain === '' ? d : `sha256:${createHash('sha256').update(`${chain} ${d}`).digest('hex')}`;
  }
  return chain;
}

/**
 * The committed snapshot an image's rootfs is prepared from (index -> manifest -> config);
 * '' (an empty rootfs) for images of Wasm layers, once each workload's image is there.
 */
export async function rootfsParent(client: ContainerdClient, ref: ImageRef): Promise<string> {
  if (ref.wasmLayerImage) {
    for (const w of WORKLOADS) await wasmLayerManifest(client, ref.wasmLayerImage(w.name));
    return '';
  }
  const image = await client.getImage(ref.name);
  let desc: Descriptor | { digest: string; mediaType?: string } = image.target;
  let json = JSON.parse((await client.readContent(desc.digest)).toString('utf8')) as unknown;
  if (image.target.media_type.includes('index') || (json as { manifests?: unknown }).manifests) {
    const idx = Index.parse(json);
    const m = idx.manifests.find((x) => x.platform?.os === ref.platform.os && x.platform.architecture === ref.platform.architecture);
    if (!m) throw new Error(`${ref.name} has no ${ref.platform.os}/${ref.platform.architecture} manifest`);
    desc = m;
    json = JSON.parse((await client.readContent(desc.digest)).toString('utf8')) as unknown;
  }
  const manifest = Manifest.parse(json);
  const config = Config.parse(JSON.parse((await client.readContent(manifest.config.digest)).toString('utf8')));
  if (config.rootfs.diff_ids.length === 0) throw new Error(`${ref.name} has no layers to make a rootfs of`);
  return chainId(config.rootfs.diff_ids);
}

/** Per workload kind: the snapshot its containers' rootfs is prepared from, or why it has none. */
export interface ImportedImages {
  parents: Map<WorkloadKind, string>;
  skips: Map<WorkloadKind, string>;
}

/**
 * Imports the image of each of `kinds` into the namespace and finds its rootfs snapshot;
 * a kind whose archive is missing or will not import gets the reason as a skip instead,
 * unless containerd itself stopped answering: that fails the session.
 */
export async function importImages(
  o: { ctr: string; address: string; namespace: string; client: ContainerdClient; snapshotter: string; gone?: Promise<string> },
  refs: Record<WorkloadKind, ImageRef>,
  kinds: readonly WorkloadKind[],
): Promise<ImportedImages> {
  const parents = new Map<WorkloadKind, string>();
  const skips = new Map<WorkloadKind, string>();
  for (const kind of kinds) {
    const ref: ImageRef = refs[kind];
    const missing = imageMissing(ref);
    if (missing) {
      skips.set(kind, missing);
      continue;
    }
    try {
      await importImage(o.ctr, o.address, o.namespace, ref, o.snapshotter, o.gone);
      parents.set(kind, await rootfsParent(o.client, ref));
    } catch (e) {
      // an archive without this platform is a skip; containerd gone is the session's failure
      const alive = await o.client.call('version', 'Version', {}, 5_000).then(
        () => true,
        () => false,
      );
      if (!alive) throw new Error(`containerd stopped answering while importing ${ref.name}: ${errorMessage(e)}`);
      skips.set(kind, `could not import ${ref.name}: ${errorMessage(e)}`);
    }
  }
  return { parents, skips };
}
