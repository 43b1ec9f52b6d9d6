/** The workloads: one C source each in fixtures/workloads, built native and wasm32-wasi. */
import { existsSync } from 'node:fs';
import { fixtureBinary, wasmModule } from './paths.ts';
import type { WorkloadKind } from './schema.ts';

export interface WorkloadDefinition {
  name: string;
  description: string;
  /** Default arguments; suites may pass their own. */
  defaultArgs: string[];
  /** Marker printed on stdout by a correct run, checked on every sample. */
  marker?: string;
  /** True when it runs until killed. */
  longRunning: boolean;
}

export const WORKLOADS: readonly WorkloadDefinition[] = [
  { name: 'hello', description: 'prints a marker and exits', defaultArgs: [], marker: 'runbench-hello-ok', longRunning: false },
  {
    name: 'cpu',
    description: 'sha256 over N MiB and an integer loop; prints its own ops/s as JSON',
    defaultArgs: ['16', '50000000'],
    marker: '"workload":"cpu"',
    longRunning: false,
  },
  { name: 'mem', description: 'allocates and touches N MiB, reports, exits', defaultArgs: ['64'], marker: '"workload":"mem"', longRunning: false },
  { name: 'idle', description: 'sleeps until killed', defaultArgs: [], marker: 'runbench-idle-ready', longRunning: true },
  { name: 'noop', description: 'exits 0 at once; calibrates the harness', defaultArgs: [], longRunning: false },
  { name: 'probe', description: 'reports what it observes as JSON (conformance)', defaultArgs: [], longRunning: false },
];

export interface WorkloadRef {
  name: string;
  kind: WorkloadKind;
  args: string[];
}

export function workload(name: string): WorkloadDefinition {
  const w = WORKLOADS.find((x) => x.name === name);
  if (!w) throw new Error(`unknown workload ${name}`);
  return w;
}

/** Path of the workload inside the rootfs: native binaries in /bin, modules in /wasm. */
export function workloadEntrypoint(ref: WorkloadRef): string {
  return ref.kind === 'native' ? `/bin/${ref.name}` : `/wasm/${ref.name}.wasm`;
}

export function workloadBuilt(name: string, kind: WorkloadKind, arch: string): boolean {
  return existsSync(kind === 'native' ? fixtureBinary(arch, name) : wasmModule(name));
}
