/**
 * Namespaces: the process is in new pid, uts, ipc, mount and network namespaces,
 * compared by the inode of /proc/self/ns/* inside against the host's.
 */
import { spawn } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import type { NamespaceType } from '../core/oci-spec.ts';
import { probeCheck } from './define.ts';
import { fileText, firstLine, reportOf, type ProbeReport } from './probe.ts';
import { errored, failed, passed, skipped, type Check, type CheckContext } from './types.ts';

/** config.json's name for a namespace -> the /proc/self/ns entry. */
const NS_FILE: Record<NamespaceType, string> = {
  pid: 'pid',
  network: 'net',
  ipc: 'ipc',
  uts: 'uts',
  mount: 'mnt',
  user: 'user',
  cgroup: 'cgroup',
  time: 'time',
};

function nsCheck(type: NamespaceType, title: string, extra?: (report: ProbeReport) => string | null): Check {
  return probeCheck({
    id: `namespaces.${type}`,
    area: 'namespaces',
    title,
    specRef: 'runtime-spec config-linux.md#namespaces',
    level: 'MUST',
    setup: () => ({ args: [] }),
    judge(report, run, ctx: CheckContext) {
      if (!run.requested.linux?.namespaces?.some((n) => n.type === type && !n.path)) return skipped(`the config asks for no new ${type} namespace`);
      const file = NS_FILE[type];
      const inside = report.namespaces?.[file] ?? null;
      const host = ctx.hostNamespaces[file] ?? null;
      if (!inside) return skipped(`/proc/self/ns/${file} is not readable in the container, so it cannot be compared`);
      if (!host) return skipped(`the host has no /proc/self/ns/${file}`);
      if (inside === host) return failed(`the process shares the host's ${type} namespace (${inside})`);
      const why = extra?.(report) ?? null;
      return why ? failed(why) : passed(`${inside} (host ${host})`);
    },
  });
}

/** A network-namespaced parameter with a default (1024) that a value of our own cannot be mistaken for. */
const SYSCTL = { name: 'net.ipv4.ip_unprivileged_port_start', value: '1000' } as const;

function sysctl(): Check {
  const file = `/proc/sys/${SYSCTL.name.replace(/\./g, '/')}`;
  return probeCheck({
    id: 'namespaces.sysctl',
    area: 'namespaces',
    title: "linux.sysctl sets a namespaced kernel parameter in the container's namespace",
    specRef: 'runtime-spec config-linux.md#sysctl',
    level: 'MUST',
    setup: () => ({ args: ['--read-file', file], overrides: { sysctl: { [SYSCTL.name]: SYSCTL.value } } }),
    judge(report, run) {
      const asked = run.requested.linux?.sysctl?.[SYSCTL.name];
      if (asked === undefined) {
        // a pod's sysctls are set on its sandbox, whose network namespace the container joins
        const net = run.requested.linux?.namespaces?.find((n) => n.type === 'network');
        return skipped(`the config sets no ${SYSCTL.name}${net?.path ? `: it joins the network namespace at ${net.path}, set up before it` : ''}`);
      }
      const read = fileText(report, file, `${file} does not exist in the container: the parameter was not set`);
      if ('outcome' in read) return read.outcome;
      return read.text === asked ? passed() : failed(`${SYSCTL.name} is ${read.text}, asked ${asked}`);
    },
  });
}

/** A process of the check's own in fresh ipc and network namespaces, for a container to join; killed by `stop`. */
async function namespaceHolder(ctx: CheckContext): Promise<{ path(file: 'ipc' | 'net'): string; link(file: 'ipc' | 'net'): string; stop(): void }> {
  // short-lived even if the check never gets to stop it
  const child = spawn('unshare', ['--ipc', '--net', 'sleep', '60'], { stdio: 'ignore' });
  const pid = child.pid;
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  if (pid === undefined) throw new Error('unshare did not start');
  const path = (file: 'ipc' | 'net') => `/proc/${pid}/ns/${file}`;
  const link = (file: 'ipc' | 'net') => readlinkSync(path(file));
  for (let i = 0; i < 100; i++) {
    try {
      if (link('net') !== ctx.hostNamespaces.net && link('ipc') !== ctx.hostNamespaces.ipc) return { path, link, stop };
    } catch {
      /* not there yet */
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  stop();
  throw new Error('unshare --ipc --net did not make new namespaces in 2 s');
}

const NS_PATH_REF = 'runtime-spec config-linux.md#namespaces (path)';

const joinPath: Check = {
  id: 'namespaces.join-path',
  area: 'namespaces',
  title: 'a namespace given by path is joined: the process is in the ipc and network namespaces of another process',
  specRef: NS_PATH_REF,
  level: 'MUST',
  kinds: ['native'],
  layers: ['oci', 'containerd'],
  async run(ctx) {
    const holder = await namespaceHolder(ctx);
    try {
      const run = await ctx.target.probe({
        kind: 'native',
        args: [],
        overrides: { namespaces: ['pid', 'uts', 'mount', { type: 'ipc', path: holder.path('ipc') }, { type: 'network', path: holder.path('net') }] },
      });
      const r = reportOf(run);
      if (!r.report) return r.outcome;
      const diffs: string[] = [];
      for (const file of ['ipc', 'net'] as const) {
        const inside = r.report.namespaces?.[file] ?? null;
        if (!inside) return skipped(`/proc/self/ns/${file} is not readable in the container, so it cannot be compared`);
        if (inside !== holder.link(file)) diffs.push(`${file} is ${inside}, not ${holder.link(file)} at ${holder.path(file)}`);
      }
      return diffs.length ? failed(diffs.join('; ')) : passed(`joined ${holder.link('ipc')} and ${holder.link('net')}`);
    } finally {
      holder.stop();
    }
  },
};

const pathWrongType: Check = {
  id: 'namespaces.path-wrong-type',
  area: 'namespaces',
  title: 'a namespace path of another type (a network namespace given as ipc) is refused',
  specRef: NS_PATH_REF,
  level: 'MUST',
  kinds: ['native'],
  layers: ['oci', 'containerd'],
  async run(ctx) {
    const holder = await namespaceHolder(ctx);
    try {
      const run = await ctx.target.probe({
        kind: 'native',
        args: [],
        overrides: { namespaces: ['pid', 'uts', 'mount', 'network', { type: 'ipc', path: holder.path('net') }] },
      });
      if (run.report) return failed(`the process ran (ipc namespace ${run.report.namespaces?.ipc ?? '?'}) although the ipc path was a network namespace`);
      if (run.timedOut) return errored('the probe did not finish in time');
      return passed(`refused (exit ${run.exitCode}): ${firstLine(run.stderr) || (run.reportError ?? '')}`);
    } finally {
      holder.stop();
    }
  },
};

/** Container ids 0-65535 as host ids 200000-265535. */
const ID_MAPPING = [{ containerID: 0, hostID: 200_000, size: 65_536 }];

const userNamespace = probeCheck({
  id: 'namespaces.user',
  area: 'namespaces',
  title: 'a new user namespace with the uid and gid mappings asked for',
  specRef: 'runtime-spec config-linux.md#user-namespace-mappings',
  level: 'MUST',
  layers: ['oci', 'containerd'],
  setup: () => ({
    args: ['--read-file', '/proc/self/uid_map', '--read-file', '/proc/self/gid_map'],
    overrides: { namespaces: ['pid', 'network', 'ipc', 'uts', 'mount', 'user'], uidMappings: ID_MAPPING, gidMappings: ID_MAPPING },
  }),
  judge(report, run, ctx) {
    const linux = run.requested.linux;
    if (!linux?.namespaces?.some((n) => n.type === 'user' && !n.path)) return skipped('the config asks for no new user namespace');
    const inside = report.namespaces?.user ?? null;
    if (inside && inside === ctx.hostNamespaces.user) return failed(`the process shares the host's user namespace (${inside})`);
    const diffs: string[] = [];
    for (const [file, asked] of [
      ['/proc/self/uid_map', linux.uidMappings ?? []],
      ['/proc/self/gid_map', linux.gidMappings ?? []],
    ] as const) {
      const read = fileText(report, file);
      if ('outcome' in read) return read.outcome;
      const got = read.text
        .split('\n')
        .map((l) => l.trim().split(/\s+/).map(Number))
        .filter((f) => f.length === 3);
      const want = asked.map((m) => [m.containerID, m.hostID, m.size]);
      if (JSON.stringify(got) !== JSON.stringify(want))
        diffs.push(`${file} is ${JSON.stringify(read.text.replace(/\s+/g, ' '))}, asked ${want.map((w) => w.join(' ')).join(', ')}`);
    }
    return diffs.length
      ? failed(diffs.join('; '))
      : passed(`${inside ?? 'user namespace'} maps ${ID_MAPPING.map((m) => `${m.containerID}-${m.containerID + m.size - 1} to ${m.hostID}`).join(', ')}`);
  },
});

export const NAMESPACE_CHECKS: readonly Check[] = [
  nsCheck('pid', 'a new pid namespace: the process is pid 1', (r) => (r.pid === 1 ? null : `the process is pid ${r.pid}, not 1`)),
  nsCheck('uts', 'a new uts namespace'),
  nsCheck('ipc', 'a new ipc namespace'),
  nsCheck('mount', 'a new mount namespace'),
  nsCheck('network', 'a new network namespace with only the loopback interface', (r) => {
    const ifs = r.netInterfaces ?? [];
    return ifs.length === 1 && ifs[0] === 'lo' ? null : `interfaces are ${ifs.join(', ') || '(none)'}, not just lo`;
  }),
  sysctl(),
  joinPath,
  pathWrongType,
  userNamespace,
];
