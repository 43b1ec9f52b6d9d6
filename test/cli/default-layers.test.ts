/** The layers `runbench run` measures when none is named: oci, and containerd's wherever containerd is usable. */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultLayers } from '../../cli/commands/run.ts';
import { hostFacts } from '../../core/host.ts';
import type { Runner } from '../../core/runner.ts';
import { findBinary } from '../../core/runtimes.ts';
import { images } from '../../runners/containerd/images.ts';
import { RUNNERS } from '../../runners/index.ts';
import { needs } from '../helpers/require.ts';

const host = hostFacts();
const whyNoContainerd =
  (!host.root ? 'not root' : null) ??
  (!findBinary('containerd') || !findBinary('ctr') ? 'containerd/ctr not installed' : null) ??
  (!existsSync(images(host.arch).native.archive) ? 'images not built (scripts/build-images.sh)' : null);

describe('default layers', () => {
  it('leave the containerd layer out of the default, saying why, where containerd cannot be used', () => {
    const runner = (why: string | null): Runner => ({ ...RUNNERS.oci, layer: 'containerd', unavailable: () => why }) as Runner;
    expect(defaultLayers(host, runner(null)).layers).toEqual(['oci', 'containerd']);
    const without = defaultLayers(host, runner('containerd not found on PATH (apt-get install containerd)'));
    expect(without.layers).toEqual(['oci']);
    expect(without.note).toBe('layers: oci (the default; the containerd layer is left out: containerd not found on PATH (apt-get install containerd))');
    expect(defaultLayers(host, undefined).layers).toEqual(['oci']);
  });


  needs(['containerd', 'fixtures'], whyNoContainerd).it("include containerd's on this machine, where it is installed", () => {
    expect(defaultLayers(hostFacts(), RUNNERS.containerd)).toEqual({
      layers: ['oci', 'containerd'],
      note: 'layers: oci, containerd (the default where containerd is usable; --layer oci for the OCI layer alone)',
    });
  });
});
