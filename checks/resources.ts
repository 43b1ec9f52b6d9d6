/**
 * Resources: limits in linux.resources are enforced, observed by their effect on the
 * process (an OOM kill, a refused fork, CPU time well below wall time) rather than by
 * reading cgroup files, which a sandboxing runtime may not expose.
 */
import type { CpuThrottling } from '../core/cgroups.ts';
import { probeCheck } from './define.ts';
import { firstLine, parseProbeOutput, reportOf } from './probe.ts';
import { errored, failed, passed, skipped, type Check } from './types.ts';

const REF = 'runtime-spec config-linux.md';
const MIB = 1024 * 1024;

const memory = probeCheck({
  id: 'resources.memory',
  area: 'resources',
  title: 'memory.limit is enforced: touching more than the limit gets the process killed',
  specRef: `${REF}#memory`,
  level: 'MUST',
  setup: () => ({ args: ['--alloc-mib', '96'], overrides: { memoryLimitBytes: 32 * MIB } }),
  judge(report, run) {
    if (report.alloc?.ok)
      return failed(`touched ${report.alloc.touchedMib} MiB under a ${(run.requested.linux?.resources?.memory?.limit ?? 0) / MIB} MiB limit`);
    return passed(`allocation refused (exit ${run.exitCode})`);
  },
  judgeNoReport(run) {
    // Killed before it could print: the expected outcome. A runtime that did not start it is caught by exit 0 / stderr.
    if (run.timedOut) return errored('the probe did not finish in time');
    if (run.exitCode === 0) return errored('the probe exited 0 without a report');
    return passed(`killed before reporting (exit ${run.exitCode}${run.exitCode === 137 ? ', SIGKILL' : ''})`);
  },
});

const pids = probeCheck({
  id: 'resources.pids',
  area: 'resources',
  title: 'pids.limit is enforced: forks beyond it fail',
  specRef: `${REF}#pids`,
  level: 'MUST',
  // Not tiny: the limit also counts what the runtime itself runs in the cgroup (runsc's sandbox).
  setup: () => ({ args: ['--fork', '96'], overrides: { pidsLimit: 48 } }),
  judge(report, run) {
    const f = report.fork;
    if (!f || f.succeeded === null) return errored('the probe did not try to fork');
    const limit = run.requested.linux?.resources?.pids?.limit ?? 0;
    if (f.succeeded >= f.requested) return failed(`${f.succeeded} of ${f.requested} forks succeeded under pids.limit ${limit}`);
    return passed(`${f.succeeded} forks succeeded, then ${f.errno ?? 'an error'}`);
  },
});

const SPIN_MS = 800;
const QUOTA = { quotaUs: 20_000, periodUs: 100_000 };
const QUOTA_MAX_RATIO = 0.3;
/** Below this, an unlimited spin cannot be told from a 20% quota on this host. */
const BASELINE_MIN_RATIO = 0.4;

const cpu: Check = {
  id: 'resources.cpu',
  area: 'resources',
  title: 'cpu quota is enforced: at 20% the process gets well under one CPU',
  specRef: `${REF}#cpu`,
  level: 'MUST',
  kinds: ['native'],
  layers: ['oci', 'containerd', 'kubernetes'],
  async run(ctx) {
    // A baseline without quota first: on a saturated host even an unlimited spin gets little CPU.
    const base = reportOf(await ctx.target.probe({ kind: 'native', args: ['--spin-ms', String(SPIN_MS)] }));
    if (!base.report) return base.outcome;
    const baseRatio = base.report.spin?.cpuRatio ?? null;
    const args = ['--spin-ms', String(SPIN_MS)];
    let ratio: number | null;
    let throttle: CpuThrottling | null = null;
    const ops = ctx.target.containers;
    if (ops) {
      // Step by step, so the host's cgroup can be read before delete.
      const c = ops.bundle('probe', args, { cpuQuota: QUOTA });
      const created = await ops.create(c);
      if (created.exitCode !== 0) return errored(`create failed (exit ${created.exitCode}): ${firstLine(created.stderr)}`);
      const started = await ops.start(c.id);
      if (started.exitCode !== 0) return errored(`start failed (exit ${started.exitCode}): ${firstLine(started.stderr)}`);
      await ops.waitFor(c.id, 'stopped', SPIN_MS * 20);
      throttle = ops.cpuThrottling(c);
      const { report, error } = parseProbeOutput(ops.stdout(c));
      if (!report) return errored(`no probe report under the quota: ${error ?? ''}`);
      ratio = report.spin?.cpuRatio ?? null;
    } else {
      const run = await ctx.target.probe({ kind: 'native', args, overrides: { cpuQuota: QUOTA } });
      const limited = reportOf(run);
      if (!limited.report) return limited.outcome;
      ratio = limited.report.spin?.cpuRatio ?? null;
      throttle = run.hostCpu ?? null;
    }
    const share = QUOTA.quotaUs / QUOTA.periodUs;
    const seen = `${ratio === null ? 'no CPU time' : `${ratio.toFixed(2)} CPU`} seen inside under a ${share} quota (${baseRatio === null ? '?' : baseRatio.toFixed(2)} without)`;
    // The kernel's own record is the stronger evidence: a sandbox's in-guest CPU clock may not see host throttling.
    if (throttle && throttle.quotaUs === QUOTA.quotaUs && (throttle.throttledPeriods ?? 0) > 0) {
      return passed(`the host throttled the container's cgroup ${throttle.throttledPeriods} times; ${seen}`);
    }
    // On a saturated host a low share inside says nothing: an unlimited spin gets as little.
    if (baseRatio !== null && baseRatio < BASELINE_MIN_RATIO) return skipped(`the host is too busy to tell: an unlimited spin got ${baseRatio.toFixed(2)} CPU`);
    if (ratio !== null && ratio <= QUOTA_MAX_RATIO) return passed(seen);
    if (baseRatio === null || ratio === null) return skipped('the probe cannot read its CPU time here');
    const host = throttle ? `; host cgroup quota ${throttle.quotaUs ?? 'none'}, throttled ${throttle.throttledPeriods ?? '?'} times` : '';
    return failed(`${seen}${host}`);
  },
};

/**
 * Two device nodes whose numbers no driver answers (the mem driver has no minor 200 or 201):
 * where the device cgroup lets an open through it fails with ENXIO, where it denies it, EPERM.
 */
const NODE = { type: 'c', major: 1, fileMode: 0o666, uid: 0, gid: 0 } as const;
const ALLOWED = { ...NODE, path: '/dev/rb-allowed', minor: 200 };
const DENIED = { ...NODE, path: '/dev/rb-denied', minor: 201 };

const devices = probeCheck({
  id: 'resources.devices',
  area: 'resources',
  title: 'the device cgroup applies linux.resources.devices: a node denied cannot be opened, one allowed can',
  specRef: `${REF}#allowed-device-list`,
  level: 'MUST',
  layers: ['oci', 'containerd'],
  setup: () => ({
    args: ['--check-path', ALLOWED.path, '--check-path', DENIED.path],
    overrides: {
      devices: [ALLOWED, DENIED],
      deviceRules: [
        { allow: false, access: 'rwm' },
        { allow: true, type: 'c', major: ALLOWED.major, minor: ALLOWED.minor, access: 'rw' },
      ],
    },
  }),
  judge(report) {
    const allowed = report.paths.find((p) => p.path === ALLOWED.path);
    const denied = report.paths.find((p) => p.path === DENIED.path);
    if (!allowed?.exists || !denied?.exists) {
      return skipped(
        `the device nodes asked in linux.devices were not created (${allowed?.errno ?? denied?.errno ?? '?'}), so the device cgroup cannot be observed`,
      );
    }
    const problems: string[] = [];
    if (denied.readable || denied.writable || denied.errno !== 'EPERM') {
      problems.push(`${DENIED.path}, denied, ${denied.readable || denied.writable ? 'opens' : `fails with ${denied.errno ?? '?'}, not EPERM`}`);
    }
    if (allowed.errno === 'EPERM') problems.push(`${ALLOWED.path}, allowed, fails with EPERM`);
    return problems.length ? failed(problems.join('; ')) : passed(`${DENIED.path} EPERM, ${ALLOWED.path} ${allowed.errno ?? 'opens'}`);
  },
});

export const RESOURCE_CHECKS: readonly Check[] = [memory, pids, cpu, devices];
