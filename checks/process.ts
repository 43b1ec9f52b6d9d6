/**
 * The process: what config.json's `process` and `hostname` ask for, as the container's
 * init observes it (argv, environment, cwd, ids, rlimits, no_new_privs, capabilities).
 */
import { readFileSync } from 'node:fs';
import { CAPABILITY_SETS, DEFAULT_CAPABILITIES, DEFAULT_ENV, type CapabilitySet } from '../core/oci-spec.ts';
import type { Outcome } from '../core/schema.ts';
import { probeCheck } from './define.ts';
import { fileText, firstLine, mismatch, type ProbeReport } from './probe.ts';
import { errored, failed, passed, skipped, type Check } from './types.ts';

const REF = 'runtime-spec config.md';

const args = probeCheck({
  id: 'process.args',
  area: 'process',
  title: 'process.args reach the process unchanged',
  specRef: `${REF}#process (args)`,
  level: 'MUST',
  setup: () => ({ args: ['--rb-word', 'two words', 'ünïcode', ''] }),
  judge(report, run) {
    const want = run.requested.process?.args ?? [];
    if (JSON.stringify(report.argv) === JSON.stringify(want)) return passed();
    return failed(`argv is ${JSON.stringify(report.argv)}, asked for ${JSON.stringify(want)}`);
  },
});

export const CHECK_ENV = ['RB_CHECK_PLAIN=1', 'RB_CHECK_SPACE=two words', 'RB_CHECK_EQUALS=a=b'];

const env = probeCheck({
  id: 'process.env',
  area: 'process',
  title: 'process.env is the environment of the process',
  specRef: `${REF}#process (env)`,
  level: 'MUST',
  setup: () => ({ args: [], overrides: { env: [...DEFAULT_ENV, ...CHECK_ENV] } }),
  judge(report, run) {
    const diffs: string[] = [];
    for (const kv of run.requested.process?.env ?? []) {
      const eq = kv.indexOf('=');
      const k = kv.slice(0, eq);
      const v = kv.slice(eq + 1);
      const got = report.env[k];
      if (got === undefined) diffs.push(`${k} missing`);
      else if (got !== v) diffs.push(`${k}=${JSON.stringify(got)}, asked ${JSON.stringify(v)}`);
    }
    return diffs.length ? mismatch('environment differs', diffs) : passed();
  },
});

const cwd = probeCheck({
  id: 'process.cwd',
  area: 'process',
  title: 'process.cwd is the working directory',
  specRef: `${REF}#process (cwd)`,
  level: 'MUST',
  setup: () => ({ args: [], overrides: { cwd: '/etc' } }),
  judge(report, run) {
    const asked = run.requested.process?.cwd;
    if (asked === undefined) return skipped('the config has no process');
    return report.cwd === asked ? passed() : failed(`cwd is ${JSON.stringify(report.cwd)}, asked ${asked}`);
  },
});

const user = probeCheck({
  id: 'process.user',
  area: 'process',
  title: 'process.user uid, gid and additionalGids are the process credentials',
  specRef: `${REF}#posix-platform-user`,
  level: 'MUST',
  setup: () => ({ args: [], overrides: { user: { uid: 65534, gid: 65534, additionalGids: [1000, 2000] } } }),
  judge(report, run) {
    const u = run.requested.process?.user;
    if (!u) return skipped('the config has no process user');
    const diffs: string[] = [];
    if (report.uid !== u.uid || report.euid !== u.uid) diffs.push(`uid/euid ${report.uid}/${report.euid}, asked ${u.uid}`);
    if (report.gid !== u.gid || report.egid !== u.gid) diffs.push(`gid/egid ${report.gid}/${report.egid}, asked ${u.gid}`);
    const groups = new Set(report.groups ?? []);
    const missing = (u.additionalGids ?? []).filter((g) => !groups.has(g));
    if (missing.length) diffs.push(`supplementary groups ${JSON.stringify(report.groups)} lack ${missing.join(', ')}`);
    return diffs.length ? mismatch('credentials differ', diffs) : passed();
  },
});

const rlimits = probeCheck({
  id: 'process.rlimits',
  area: 'process',
  title: 'process.rlimits (RLIMIT_NOFILE) are set',
  specRef: `${REF}#posix-process (rlimits)`,
  level: 'MUST',
  setup: () => ({ args: [], overrides: { rlimits: [{ type: 'RLIMIT_NOFILE', soft: 321, hard: 654 }] } }),
  judge(report, run) {
    const want = run.requested.process?.rlimits?.find((r) => r.type === 'RLIMIT_NOFILE');
    const got = report.rlimits?.nofile;
    if (!want) return skipped('no RLIMIT_NOFILE asked for');
    if (!got) return failed('RLIMIT_NOFILE is not readable in the container');
    if (got.soft === want.soft && got.hard === want.hard) return passed();
    return failed(`RLIMIT_NOFILE is ${got.soft}/${got.hard}, asked ${want.soft}/${want.hard}`);
  },
});

/**
 * The no_new_privs bit as the kernel answers the process (prctl(PR_GET_NO_NEW_PRIVS));
 * /proc/self/status is only another view of it. The outcome when neither can be read.
 */
function noNewPrivsBit(report: ProbeReport): { set: boolean; source: string } | { outcome: Outcome } {
  if (report.prctl === undefined)
    return { outcome: errored('the probe does not report prctl(PR_GET_NO_NEW_PRIVS): rebuild it with scripts/build-fixtures.sh') };
  if (typeof report.prctl?.noNewPrivs === 'boolean') return { set: report.prctl.noNewPrivs, source: 'prctl(PR_GET_NO_NEW_PRIVS)' };
  if (typeof report.capabilities?.noNewPrivs === 'boolean') return { set: report.capabilities.noNewPrivs, source: 'NoNewPrivs in /proc/self/status' };
  return { outcome: skipped(`prctl(PR_GET_NO_NEW_PRIVS) failed (${report.prctl?.errno ?? 'no answer'}) and /proc/self/status has no NoNewPrivs`) };
}

const noNewPrivileges = probeCheck({
  id: 'process.no-new-privileges',
  area: 'process',
  title: 'noNewPrivileges sets the no_new_privs bit, as prctl(PR_GET_NO_NEW_PRIVS) reads it',
  specRef: `${REF}#linux-process (noNewPrivileges)`,
  level: 'MUST',
  setup: () => ({ args: [], overrides: { noNewPrivileges: true } }),
  judge(report, run) {
    if (run.requested.process?.noNewPrivileges !== true) return skipped('the config does not set noNewPrivileges');
    const bit = noNewPrivsBit(report);
    if ('outcome' in bit) return bit.outcome;
    return bit.set ? passed() : failed(`no_new_privs is 0 (${bit.source}) although noNewPrivileges is true`);
  },
});

/**
 * The field honoured the other way: a process whose config does not ask for no_new_privs can
 * still gain privileges through a set-user-ID program (as under runc and crun). The spec's text
 * says only what `true` does, hence SHOULD; runtime-tools' runtimetest asserts the equality
 * `noNewPrivileges == (prctl == 1)` as a MUST.
 */
const noNewPrivilegesFalse = probeCheck({
  id: 'process.no-new-privileges-false',
  area: 'process',
  title: 'noNewPrivileges false leaves the no_new_privs bit unset, as prctl(PR_GET_NO_NEW_PRIVS) reads it',
  specRef: `${REF}#linux-process (noNewPrivileges: only true is described; runtime-tools runtimetest asserts noNewPrivileges == prctl(PR_GET_NO_NEW_PRIVS) as a MUST)`,
  level: 'SHOULD',
  setup: () => ({ args: [], overrides: { noNewPrivileges: false } }),
  judge(report, run, ctx) {
    if (run.requested.process?.noNewPrivileges !== false) return skipped('the config does not set noNewPrivileges false');
    const bit = noNewPrivsBit(report);
    if ('outcome' in bit) return bit.outcome;
    if (!bit.set) return passed();
    // the bit is inherited and cannot be cleared: under a runbench that has it, no runtime could pass
    if (ctx.target.layer === 'oci' && selfHasNoNewPrivs())
      return skipped('runbench itself runs with no_new_privs set, which the runtime inherits and cannot clear');
    return failed(`no_new_privs is 1 (${bit.source}) although noNewPrivileges is false: the runtime ignores the field and sets the bit regardless`);
  },
});

function selfHasNoNewPrivs(): boolean {
  try {
    return /^NoNewPrivs:\s*1$/m.test(readFileSync('/proc/self/status', 'utf8'));
  } catch {
    return false;
  }
}

/** Capability names by bit number (linux/capability.h), as the probe names them too. */
const CAP_NAMES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];

/** The names of the bits set in a /proc/self/status capability mask (hex). */
export function capabilityNames(mask: string): string[] {
  const bits = BigInt(`0x${mask}`);
  const names: string[] = [];
  for (let bit = 0; bit < 64; bit++) if ((bits >> BigInt(bit)) & 1n) names.push(CAP_NAMES[bit] ?? `CAP_${bit}`);
  return names;
}

/** config.json's set -> the /proc/self/status field the probe reports it as. */
const STATUS_FIELD: Record<CapabilitySet, 'bnd' | 'eff' | 'prm' | 'inh' | 'amb'> = {
  bounding: 'bnd',
  effective: 'eff',
  permitted: 'prm',
  inheritable: 'inh',
  ambient: 'amb',
};

/**
 * Five sets a root process keeps across execve as asked: the kernel gives root a permitted
 * (and effective) set of bounding | inheritable, so those two equal the bounding set, with
 * inheritable inside it and ambient inside both.
 */
const CAPS = {
  bounding: ['CAP_AUDIT_WRITE', 'CAP_CHOWN', 'CAP_KILL', 'CAP_NET_BIND_SERVICE', 'CAP_SETUID'],
  inheritable: ['CAP_KILL', 'CAP_NET_BIND_SERVICE'],
  ambient: ['CAP_NET_BIND_SERVICE'],
};

const capabilities = probeCheck({
  id: 'process.capabilities',
  area: 'process',
  title: 'the bounding, effective, permitted, inheritable and ambient sets are the ones asked for',
  specRef: `${REF}#linux-process (capabilities)`,
  level: 'MUST',
  setup: (ctx) => ({
    args: [],
    overrides: {
      capabilities: CAPS.bounding,
      // a pod says only which capabilities to add: the CRI's spec says the rest, and is judged as it is
      ...(ctx.target.layer === 'kubernetes' ? {} : { capabilitySets: { inheritable: CAPS.inheritable, ambient: CAPS.ambient } }),
    },
  }),
  judge(report, run) {
    const caps = report.capabilities;
    if (!caps) return failed('/proc/self/status is not readable in the container');
    const diffs: string[] = [];
    const unread: string[] = [];
    for (const set of CAPABILITY_SETS) {
      const mask = caps[STATUS_FIELD[set]];
      if (mask === undefined) return errored('the probe does not report CapInh and CapAmb: rebuild it with scripts/build-fixtures.sh');
      if (mask === null) {
        unread.push(set);
        continue;
      }
      const want = new Set(run.requested.process?.capabilities?.[set] ?? []);
      const got = new Set(capabilityNames(mask));
      const extra = [...got].filter((c) => !want.has(c));
      const missing = [...want].filter((c) => !got.has(c));
      if (extra.length || missing.length)
        diffs.push(`${set}${extra.length ? ` has ${extra.join(',')}` : ''}${missing.length ? `${extra.length ? ',' : ''} lacks ${missing.join(',')}` : ''}`);
    }
    if (diffs.length) return mismatch('capability sets differ', diffs);
    if (unread.length === CAPABILITY_SETS.length) return skipped('/proc/self/status shows no capability sets here');
    return passed(unread.length ? `${unread.join(', ')} not shown in /proc/self/status` : null);
  },
});

const UNKNOWN_CAPABILITY = 'CAP_RB_UNKNOWN';

const unknownCapability = probeCheck({
  id: 'process.capabilities-unknown',
  area: 'process',
  title: `a capability name the kernel does not have (${UNKNOWN_CAPABILITY}) is refused`,
  // v1.1.0 made this a logged warning, which runtimes SHOULD NOT fail on; runbench's configs declare 1.0.2
  specRef: `${REF}#linux-process (capabilities: "Any value which cannot be mapped to a relevant kernel interface MUST cause an error", v1.0.2)`,
  level: 'MUST',
  layers: ['oci', 'containerd'],
  setup: () => {
    const caps = [...DEFAULT_CAPABILITIES, UNKNOWN_CAPABILITY];
    return { args: [], overrides: { capabilitySets: { bounding: caps, effective: caps, permitted: caps } } };
  },
  judge: (_report, run) => failed(`a config (ociVersion ${run.requested.ociVersion}) asking for ${UNKNOWN_CAPABILITY} was run, without an error`),
  judgeNoReport(run) {
    if (run.timedOut) return errored('the probe did not finish in time');
    return passed(`refused (exit ${run.exitCode}): ${firstLine(run.stderr) || (run.reportError ?? '')}`);
  },
});

const hostname = probeCheck({
  id: 'process.hostname',
  area: 'process',
  title: 'hostname is set in the container',
  specRef: `${REF}#hostname`,
  level: 'MUST',
  setup: () => ({ args: [], overrides: { hostname: 'rb-conformance' } }),
  judge(report, run) {
    const asked = run.requested.hostname;
    if (!asked) {
      // a pod's containers join the sandbox's uts namespace: the sandbox, not this container, sets it
      const uts = run.requested.linux?.namespaces?.find((n) => n.type === 'uts');
      return skipped(uts?.path ? `the config joins the uts namespace at ${uts.path} and sets no hostname` : 'the config sets no hostname');
    }
    return report.hostname === asked ? passed() : failed(`hostname is ${JSON.stringify(report.hostname)}, asked ${asked}`);
  },
});

/** Raising the score needs no privilege; 0 is the default a runtime that ignores the field leaves. */
const OOM_SCORE_ADJ = 345;

const oomScoreAdj = probeCheck({
  id: 'process.oom-score-adj',
  area: 'process',
  title: 'process.oomScoreAdj is the process oom_score_adj',
  specRef: `${REF}#process (oomScoreAdj)`,
  level: 'MUST',
  layers: ['oci', 'containerd'],
  setup: () => ({ args: ['--read-file', '/proc/self/oom_score_adj'], overrides: { oomScoreAdj: OOM_SCORE_ADJ } }),
  judge(report, run) {
    const asked = run.requested.process?.oomScoreAdj;
    if (asked === undefined) return skipped('the config sets no oomScoreAdj');
    const read = fileText(report, '/proc/self/oom_score_adj');
    if ('outcome' in read) return read.outcome;
    return read.text === String(asked) ? passed() : failed(`oom_score_adj is ${read.text}, asked ${asked}`);
  },
});

export const PROCESS_CHECKS: readonly Check[] = [
  args,
  env,
  cwd,
  user,
  rlimits,
  noNewPrivileges,
  noNewPrivilegesFalse,
  capabilities,
  unknownCapability,
  hostname,
  oomScoreAdj,
];
