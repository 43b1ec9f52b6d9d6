/**
 * Memory of pods: the kubelet's summary API (any cluster, through the API server's node
 * proxy) and, when the node is this machine, the pod's cgroup directory (its figures are
 * read with core/cgroups.ts) and the RSS of the containerd shim serving the pod.
 */
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { procStatusBytes } from '../shared/proc.ts';
import type { KubeClient } from './client.ts';

const MemoryStats = z
  .object({
    workingSetBytes: z.number().optional(),
    rssBytes: z.number().optional(),
    usageBytes: z.number().optional(),
  })
  .passthrough();

const Summary = z.object({
  node: z.object({ nodeName: z.string() }).passthrough(),
  pods: z
    .array(
      z
        .object({
          podRef: z.object({ name: z.string(), namespace: z.string(), uid: z.string() }),
          memory: MemoryStats.optional(),
          containers: z.array(z.object({ name: z.string(), memory: MemoryStats.optional() }).passthrough()).optional(),
        })
        .passthrough(),
    )
    .default([]),
});
export type Summary = z.infer<typeof Summary>;

export interface PodMemory {
  workingSetBytes: number;
  rssBytes: number | null;
  /** Where the figure came from: the pod's own cgroup, or the sum over its containers. */
  source: 'pod' | 'containers';
}

export async function nodeSummary(client: KubeClient, node: string): Promise<Summary> {
  const text = await client.getText(`/api/v1/nodes/${encodeURIComponent(node)}/proxy/stats/summary`);
  return Summary.parse(JSON.parse(text));
}

/** A pod's memory from a summary, or null when the kubelet has no figure for it yet. */
export function podMemory(summary: Summary, namespace: string, pod: string): PodMemory | null {
  const p = summary.pods.find((x) => x.podRef.namespace === namespace && x.podRef.name === pod);
  if (!p) return null;
  const ws = p.memory?.workingSetBytes;
  if (typeof ws === 'number' && ws > 0) return { workingSetBytes: ws, rssBytes: p.memory?.rssBytes ?? null, source: 'pod' };
  const cs = (p.containers ?? []).map((c) => c.memory).filter((m): m is z.infer<typeof MemoryStats> => m?.workingSetBytes !== undefined);
  if (cs.length === 0) return null;
  return {
    workingSetBytes: cs.reduce((a, m) => a + (m.workingSetBytes ?? 0), 0),
    rssBytes: cs.every((m) => m.rssBytes !== undefined) ? cs.reduce((a, m) => a + (m.rssBytes ?? 0), 0) : null,
    source: 'containers',
  };
}

const CGROUP_ROOTS = ['/sys/fs/cgroup/memory', '/sys/fs/cgroup'];

/**
 * The pod's memory cgroup directory on this machine, for the cgroupfs driver
 * (kubepods/<qos>/pod<uid>) and the systemd driver (kubepods-<qos>-pod<uid_>.slice).
 */
export function podCgroupDir(uid: string): string | null {
  const names = new Set([`pod${uid}`, `pod${uid.replace(/-/g, '_')}`]);
  const matches = (d: string) => names.has(d) || [...names].some((n) => d.endsWith(`-${n}.slice`));
  for (const root of CGROUP_ROOTS) {
    for (const top of ['kubepods', 'kubepods.slice']) {
      const base = join(root, top);
      if (!existsSync(base)) continue;
      const queue = [base];
      // kubepods/pod<uid> (guaranteed) or kubepods/<qos>/pod<uid>
      for (let depth = 0; depth < 2 && queue.length > 0; depth++) {
        const next: string[] = [];
        for (const dir of queue) {
          let entries: string[] = [];
          try {
            entries = readdirSync(dir, { withFileTypes: true })
              .filter((e) => e.isDirectory())
              .map((e) => e.name);
          } catch {
            continue;
          }
          for (const e of entries) {
            if (matches(e)) return join(dir, e);
            if (e.includes('besteffort') || e.includes('burstable')) next.push(join(dir, e));
          }
        }
        queue.splice(0, queue.length, ...next);
      }
    }
  }
  return null;
}

/**
 * The containerd shim serving a pod on this machine: the shim whose -id is one of the
 * container IDs in the pod's cgroup (the sandbox's, with runc.v2's one shim per pod).
 */
export function podShimPid(podCgroup: string): number | null {
  let ids: Set<string>;
  try {
    ids = new Set(
      readdirSync(podCgroup, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name),
    );
  } catch {
    return null;
  }
  if (ids.size === 0) return null;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const exe = argv[0] ?? '';
    if (!exe.includes('containerd-shim')) continue;
    const i = argv.indexOf('-id');
    const id = i >= 0 ? argv[i + 1] : undefined;
    if (id && ids.has(id)) return Number(entry);
  }
  return null;
}

export function shimMemory(pid: number): { peakRssBytes: number | null; rssBytes: number | null; exe: string | null } {
  let exe: string | null = null;
  try {
    exe = readlinkSync(`/proc/${pid}/exe`);
  } catch {
    /* gone */
  }
  return { peakRssBytes: procStatusBytes(pid, 'VmHWM'), rssBytes: procStatusBytes(pid, 'VmRSS'), exe };
}
