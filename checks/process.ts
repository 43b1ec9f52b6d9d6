/**
 * The process: what config.json's `process` and `hostname` ask for, as the container's
 * init observes it (argv, environment, cwd, ids, rlimits, no_new_privs, capabilities).
 */
import { DEFAULT_ENV } from '../core/oci-spec.ts';
import { probeCheck } from './define.ts';
import { fileText, mismatch } from './probe.ts';
import { failed, passed, skipped, type Check } from './types.ts';

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

const noNewPrivileges = probeCheck({
  id: 'process.no-new-privileges',
  area: 'process',
  title: 'noNewPrivileges sets the no_new_privs bit',
  specRef: `${REF}#linux-process (noNewPrivileges)`,
  level: 'MUST',
  setup: () => ({ args: [], overrides: { noNewPrivileges: true } }),
  judge(report) {
    const nnp = report.capabilities?.noNewPrivs;
    if (nnp === null || nnp === undefined) return skipped('NoNewPrivs is not reported in /proc/self/status here');
    return nnp ? passed() : failed('NoNewPrivs is 0 although noNewPrivileges is true');
  },
});

const capabilities = probeCheck({
  id: 'process.capabilities',
  area: 'process',
  title: 'the effective capability set is the one asked for',
  specRef: `${REF}#linux-process (capabilities)`,
  level: 'MUST',
  setup: () => ({ args: [], overrides: { capabilities: ['CAP_CHOWN', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'] } }),
  judge(report, run) {
    const want = new Set(run.requested.process?.capabilities?.effective ?? []);
    const names = report.capabilities?.effNames;
    if (!names) return failed('CapEff is not readable in the container');
    const got = new Set(names);
    const extra = [...got].filter((c) => !want.has(c));
    const missing = [...want].filter((c) => !got.has(c));
    if (!extra.length && !missing.length) return passed();
    return failed(
      `effective set ${[...got].join(',') || '(empty)'}${extra.length ? `; extra ${extra.join(',')}` : ''}${missing.length ? `; missing ${missing.join(',')}` : ''}`,
    );
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

export const PROCESS_CHECKS: readonly Check[] = [args, env, cwd, user, rlimits, noNewPrivileges, capabilities, hostname, oomScoreAdj];
