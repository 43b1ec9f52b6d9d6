/**
 * Security settings the kernel enforces on the process: a seccomp filter
 * (linux.seccomp), observed by what a denied syscall does inside the container.
 */
import type { OciSeccomp } from '../core/oci-spec.ts';
import { probeCheck } from './define.ts';
import { firstLine, reportOf, type ProbeReport } from './probe.ts';
import type { Outcome } from '../core/schema.ts';
import { errored, failed, passed, type Check } from './types.ts';

const REF = 'runtime-spec config-linux.md#seccomp';
/** Asked of a denied getpgid: not an errno getpgid(0) can return of itself. */
const ERRNO = { value: 18, name: 'EXDEV' } as const;
const SIGSYS = 31;
const LAYERS = ['oci', 'containerd'] as const;

/** Every syscall allowed but one, which gets `action`. */
const filter = (name: string, action: string, errnoRet?: number): OciSeccomp => ({
  defaultAction: 'SCMP_ACT_ALLOW',
  syscalls: [{ names: [name], action, ...(errnoRet !== undefined ? { errnoRet } : {}) }],
});

type SyscallTry = NonNullable<ProbeReport['syscalls']>[number];

/** The probe's attempt at `name`, or the outcome that says why there is none. */
function attempt(report: ProbeReport, name: string): { call: SyscallTry } | { outcome: Outcome } {
  if (report.syscalls === undefined) return { outcome: errored('the probe does not try syscalls: rebuild it with scripts/build-fixtures.sh') };
  const call = report.syscalls?.find((c) => c.name === name);
  if (!call?.known) return { outcome: errored(`the probe did not try ${name}`) };
  return { call };
}

const result = (c: SyscallTry) => (c.ret !== null ? `returned ${c.ret}` : `failed with ${c.errno ?? '?'}`);

/** errnoRet came with runtime-spec v1.1.0: a config declaring an older version may have it ignored. */
function errnoRetDefined(ociVersion: string): boolean {
  const [major = 0, minor = 0] = ociVersion.split(/[.-]/).map(Number);
  return major > 1 || (major === 1 && minor >= 1);
}

const seccompErrno = probeCheck({
  id: 'security.seccomp-errno',
  area: 'security',
  title: 'a syscall the seccomp filter denies with SCMP_ACT_ERRNO fails with the errno asked; the others work',
  specRef: `${REF} (SCMP_ACT_ERRNO; errnoRet since v1.1.0, EPERM when not given)`,
  level: 'MUST',
  layers: LAYERS,
  setup: () => ({
    args: ['--syscall', 'getpgid', '--syscall', 'getsid'],
    overrides: { seccomp: filter('getpgid', 'SCMP_ACT_ERRNO', ERRNO.value) },
  }),
  judge(report, run) {
    const denied = attempt(report, 'getpgid');
    if ('outcome' in denied) return denied.outcome;
    const allowed = attempt(report, 'getsid');
    if ('outcome' in allowed) return allowed.outcome;
    const problems: string[] = [];
    // Under a config older than v1.1.0, errnoRet is a property the runtime may not know: EPERM is then right too.
    const strict = errnoRetDefined(run.requested.ociVersion);
    const errno = denied.call.errno;
    if (errno !== ERRNO.name && (strict || errno !== 'EPERM')) {
      problems.push(`getpgid ${result(denied.call)} under a filter that denies it with errno ${ERRNO.value} (${ERRNO.name})`);
    }
    if (allowed.call.ret === null) problems.push(`getsid, which the filter allows, ${result(allowed.call)}`);
    if (problems.length) return failed(problems.join('; '));
    const note = errno === ERRNO.name ? '' : ` (errnoRet, a v1.1.0 field, was not applied to this ociVersion ${run.requested.ociVersion} config)`;
    return passed(`getpgid failed with ${errno ?? '?'}${note}; getsid returned ${allowed.call.ret}`);
  },
});

const KILL_FILTER = filter('getsid', 'SCMP_ACT_KILL');

const seccompKill: Check = {
  id: 'security.seccomp-kill',
  area: 'security',
  title: 'a syscall the seccomp filter answers with SCMP_ACT_KILL kills the process',
  specRef: `${REF} (SCMP_ACT_KILL)`,
  level: 'MUST',
  kinds: ['native'],
  layers: LAYERS,
  async run(ctx) {
    // Under the same filter, a probe that does not make the call must run and report.
    const control = reportOf(await ctx.target.probe({ kind: 'native', args: ['--syscall', 'getpgid'], overrides: { seccomp: KILL_FILTER } }));
    if (!control.report) return errored(`the probe does not run under a filter that kills only getsid: ${control.outcome.reason ?? ''}`);
    const run = await ctx.target.probe({ kind: 'native', args: ['--syscall', 'getsid'], overrides: { seccomp: KILL_FILTER } });
    if (run.report) {
      const call = attempt(run.report, 'getsid');
      if ('outcome' in call) return call.outcome;
      return failed(`getsid ${result(call.call)} and the process went on, under a filter whose action for it is SCMP_ACT_KILL`);
    }
    if (run.timedOut) return errored('the probe did not finish in time');
    if (run.exitCode === 0) return errored(`the probe exited 0 without a report${run.stderr ? `: ${firstLine(run.stderr)}` : ''}`);
    const how = run.exitCode === 128 + SIGSYS ? ', SIGSYS' : '';
    return passed(`killed at getsid (exit ${run.exitCode}${how}); the same filter without the call reported`);
  },
};

export const SECURITY_CHECKS: readonly Check[] = [seccompErrno, seccompKill];
