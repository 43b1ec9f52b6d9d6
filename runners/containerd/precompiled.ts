/**
 * Whether a shim's Wasm figures come from code compiled ahead of time. runwasi's library
 * (containerd-shim-wasm 1.0) compiles an image's Wasm layer with the shim's compiler the
 * first time the image runs, writes the native code into containerd's content store, labels
 * the layer `runwasi.io/precompiled/<shim>/<key>: <the code's digest>` and the image's
 * manifest `runwasi.io/precompiled/<shim>/<key>: true`, and from then on hands every container
 * of the image that code, marked precompiled. Had the compiler failed, the library would have
 * handed the shim the plain module instead, to compile on start: no label.
 */
import type { ContainerdClient } from './api.ts';
import { LayerManifest, WASM_LAYER_TYPES } from './images.ts';

export const PRECOMPILED_LABEL_PREFIX = 'runwasi.io/precompiled/';

export interface PrecompiledCode {
  /** runwasi's label, `runwasi.io/precompiled/<shim>/<hash of the compiler's cache key>`. */
  label: string;
  /** The native code's digest in the content store, and its size. */
  digest: string;
  bytes: number;
}

/** The native code runwasi's library keeps for `image`'s Wasm layer, or null when it keeps none. */
export async function precompiledCode(client: ContainerdClient, image: string): Promise<PrecompiledCode | null> {
  const target = (await client.getImage(image)).target;
  const marked = (await client.contentInfo(target.digest)).labels;
  const label = Object.keys(marked).find((k) => k.startsWith(PRECOMPILED_LABEL_PREFIX) && marked[k] === 'true');
  if (!label) return null;
  const manifest = LayerManifest.parse(JSON.parse((await client.readContent(target.digest)).toString('utf8')));
  const layer = manifest.layers.find((l) => WASM_LAYER_TYPES.includes(l.mediaType));
  const digest = layer ? (await client.contentInfo(layer.digest)).labels[label] : undefined;
  if (!digest) return null;
  return { label, digest, bytes: (await client.contentInfo(digest)).size };
}
