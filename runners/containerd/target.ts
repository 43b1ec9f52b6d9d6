/**
 * The conformance target for the `containerd` layer: the probe run through containerd's
 * API and the runtime's shim, with the spec a check asks for given to containerd as the
 * container's spec. containerd passes that spec to the shim unchanged, so what the probe
 * saw is judged against it. There are no step-by-step operations at this layer (a task's
 * create and start are not the runtime's), so lifecycle checks skip here.
 */
import { cpuThrottling, type CpuThrottling } from '../../core/cgroups.ts';
import type { ContainerdSession } from './session.ts';
import { probeRun } from '../../core/probe-report.ts';
import type { ProbeRequest } from '../../core/conformance.ts';
import type { ProbeRun } from '../../core/probe-report.ts';
import { ProbeOnlyTarget } from '../probe-target.ts';

const DEFAULT_TIMEOUT_MS = 30_000;

export class ContainerdTarget extends ProbeOnlyTarget {
  readonly layer = 'containerd' as const;

  constructor(
    private readonly session: ContainerdSession,
    scratchBase: string,
  ) {
    super(session.runtime, scratchBase);
  }

  async probe(req: ProbeRequest): Promise<ProbeRun> {
    let hostCpu: CpuThrottling | null = null;
    const r = await this.session.runWith(
      { workload: { name: 'probe', kind: req.kind, args: req.args }, timeoutMs: req.timeoutMs ?? DEFAULT_TIMEOUT_MS },
      req.overrides ?? {},
      // the kernel's record of a quota, read while the cgroup still exists
      req.overrides?.cpuQuota
        ? (cgroupsPath) => {
            hostCpu = cpuThrottling(cgroupsPath);
          }
        : undefined,
    );
    if (r.error) {
      const message = r.error.message;
      return {
        ...probeRun(r.requested, { exitCode: -1, timedOut: /deadline/i.test(message), stdout: '', stderr: message }),
        reportError: 'the container did not run',
      };
    }
    return probeRun(r.requested, { exitCode: r.sample.exitCode, timedOut: false, stdout: r.sample.stdout, stderr: r.sample.stderr, hostCpu });
  }
}
