/** The runner registry, one per layer: adding a layer is one folder and one line here. */
import type { Runner } from '../core/runner.ts';
import type { Layer } from '../core/schema.ts';
import { containerdRunner } from './containerd/index.ts';
import { criRunner } from './cri/index.ts';
import { kubernetesRunner } from './kubernetes/index.ts';
import { ociRunner } from './oci/index.ts';

export const RUNNERS: Partial<Record<Layer, Runner>> = {
  oci: ociRunner,
  containerd: containerdRunner,
  kubernetes: kubernetesRunner,
  cri: criRunner,
};
