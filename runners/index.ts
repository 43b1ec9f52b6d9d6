/** The runner registry, one per layer: adding a layer is one file and one line here. */
import type { Layer } from '../core/schema.ts';
import { containerdRunner } from './containerd.ts';
import { kubernetesRunner } from './kubernetes.ts';
import { ociRunner } from './oci.ts';
import type { Runner } from './types.ts';

export const RUNNERS: Partial<Record<Layer, Runner>> = {
  oci: ociRunner,
  containerd: containerdRunner,
  kubernetes: kubernetesRunner,
};
