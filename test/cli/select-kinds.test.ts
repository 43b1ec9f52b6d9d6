import { describe, expect, it } from 'vitest';
import { selectKinds } from '../../cli/commands/run.ts';
import { RUNNERS } from '../../runners/index.ts';
import { runtimeInfo } from '../helpers/runtime.ts';

describe('selectKinds (--workload-kind)', () => {
  const shim = runtimeInfo({ name: 'wasmtime-shim', kind: 'containerd-shim', wasmOnly: true, handler: 'io.containerd.wasmtime.v1' });
  const crun = runtimeInfo({ name: 'crun' });

  it('keeps each layer refusing what it cannot drive: a shim is not run as an OCI runtime', () => {
    for (const kinds of [['wasm'], ['native'], ['native', 'wasm']] as const) {
      const runners = selectKinds(RUNNERS, kinds);
      expect(runners.oci?.refuses?.(shim), kinds.join(',')).toBe('wasmtime-shim is a containerd shim, measured at the containerd layer');
      expect(runners.oci?.refuses?.(crun), kinds.join(',')).toBeNull();
      expect(runners.containerd?.refuses?.(shim) ?? null).toBe(RUNNERS.containerd?.refuses?.(shim) ?? null);
    }
  });
});
