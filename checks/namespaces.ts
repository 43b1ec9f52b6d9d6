/**
 * Namespaces: the process is in new pid, uts, ipc, mount and network namespaces,
 * compared by the inode of /proc/self/ns/* inside against the host's.
 */
import type { NamespaceType } from '../core/oci-spec.ts';
import { probeCheck } from './define.ts';
import type { ProbeReport } from './probe.ts';
import { failed, passed, skipped, type Check, type CheckContext } from './types.ts';

/** config.json's name for a namespace -> the /proc/self/ns entry. */
const NS_FILE: Record<NamespaceType, string> = { pid: 'pid', network: 'net', ipc: 'ipc', uts: 'uts', mount: 'mnt', user: 'user', cgroup: 'cgroup' };

function nsCheck(type: NamespaceType, title: string, extra?: (report: ProbeReport) => string | null): Check {
  return probeCheck({
    id: `namespaces.${type}`,
    area: 'namespaces',
    title,
    specRef: 'runtime-spec config-linux.md#namespaces',
    level: 'MUST',
    setup: () => ({ args: [] }),
    judge(report, run, ctx: CheckContext) {
      if (!run.requested.linux.namespaces.some((n) => n.type === type && !n.path)) return skipped(`the config asks for no new ${type} namespace`);
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

export const NAMESPACE_CHECKS: readonly Check[] = [
  nsCheck('pid', 'a new pid namespace: the process is pid 1', (r) => (r.pid === 1 ? null : `the process is pid ${r.pid}, not 1`)),
  nsCheck('uts', 'a new uts namespace'),
  nsCheck('ipc', 'a new ipc namespace'),
  nsCheck('mount', 'a new mount namespace'),
  nsCheck('network', 'a new network namespace with only the loopback interface', (r) => {
    const ifs = r.netInterfaces ?? [];
    return ifs.length === 1 && ifs[0] === 'lo' ? null : `interfaces are ${ifs.join(', ') || '(none)'}, not just lo`;
  }),
];
