import { EventBus } from '../../core/events.ts';
import type { PipelineDeps, PipelineOptions } from '../../core/pipeline.ts';
import type { HostFacts } from '../../core/schema.ts';
import { computeStats } from '../../core/stats.ts';
import { fakeRunner, fakeRuntime, type FakeBehaviour } from '../../runners/fake.ts';
import { SUITES } from '../../suites/index.ts';

export const fakeHost: HostFacts = {
  hostname: 'test-host',
  kernel: '6.1.0',
  os: 'Debian GNU/Linux 12 (bookworm)',
  arch: 'amd64',
  cpuModel: 'Test CPU',
  cores: 2,
  memoryBytes: 8 * 1024 ** 3,
  cgroupLayout: 'v2',
  cgroup2Controllers: ['memory', 'pids'],
  root: false,
  apparmor: false,
  nodeVersion: 'v20.0.0',
};

export function fakeDeps(
  runtimes: string[],
  behaviour: FakeBehaviour = {},
  signal: AbortSignal = new AbortController().signal,
): PipelineDeps & { runner: ReturnType<typeof fakeRunner> } {
  const runner = fakeRunner(behaviour);
  return {
    runner,
    runners: { oci: runner },
    suites: SUITES,
    runtimes: runtimes.map((r) => fakeRuntime(r, (behaviour.wasm ?? []).includes(r))),
    host: fakeHost,
    events: new EventBus(),
    signal,
    calibrate: async () => {
      const xs = [300_000, 310_000, 305_000];
      return { method: 'fake', spawnNoopNs: xs, spawnNoopStats: computeStats(xs), nodeSpawnNoopNs: xs, nodeSpawnNoopStats: computeStats(xs) };
    },
    runOnHost: async (req) => ({
      durationNs: 1e6,
      stdout: req.workload.name === 'cpu' ? `${JSON.stringify({ workload: 'cpu', sha256MibPerSec: 420, intOpsPerSec: 1.1e9 })}\n` : '',
      exitCode: 0,
    }),
    isBuilt: () => true,
  };
}

export const smallOptions: PipelineOptions = {
  suites: ['startup', 'memory', 'throughput'],
  layers: ['oci'],
  runs: 5,
  warmup: 1,
  concurrency: 2,
  churnContainers: 4,
  timeoutMs: 1000,
};
