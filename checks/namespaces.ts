/**
 * Namespaces: the process is in new pid, uts, ipc, mount and network namespaces,
 * compared by the inode of /proc/self/ns/* inside against the host's.
 */
import type { NamespaceType } from '../core/oci-spec.ts';
import { probeCheck } from './define.ts';
import { fileText, type ProbeReport } from './probe.ts';
import { failed, passed, skipped, type Check, type CheckContext } from './types.ts';

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
];
