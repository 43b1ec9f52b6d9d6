/**
 * The conformance target for the `kubernetes` layer: the probe as a pod of the runtime's
 * RuntimeClass. What a check asks for is said the way a pod says it (env, workingDir,
 * securityContext, volumes, resource limits); what a pod has no field for (rlimits, a
 * pids limit of its own, other namespaces) is a skip with that reason. The kubelet and
 * the CRI turn the pod into an OCI spec of their own: that spec, read back from the
 * node's containerd, is what the probe's observations are judged against, so a check
 * judges the runtime and not the translation. Reading it needs the pod on this machine.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Container, V1Pod, V1PodSecurityContext, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { cpuThrottling, type CpuThrottling } from '../../core/cgroups.ts';
import { errorMessage } from '../../core/errors.ts';
import { DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS, OciConfig } from '../../core/oci-spec.ts';
import { ContainerdClient } from '../containerd/api.ts';
import type { NodeFacts } from './cluster.ts';
import { podCgroupDir } from './memory.ts';
import { CONTAINER } from './pods.ts';
import type { KubernetesSession } from './session.ts';
import { probeRun } from '../../core/probe-report.ts';
import { ProbeOnlyTarget } from '../probe-target.ts';
import { CannotAsk, type BundleOverrides, type ProbeRequest } from '../../core/conformance.ts';
import type { ProbeRun } from '../../core/probe-report.ts';

const DEFAULT_TIMEOUT_MS = 120_000;
/** The node's containerd: scripts/cluster.sh's own, else the usual one. */
export const NODE_CONTAINERD = ['/run/runbench-cluster/containerd/containerd.sock', '/run/containerd/containerd.sock'];
const CRI_NAMESPACE = 'k8s.io';
/** The CFS period the kubelet sets; a CPU limit is a quota per this period. */
const KUBELET_CFS_PERIOD_US = 100_000;

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The pod edits that ask for `o`, or CannotAsk for what a pod has no field for. */
export function podEdits(o: BundleOverrides): (pod: V1Pod) => void {
  if (o.rlimits) throw new CannotAsk('a pod cannot ask for rlimits: Kubernetes has no field for them');
  if (o.pidsLimit !== undefined) throw new CannotAsk("a pod cannot ask for a pids limit of its own: the kubelet's podPidsLimit is one setting for all pods");
  if (o.namespaces) throw new CannotAsk("a pod cannot leave out its container's namespaces");
  if (o.args) throw new CannotAsk('the probe pod takes its arguments from the check');
  if (o.hooks) throw new CannotAsk('a pod cannot ask for OCI hooks');
  if (o.oomScoreAdj !== undefined) throw new CannotAsk("a pod cannot ask for an oom_score_adj: the kubelet sets it from the pod's QoS class");
  if (o.devices) throw new CannotAsk('a pod cannot ask for device nodes (only a device plugin can add them)');
  if (o.seccomp) throw new CannotAsk('a pod cannot give a seccomp filter of its own (a Localhost profile must already be on the node)');
  if (o.capabilitySets) throw new CannotAsk('a pod says only which capabilities to add or drop, not each capability set');
  if (o.ociVersion || o.omit || o.unknownProperties) throw new CannotAsk('the CRI writes the OCI config itself: a pod cannot shape it');
  if (o.rootfsPropagation) throw new CannotAsk("a pod cannot set its root filesystem's mount propagation");
  if (o.uidMappings || o.gidMappings) throw new CannotAsk('a pod cannot give user namespace mappings of its own');
  if (o.deviceRules) throw new CannotAsk("a pod cannot set the device cgroup's allow-list");
  // the CRI masks and write-protects its own defaults, the same lists as runbench's; other lists cannot be asked
  if (o.maskedPaths && !sameList(o.maskedPaths, DEFAULT_MASKED_PATHS)) throw new CannotAsk('a pod cannot list masked paths');
  if (o.readonlyPaths && !sameList(o.readonlyPaths, DEFAULT_READONLY_PATHS)) throw new CannotAsk('a pod cannot list read-only paths');
  let cpu: string | null = null;
  if (o.cpuQuota) {
    if (o.cpuQuota.periodUs !== KUBELET_CFS_PERIOD_US)
      throw new CannotAsk(`a pod's CPU limit is a quota per ${KUBELET_CFS_PERIOD_US} µs, not per ${o.cpuQuota.periodUs}`);
    cpu = `${Math.round((o.cpuQuota.quotaUs / KUBELET_CFS_PERIOD_US) * 1000)}m`;
  }
  const volumes: V1Volume[] = [];
  const mounts: V1VolumeMount[] = [];
  for (const [i, m] of (o.extraMounts ?? []).entries()) {
    const name = `rb-vol-${i}`;
    const readOnly = (m.options ?? []).includes('ro');
    if (m.type === 'bind') {
      if (!m.source) throw new CannotAsk(`a bind mount at ${m.destination} without a source cannot be a hostPath volume`);
      volumes.push({ name, hostPath: { path: m.source, type: 'Directory' } });
    } else if (m.type === 'tmpfs') {
      const size = (m.options ?? []).find((x) => x.startsWith('size='))?.slice(5);
      volumes.push({ name, emptyDir: { medium: 'Memory', ...(size ? { sizeLimit: size.replace(/([kmg])$/i, (u) => `${u.toUpperCase()}i`) } : {}) } });
    } else throw new CannotAsk(`a pod cannot mount a ${m.type} filesystem`);
    mounts.push({ name, mountPath: m.destination, readOnly });
  }
  return (pod) => {
    const spec = pod.spec;
    const c: V1Container | undefined = spec?.containers[0];
    if (!spec || !c) throw new Error('the probe pod has no container');
    if (o.env) c.env = o.env.map((kv) => ({ name: kv.slice(0, kv.indexOf('=')), value: kv.slice(kv.indexOf('=') + 1) }));
    if (o.cwd) c.workingDir = o.cwd;
    if (o.hostname) spec.hostname = o.hostname;
    const sc: NonNullable<V1Container['securityContext']> = { ...c.securityContext };
    if (o.readonlyRoot !== undefined) sc.readOnlyRootFilesystem = o.readonlyRoot;
    if (o.noNewPrivileges !== undefined) sc.allowPrivilegeEscalation = !o.noNewPrivileges;
    if (o.capabilities) sc.capabilities = { drop: ['ALL'], add: o.capabilities.map((x) => x.replace(/^CAP_/, '')) };
    if (o.user) {
      sc.runAsUser = o.user.uid;
      sc.runAsGroup = o.user.gid;
      const psc: V1PodSecurityContext = { ...spec.securityContext, supplementalGroups: o.user.additionalGids ?? [] };
      spec.securityContext = psc;
    }
    if (Object.keys(sc).length > 0) c.securityContext = sc;
    // a pod's sysctls are the sandbox's: namespaced ones reach every container of the pod
    if (o.sysctl) spec.securityContext = { ...spec.securityContext, sysctls: Object.entries(o.sysctl).map(([name, value]) => ({ name, value })) };
    if (o.memoryLimitBytes !== undefined || cpu) {
      const limits: Record<string, string> = { ...(c.resources?.limits ?? {}) };
      if (o.memoryLimitBytes !== undefined) limits.memory = String(o.memoryLimitBytes);
      if (cpu) limits.cpu = cpu;
      c.resources = { limits, requests: { ...limits } };
    }
    if (volumes.length) {
      spec.volumes = [...(spec.volumes ?? []), ...volumes];
      c.volumeMounts = [...(c.volumeMounts ?? []), ...mounts];
    }
    if (o.annotations) pod.metadata = { ...pod.metadata, annotations: { ...(pod.metadata?.annotations ?? {}), ...o.annotations } };
  };
}

/** The parts of an OCI spec the checks read, from the spec the CRI generated (which leaves some out). */
export function asOciConfig(raw: unknown): OciConfig {
  // the spec is JSON of the CRI's making: read leniently, then validated as a whole below
  const r = (raw ?? {}) as Record<string, any>;
  const p = r.process ?? {};
  const l = r.linux ?? {};
  const caps = p.capabilities ?? {};
  const res = l.resources ?? {};
  return OciConfig.parse({
    ociVersion: r.ociVersion ?? '',
    process: {
      terminal: false,
      user: { uid: p.user?.uid ?? 0, gid: p.user?.gid ?? 0, ...(p.user?.additionalGids ? { additionalGids: p.user.additionalGids } : {}) },
      args: p.args ?? [],
      env: p.env ?? [],
      cwd: p.cwd ?? '/',
      capabilities: {
        bounding: caps.bounding ?? [],
        effective: caps.effective ?? [],
        permitted: caps.permitted ?? [],
        ...(caps.inheritable ? { inheritable: caps.inheritable } : {}),
        ...(caps.ambient ? { ambient: caps.ambient } : {}),
      },
      rlimits: p.rlimits ?? [],
      noNewPrivileges: p.noNewPrivileges ?? false,
    },
    root: { path: r.root?.path ?? '', readonly: r.root?.readonly ?? false },
    hostname: r.hostname ?? '',
    mounts: (r.mounts ?? []).map((m: Record<string, unknown>) => ({ type: 'bind', source: '', ...m })),
    ...(r.annotations ? { annotations: r.annotations } : {}),
    linux: {
      namespaces: l.namespaces ?? [],
      ...(l.cgroupsPath ? { cgroupsPath: l.cgroupsPath } : {}),
      resources: {
        ...(res.memory?.limit !== undefined
          ? { memory: { limit: res.memory.limit, ...(res.memory.swap !== undefined ? { swap: res.memory.swap } : {}) } }
          : {}),
        ...(res.pids?.limit !== undefined ? { pids: { limit: res.pids.limit } } : {}),
        ...(res.cpu
          ? { cpu: { ...(res.cpu.quota !== undefined ? { quota: res.cpu.quota } : {}), ...(res.cpu.period !== undefined ? { period: res.cpu.period } : {}) } }
          : {}),
      },
      maskedPaths: l.maskedPaths ?? [],
      readonlyPaths: l.readonlyPaths ?? [],
      // the CRI lists its default devices with fields the checks do not read
      ...(l.sysctl && typeof l.sysctl === 'object' ? { sysctl: l.sysctl } : {}),
      ...(Array.isArray(l.devices) ? { devices: l.devices.filter((d: { path?: unknown }) => typeof d.path === 'string' && d.path.startsWith('/dev/')) } : {}),
    },
  });
}

/** A CRI log file (`<time> <stream> <P|F> <text>` per line) split back into its streams. */
export function splitCriLog(text: string): { stdout: string; stderr: string } {
  const out = { stdout: '', stderr: '' };
  for (const line of text.split('\n')) {
    const m = /^\S+ (stdout|stderr) ([PF]) ?(.*)$/.exec(line);
    if (!m) continue;
    const stream = m[1] as 'stdout' | 'stderr';
    out[stream] += m[3] + (m[2] === 'F' ? '\n' : '');
  }
  return out;
}

interface Seen {
  requested?: OciConfig;
  stdout?: string;
  stderr?: string;
  hostCpu?: CpuThrottling | null;
  cannot?: string;
  error?: string;
}

export class KubernetesTarget extends ProbeOnlyTarget {
  readonly layer = 'kubernetes' as const;
  private readonly logDirs = new Map<string, string>();
  private containerd: ContainerdClient | null = null;

  constructor(
    private readonly session: KubernetesSession,
    scratchBase: string,
  ) {
    super(session.runtime, scratchBase);
  }

  private node(): ContainerdClient {
    if (this.containerd) return this.containerd;
    const address = NODE_CONTAINERD.find((a) => existsSync(a));
    if (!address) throw new CannotAsk(`no containerd socket on this machine (${NODE_CONTAINERD.join(', ')}): the pod's OCI spec cannot be read`);
    this.containerd = new ContainerdClient(address, CRI_NAMESPACE);
    return this.containerd;
  }

  private async logDir(node: string): Promise<string> {
    let dir = this.logDirs.get(node);
    if (!dir) {
      const cfg = await this.session.kubeletConfig(node);
      dir = typeof cfg.podLogsDir === 'string' ? cfg.podLogsDir : '/var/log/pods';
      this.logDirs.set(node, dir);
    }
    return dir;
  }

  private async inspect(pod: V1Pod, node: NodeFacts | null, seen: Seen, wantCpu: boolean): Promise<void> {
    if (!node?.local) {
      seen.cannot = `the pod ran on node ${node?.name ?? '(none)'}, not on this machine: the OCI spec its runtime was given cannot be read here`;
      return;
    }
    try {
      const status = pod.status?.containerStatuses?.find((c) => c.name === CONTAINER);
      const id = status?.containerID?.replace(/^[a-z]+:\/\//, '');
      const uid = pod.metadata?.uid;
      if (!id || !uid) throw new Error('the pod status names no container');
      const record = await this.node().getContainer(id);
      if (!record.spec) throw new Error(`containerd has no spec for container ${id}`);
      seen.requested = asOciConfig(JSON.parse(Buffer.from(record.spec.value).toString('utf8')));
      const log = join(await this.logDir(node.name), `${pod.metadata?.namespace}_${pod.metadata?.name}_${uid}`, CONTAINER, `${status?.restartCount ?? 0}.log`);
      const streams = splitCriLog(existsSync(log) ? readFileSync(log, 'utf8') : '');
      seen.stdout = streams.stdout;
      seen.stderr = streams.stderr;
      if (wantCpu) {
        // the container's own cgroup is gone with its task; the pod's holds the same quota and counts its throttling
        const dir = podCgroupDir(uid);
        const rel = dir?.replace(/^\/sys\/fs\/cgroup\/[^/]+/, '').replace(/^\/sys\/fs\/cgroup/, '');
        seen.hostCpu = rel ? cpuThrottling(rel) : null;
      }
    } catch (e) {
      if (e instanceof CannotAsk) seen.cannot = e.message;
      else seen.error = errorMessage(e);
    }
  }

  async probe(req: ProbeRequest): Promise<ProbeRun> {
    const edit = podEdits(req.overrides ?? {});
    const seen: Seen = {};
    const sample = await this.session.runInspected(
      { workload: { name: 'probe', kind: req.kind, args: req.args }, timeoutMs: req.timeoutMs ?? DEFAULT_TIMEOUT_MS },
      edit,
      (pod, node) => this.inspect(pod, node, seen, req.overrides?.cpuQuota !== undefined),
    );
    if (seen.cannot) throw new CannotAsk(seen.cannot);
    if (seen.error || !seen.requested) throw new Error(`reading the pod's container back: ${seen.error ?? 'no spec'}`);
    return probeRun(seen.requested, {
      exitCode: sample.exitCode,
      timedOut: false,
      stdout: seen.stdout ?? '',
      stderr: seen.stderr ?? '',
      hostCpu: seen.hostCpu ?? null,
    });
  }

  override async close(): Promise<void> {
    this.containerd?.close();
    this.containerd = null;
    await super.close();
  }
}
