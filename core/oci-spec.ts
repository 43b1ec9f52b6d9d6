/**
 * OCI runtime-spec config.json, generated from a typed description rather than by
 * patching `runc spec` output. Only the parts runbench uses are modelled; the schema
 * validates what we write so a typo fails here and not inside a runtime.
 */
import { z } from 'zod';

const Mount = z.object({
  destination: z.string().startsWith('/'),
  type: z.string(),
  source: z.string(),
  options: z.array(z.string()).optional(),
});
export type OciMount = z.infer<typeof Mount>;

const Rlimit = z.object({ type: z.string().regex(/^RLIMIT_[A-Z]+$/), hard: z.number().int(), soft: z.number().int() });
export type OciRlimit = z.infer<typeof Rlimit>;

const Capabilities = z.object({
  bounding: z.array(z.string()),
  effective: z.array(z.string()),
  permitted: z.array(z.string()),
  inheritable: z.array(z.string()).optional(),
  ambient: z.array(z.string()).optional(),
});

const Hook = z.object({
  path: z.string().startsWith('/'),
  args: z.array(z.string()).optional(),
  env: z.array(z.string()).optional(),
  timeout: z.number().int().positive().optional(),
});
export type OciHook = z.infer<typeof Hook>;

/** The hooks of runtime-spec config.md#posix-platform-hooks that run in the runtime namespace. */
export const Hooks = z.object({
  createRuntime: z.array(Hook).optional(),
  createContainer: z.array(Hook).optional(),
  startContainer: z.array(Hook).optional(),
  poststart: z.array(Hook).optional(),
  poststop: z.array(Hook).optional(),
});
export type OciHooks = z.infer<typeof Hooks>;

const Device = z.object({
  path: z.string().startsWith('/dev/'),
  type: z.enum(['c', 'b', 'u', 'p']),
  major: z.number().int().nonnegative(),
  minor: z.number().int().nonnegative(),
  fileMode: z.number().int().optional(),
  uid: z.number().int().optional(),
  gid: z.number().int().optional(),
});
export type OciDevice = z.infer<typeof Device>;

export const NamespaceType = z.enum(['pid', 'network', 'ipc', 'uts', 'mount', 'user', 'cgroup']);
export type NamespaceType = z.infer<typeof NamespaceType>;

export const OciConfig = z.object({
  ociVersion: z.string(),
  process: z.object({
    terminal: z.literal(false),
    user: z.object({ uid: z.number().int(), gid: z.number().int(), additionalGids: z.array(z.number().int()).optional() }),
    args: z.array(z.string()).min(1),
    env: z.array(z.string().regex(/^[^=]+=/)),
    cwd: z.string().startsWith('/'),
    capabilities: Capabilities,
    rlimits: z.array(Rlimit),
    noNewPrivileges: z.boolean(),
    oomScoreAdj: z.number().int().min(-1000).max(1000).optional(),
  }),
  root: z.object({ path: z.string(), readonly: z.boolean() }),
  hostname: z.string(),
  mounts: z.array(Mount),
  annotations: z.record(z.string(), z.string()).optional(),
  hooks: Hooks.optional(),
  linux: z.object({
    namespaces: z.array(z.object({ type: NamespaceType, path: z.string().optional() })),
    cgroupsPath: z.string().optional(),
    resources: z
      .object({
        memory: z.object({ limit: z.number().int().optional(), swap: z.number().int().optional() }).optional(),
        pids: z.object({ limit: z.number().int() }).optional(),
        cpu: z.object({ quota: z.number().int().optional(), period: z.number().int().optional() }).optional(),
        devices: z.array(z.object({ allow: z.boolean(), access: z.string() })).optional(),
      })
      .optional(),
    maskedPaths: z.array(z.string()),
    readonlyPaths: z.array(z.string()),
    devices: z.array(Device).optional(),
    sysctl: z.record(z.string(), z.string()).optional(),
  }),
});
export type OciConfig = z.infer<typeof OciConfig>;

/** The capabilities `runc spec` grants by default. */
export const DEFAULT_CAPABILITIES = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];
export const DEFAULT_MASKED_PATHS = [
  '/proc/acpi',
  '/proc/asound',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/sys/firmware',
  '/proc/scsi',
];
export const DEFAULT_READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];
export const DEFAULT_ENV = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/root'];

export interface BundleOptions {
  args: string[];
  rootfs: string;
  env?: string[];
  cwd?: string;
  hostname?: string;
  readonlyRoot?: boolean;
  user?: { uid: number; gid: number; additionalGids?: number[] };
  capabilities?: string[];
  rlimits?: OciRlimit[];
  noNewPrivileges?: boolean;
  extraMounts?: OciMount[];
  maskedPaths?: string[];
  readonlyPaths?: string[];
  namespaces?: NamespaceType[];
  cgroupsPath?: string;
  memoryLimitBytes?: number;
  pidsLimit?: number;
  cpuQuota?: { quotaUs: number; periodUs: number };
  annotations?: Record<string, string>;
  hooks?: OciHooks;
  /** Device nodes to create in /dev (config-linux.md#devices). */
  devices?: OciDevice[];
  /** The process's oom_score_adj (config.md#process). */
  oomScoreAdj?: number;
  /** Kernel parameters to set in the container's namespaces (config-linux.md#sysctl). */
  sysctl?: Record<string, string>;
}

export function ociConfig(o: BundleOptions): OciConfig {
  const caps = o.capabilities ?? DEFAULT_CAPABILITIES;
  const resources: NonNullable<OciConfig['linux']['resources']> = {};
  if (o.memoryLimitBytes !== undefined) {
    // swap == limit: no swap on top, so the limit is the limit.
    resources.memory = { limit: o.memoryLimitBytes, swap: o.memoryLimitBytes };
  }
  if (o.pidsLimit !== undefined) resources.pids = { limit: o.pidsLimit };
  if (o.cpuQuota) resources.cpu = { quota: o.cpuQuota.quotaUs, period: o.cpuQuota.periodUs };
  const config: OciConfig = {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: o.user ?? { uid: 0, gid: 0 },
      args: o.args,
      env: o.env ?? DEFAULT_ENV,
      cwd: o.cwd ?? '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      rlimits: o.rlimits ?? [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: o.noNewPrivileges ?? true,
      ...(o.oomScoreAdj !== undefined ? { oomScoreAdj: o.oomScoreAdj } : {}),
    },
    root: { path: o.rootfs, readonly: o.readonlyRoot ?? true },
    hostname: o.hostname ?? 'runbench',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      {
        destination: '/dev/pts',
        type: 'devpts',
        source: 'devpts',
        options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'],
      },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=1777', 'size=65536k'] },
      ...(o.extraMounts ?? []),
    ],
    ...(o.annotations && Object.keys(o.annotations).length > 0 ? { annotations: o.annotations } : {}),
    ...(o.hooks ? { hooks: o.hooks } : {}),
    linux: {
      namespaces: (o.namespaces ?? ['pid', 'network', 'ipc', 'uts', 'mount']).map((type) => ({ type })),
      ...(o.cgroupsPath ? { cgroupsPath: o.cgroupsPath } : {}),
      ...(Object.keys(resources).length > 0 ? { resources } : {}),
      maskedPaths: o.maskedPaths ?? DEFAULT_MASKED_PATHS,
      readonlyPaths: o.readonlyPaths ?? DEFAULT_READONLY_PATHS,
      ...(o.devices ? { devices: o.devices } : {}),
      ...(o.sysctl ? { sysctl: o.sysctl } : {}),
    },
  };
  return OciConfig.parse(config);
}
