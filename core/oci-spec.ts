/**
 * OCI runtime-spec config.json: one model that reads any valid config and a generator
 * that writes runbench's own. The model follows the spec's schema: what the spec marks
 * OPTIONAL is optional here, and properties it does not know are kept (a runtime MUST
 * ignore unknown properties, and a config read and written back must not lose them).
 * The generator validates what it writes, so a typo fails here and not inside a runtime.
 */
import { z } from 'zod';

const IdMapping = z.looseObject({ containerID: z.number().int(), hostID: z.number().int(), size: z.number().int() });
export type OciIdMapping = z.infer<typeof IdMapping>;

const Mount = z.looseObject({
  // absolute on Linux; relative destinations are deprecated but valid (relative to /)
  destination: z.string().min(1),
  type: z.string().optional(),
  source: z.string().optional(),
  options: z.array(z.string()).optional(),
  uidMappings: z.array(IdMapping).optional(),
  gidMappings: z.array(IdMapping).optional(),
});
export type OciMount = z.infer<typeof Mount>;

const Rlimit = z.looseObject({ type: z.string().regex(/^RLIMIT_[A-Z]+$/), hard: z.number().int(), soft: z.number().int() });
export type OciRlimit = z.infer<typeof Rlimit>;

export const CAPABILITY_SETS = ['bounding', 'effective', 'permitted', 'inheritable', 'ambient'] as const;
export type CapabilitySet = (typeof CAPABILITY_SETS)[number];

const Capabilities = z.looseObject({
  bounding: z.array(z.string()).optional(),
  effective: z.array(z.string()).optional(),
  permitted: z.array(z.string()).optional(),
  inheritable: z.array(z.string()).optional(),
  ambient: z.array(z.string()).optional(),
});
export type OciCapabilities = z.infer<typeof Capabilities>;

const Hook = z.looseObject({
  path: z.string().startsWith('/'),
  args: z.array(z.string()).optional(),
  env: z.array(z.string()).optional(),
  timeout: z.number().int().positive().optional(),
});
export type OciHook = z.infer<typeof Hook>;

/** runtime-spec config.md#posix-platform-hooks (prestart is deprecated, still valid). */
export const Hooks = z.looseObject({
  prestart: z.array(Hook).optional(),
  createRuntime: z.array(Hook).optional(),
  createContainer: z.array(Hook).optional(),
  startContainer: z.array(Hook).optional(),
  poststart: z.array(Hook).optional(),
  poststop: z.array(Hook).optional(),
});
export type OciHooks = z.infer<typeof Hooks>;

const Device = z.looseObject({
  path: z.string().min(1),
  type: z.enum(['c', 'b', 'u', 'p']),
  // required for c, b and u; a fifo has none
  major: z.number().int().nonnegative().optional(),
  minor: z.number().int().nonnegative().optional(),
  fileMode: z.number().int().optional(),
  uid: z.number().int().optional(),
  gid: z.number().int().optional(),
});
export type OciDevice = z.infer<typeof Device>;

const DeviceCgroup = z.looseObject({
  allow: z.boolean(),
  type: z.string().optional(),
  major: z.number().int().optional(),
  minor: z.number().int().optional(),
  access: z.string().optional(),
});
export type OciDeviceCgroup = z.infer<typeof DeviceCgroup>;

export const NamespaceType = z.enum(['pid', 'network', 'ipc', 'uts', 'mount', 'user', 'cgroup', 'time']);
export type NamespaceType = z.infer<typeof NamespaceType>;
const Namespace = z.looseObject({ type: NamespaceType, path: z.string().optional() });
export type OciNamespace = z.infer<typeof Namespace>;

const SeccompArg = z.looseObject({ index: z.number().int().nonnegative(), value: z.number().int(), valueTwo: z.number().int().optional(), op: z.string() });
const Syscall = z.looseObject({
  names: z.array(z.string()).min(1),
  action: z.string().startsWith('SCMP_ACT_'),
  errnoRet: z.number().int().nonnegative().optional(),
  args: z.array(SeccompArg).optional(),
});
const Seccomp = z.looseObject({
  defaultAction: z.string().startsWith('SCMP_ACT_'),
  defaultErrnoRet: z.number().int().nonnegative().optional(),
  architectures: z.array(z.string()).optional(),
  flags: z.array(z.string()).optional(),
  syscalls: z.array(Syscall).optional(),
});
export type OciSeccomp = z.infer<typeof Seccomp>;

const Resources = z.looseObject({
  memory: z.looseObject({ limit: z.number().int().optional(), swap: z.number().int().optional() }).optional(),
  pids: z.looseObject({ limit: z.number().int() }).optional(),
  cpu: z.looseObject({ quota: z.number().int().optional(), period: z.number().int().optional() }).optional(),
  devices: z.array(DeviceCgroup).optional(),
});

const Process = z.looseObject({
  terminal: z.boolean().optional(),
  user: z.looseObject({
    uid: z.number().int(),
    gid: z.number().int(),
    umask: z.number().int().optional(),
    additionalGids: z.array(z.number().int()).optional(),
  }),
  // at least one entry on Linux
  args: z.array(z.string()).min(1).optional(),
  env: z.array(z.string().regex(/^[^=]+=/)).optional(),
  cwd: z.string().startsWith('/'),
  capabilities: Capabilities.optional(),
  rlimits: z.array(Rlimit).optional(),
  noNewPrivileges: z.boolean().optional(),
  oomScoreAdj: z.number().int().min(-1000).max(1000).optional(),
  apparmorProfile: z.string().optional(),
  selinuxLabel: z.string().optional(),
});

const Linux = z.looseObject({
  namespaces: z.array(Namespace).optional(),
  uidMappings: z.array(IdMapping).optional(),
  gidMappings: z.array(IdMapping).optional(),
  devices: z.array(Device).optional(),
  cgroupsPath: z.string().optional(),
  resources: Resources.optional(),
  sysctl: z.record(z.string(), z.string()).optional(),
  seccomp: Seccomp.optional(),
  rootfsPropagation: z.string().optional(),
  maskedPaths: z.array(z.string()).optional(),
  readonlyPaths: z.array(z.string()).optional(),
  mountLabel: z.string().optional(),
});

export const OciConfig = z.looseObject({
  // SemVer 2.0.0; read as any string, so a runtime is judged on what it was given
  ociVersion: z.string(),
  root: z.looseObject({ path: z.string(), readonly: z.boolean().optional() }).optional(),
  mounts: z.array(Mount).optional(),
  process: Process.optional(),
  hostname: z.string().optional(),
  domainname: z.string().optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  hooks: Hooks.optional(),
  linux: Linux.optional(),
});
export type OciConfig = z.infer<typeof OciConfig>;
export type OciProcess = NonNullable<OciConfig['process']>;
export type OciLinux = NonNullable<OciConfig['linux']>;

/** The version of the spec runbench's configs declare. */
export const OCI_VERSION = '1.0.2';
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

/**
 * OPTIONAL fields the generator can leave out, to see a runtime (and runbench) cope without
 * them. Not the mounts or root.readonly: without them a runtime writes into the rootfs,
 * which runbench's bundles share.
 */
export const OMITTABLE = [
  'hostname',
  'process.env',
  'process.capabilities',
  'process.rlimits',
  'process.noNewPrivileges',
  'linux.maskedPaths',
  'linux.readonlyPaths',
] as const;
export type OmittableField = (typeof OMITTABLE)[number];

export interface BundleOptions {
  args: string[];
  rootfs: string;
  /** Default OCI_VERSION. */
  ociVersion?: string;
  env?: string[];
  cwd?: string;
  hostname?: string;
  readonlyRoot?: boolean;
  user?: { uid: number; gid: number; additionalGids?: number[] };
  /** The bounding, effective and permitted sets (inheritable and ambient stay empty). */
  capabilities?: string[];
  /** Each set on its own; a set given here replaces the one `capabilities` makes. */
  capabilitySets?: Partial<Record<CapabilitySet, string[]>>;
  rlimits?: OciRlimit[];
  noNewPrivileges?: boolean;
  extraMounts?: OciMount[];
  maskedPaths?: string[];
  readonlyPaths?: string[];
  /** New namespaces by type, or one to join at `path`. */
  namespaces?: (NamespaceType | { type: NamespaceType; path: string })[];
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
  /** A seccomp filter (config-linux.md#seccomp). */
  seccomp?: OciSeccomp;
  /** The rootfs mount's propagation (config-linux.md#rootfs-mount-propagation). */
  rootfsPropagation?: string;
  /** User namespace mappings (config-linux.md#user-namespace-mappings); ask for a user namespace too. */
  uidMappings?: OciIdMapping[];
  gidMappings?: OciIdMapping[];
  /** The device cgroup's allow-list (config-linux.md#allowed-device-list). */
  deviceRules?: OciDeviceCgroup[];
  /** OPTIONAL fields to leave out of the config. */
  omit?: OmittableField[];
  /** Properties the spec does not define, added to the config, its process or its linux object. */
  unknownProperties?: { config?: Record<string, unknown>; process?: Record<string, unknown>; linux?: Record<string, unknown> };
}

export function ociConfig(o: BundleOptions): OciConfig {
  const caps = o.capabilities ?? DEFAULT_CAPABILITIES;
  const resources: NonNullable<OciLinux['resources']> = {};
  if (o.memoryLimitBytes !== undefined) {
    // swap == limit: no swap on top, so the limit is the limit.
    resources.memory = { limit: o.memoryLimitBytes, swap: o.memoryLimitBytes };
  }
  if (o.pidsLimit !== undefined) resources.pids = { limit: o.pidsLimit };
  if (o.cpuQuota) resources.cpu = { quota: o.cpuQuota.quotaUs, period: o.cpuQuota.periodUs };
  if (o.deviceRules) resources.devices = o.deviceRules;
  const config = {
    ociVersion: o.ociVersion ?? OCI_VERSION,
    process: {
      terminal: false,
      user: o.user ?? { uid: 0, gid: 0 },
      args: o.args,
      env: o.env ?? DEFAULT_ENV,
      cwd: o.cwd ?? '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps, ...o.capabilitySets },
      rlimits: o.rlimits ?? [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: o.noNewPrivileges ?? true,
      ...(o.oomScoreAdj !== undefined ? { oomScoreAdj: o.oomScoreAdj } : {}),
      ...o.unknownProperties?.process,
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
      namespaces: (o.namespaces ?? ['pid', 'network', 'ipc', 'uts', 'mount']).map((n) => (typeof n === 'string' ? { type: n } : n)),
      ...(o.uidMappings ? { uidMappings: o.uidMappings } : {}),
      ...(o.gidMappings ? { gidMappings: o.gidMappings } : {}),
      ...(o.cgroupsPath ? { cgroupsPath: o.cgroupsPath } : {}),
      ...(Object.keys(resources).length > 0 ? { resources } : {}),
      maskedPaths: o.maskedPaths ?? DEFAULT_MASKED_PATHS,
      readonlyPaths: o.readonlyPaths ?? DEFAULT_READONLY_PATHS,
      ...(o.devices ? { devices: o.devices } : {}),
      ...(o.sysctl ? { sysctl: o.sysctl } : {}),
      ...(o.seccomp ? { seccomp: o.seccomp } : {}),
      ...(o.rootfsPropagation ? { rootfsPropagation: o.rootfsPropagation } : {}),
      ...o.unknownProperties?.linux,
    },
    ...o.unknownProperties?.config,
  };
  for (const field of o.omit ?? []) omitField(config, field);
  return OciConfig.parse(config);
}

function omitField(config: Record<string, unknown>, field: OmittableField): void {
  const [head, leaf] = field.split('.') as [string, string | undefined];
  if (leaf === undefined) {
    delete config[head];
    return;
  }
  const parent = config[head];
  if (parent && typeof parent === 'object') delete (parent as Record<string, unknown>)[leaf];
}
