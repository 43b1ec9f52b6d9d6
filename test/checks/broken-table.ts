/**
 * The table of deliberately broken runtimes: each wrapper breaks one promise, and must fail
 * exactly `fails` and pass `passes` (see broken-runtimes.test.ts).
 */
import { CHECKS } from '../../checks/index.ts';
import type { Layer } from '../../core/schema.ts';
import type { Breakage } from './wrappers.ts';

export interface Row {
  wrapper: string;
  breaks: Breakage;
  /** Checks that must fail against this wrapper. */
  fails: string[];
  /** Checks that must still pass against it (the wrapper breaks nothing else). */
  passes: string[];
  /**
   * Checks among `passes` the wrapper makes pass where its base fails them (it does what the
   * spec asks and the base does not): asserted on every base. Other controls are asserted
   * only on a base that passes them unbroken.
   */
  fixes?: string[];
  /** Wasm rows need a runtime with a Wasm handler. */
  wasm?: boolean;
  /** Checks allowed to skip instead of failing, when the host cannot tell (reason must match). */
  maySkip?: Record<string, RegExp>;
  /** Why the row proves nothing behind a Kubernetes RuntimeClass (it runs there otherwise). */
  notAtKubernetes?: string;
}

// Drops the last argument, but never the program itself (a container without args is another bug).
const DROP_LAST_ARG = 'if (.process.args | length) > 1 then .process.args |= .[:-1] else . end';
const CHECK_ENV_FILTER = '.process.env |= map(select(startswith("RB_CHECK_") | not))';
const CONSTANT_ENTROPY = [
  '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",',
  ' syscalls: [{names: ["getrandom"], action: "SCMP_ACT_ERRNO", errnoRet: 38}]}',
  ' | .linux.devices = ((.linux.devices // []) + [{path: "/dev/urandom", type: "c", major: 1, minor: 5, fileMode: 438, uid: 0, gid: 0}])',
].join('');

export const BROKEN: Row[] = [
  { wrapper: 'drop-env', breaks: { config: CHECK_ENV_FILTER }, fails: ['process.env'], passes: ['process.args', 'process.cwd'] },
  { wrapper: 'drop-args', breaks: { config: DROP_LAST_ARG }, fails: ['process.args'], passes: ['process.env'] },
  { wrapper: 'other-cwd', breaks: { config: '.process.cwd = "/"' }, fails: ['process.cwd'], passes: ['process.env'] },
  {
    wrapper: 'no-hostname',
    breaks: { config: 'del(.hostname)' },
    fails: ['process.hostname'],
    passes: ['namespaces.uts'],
    notAtKubernetes: "a pod's container joins the sandbox's uts namespace and is asked for no hostname",
  },
  {
    wrapper: 'privileged',
    breaks: {
      config:
        '.process.user = {uid: 0, gid: 0} | .process.rlimits = [] | .process.noNewPrivileges = false | .process.capabilities |= with_entries(.value += ["CAP_SYS_ADMIN"])',
    },
    fails: ['process.user', 'process.rlimits', 'process.no-new-privileges', 'process.capabilities'],
    passes: ['process.env'],
  },
  {
    // no_new_privs set whatever the config says, as runsc 0.0~20221219.0 does
    wrapper: 'forced-no-new-privs',
    breaks: { config: '.process.noNewPrivileges = true' },
    fails: ['process.no-new-privileges-false'],
    passes: ['process.no-new-privileges', 'process.env'],
  },
  { wrapper: 'exit-liar', breaks: { exitZero: true }, fails: ['lifecycle.exit-code'], passes: ['process.args'] },
  {
    wrapper: 'leaky',
    breaks: { leaky: true },
    fails: ['lifecycle.delete', 'lifecycle.create-error'],
    passes: ['lifecycle.status'],
  },
  {
    wrapper: 'bad-state',
    breaks: { state: 'del(.bundle) | if .status == "created" then .status = "running" else . end' },
    fails: ['lifecycle.state-fields', 'lifecycle.status'],
    passes: ['lifecycle.kill'],
  },
  {
    wrapper: 'lax-cli',
    breaks: { lenientStart: true, forceDelete: true, ignoreTerm: true, lenientKill: true },
    fails: ['lifecycle.start-twice', 'lifecycle.delete-running', 'lifecycle.kill', 'lifecycle.kill-stopped'],
    passes: ['lifecycle.state-fields'],
  },
  // runc, crun and runsc all delete a created container: this wrapper refuses to, as the spec asks,
  // so the check is seen to pass; the next one forces every delete on top of it, and fails.
  {
    wrapper: 'strict-delete',
    breaks: { strictDelete: true },
    fails: [],
    passes: ['lifecycle.delete-created', 'lifecycle.delete'],
    fixes: ['lifecycle.delete-created'],
  },
  {
    wrapper: 'force-delete',
    breaks: { strictDelete: true, forceDelete: true },
    fails: ['lifecycle.delete-created', 'lifecycle.delete-running'],
    passes: ['lifecycle.delete'],
  },
  {
    wrapper: 'ignore-kill-created',
    breaks: { ignoreKillCreated: true },
    fails: ['lifecycle.kill-created'],
    passes: ['lifecycle.kill', 'lifecycle.kill-stopped'],
  },
  {
    wrapper: 'no-sysctl',
    breaks: { config: 'del(.linux.sysctl)' },
    fails: ['namespaces.sysctl'],
    passes: ['namespaces.network'],
    notAtKubernetes: "a pod's sysctls are set on its sandbox, whose network namespace the container joins",
  },
  { wrapper: 'no-oom-score-adj', breaks: { config: 'del(.process.oomScoreAdj)' }, fails: ['process.oom-score-adj'], passes: ['process.env'] },
  { wrapper: 'no-devices', breaks: { config: 'del(.linux.devices)' }, fails: ['filesystem.devices'], passes: ['filesystem.readonly-root'] },
  { wrapper: 'no-pid-file', breaks: { noPidFile: true }, fails: ['lifecycle.pid-file'], passes: ['lifecycle.state-fields'] },
  {
    wrapper: 'no-hooks',
    breaks: { config: 'del(.hooks)' },
    fails: [
      'lifecycle.hooks',
      'lifecycle.poststart-timing',
      'lifecycle.poststart-hook-failure',
      'lifecycle.poststop-hook-failure',
      'lifecycle.create-hook-failure',
    ],
    passes: ['process.env'],
  },
  {
    // poststart hooks run at create, as runc 1.1 does
    wrapper: 'early-poststart',
    breaks: { config: 'if .hooks.poststart then .hooks.createRuntime = ((.hooks.createRuntime // []) + .hooks.poststart) | del(.hooks.poststart) else . end' },
    fails: ['lifecycle.poststart-timing', 'lifecycle.hooks'],
    passes: ['lifecycle.poststop-hook-failure', 'lifecycle.create-hook-failure'],
  },
  {
    // only the first hook of each kind runs: nothing after a failing one
    wrapper: 'first-hook-only',
    breaks: { config: 'if .hooks then .hooks |= map_values(.[:1]) else . end' },
    fails: ['lifecycle.poststart-hook-failure', 'lifecycle.poststop-hook-failure'],
    passes: ['lifecycle.hooks', 'lifecycle.poststart-timing', 'lifecycle.create-hook-failure'],
  },
  { wrapper: 'lazy-create', breaks: { lazyCreate: true }, fails: ['lifecycle.config-after-create'], passes: ['lifecycle.exit-code'] },
  { wrapper: 'replace-id', breaks: { replaceId: true }, fails: ['lifecycle.unique-id'], passes: ['lifecycle.state-fields'] },
  { wrapper: 'writable-root', breaks: { config: '.root.readonly = false' }, fails: ['filesystem.readonly-root'], passes: ['filesystem.masked-paths'] },
  { wrapper: 'no-seccomp', breaks: { config: 'del(.linux.seccomp)' }, fails: ['security.seccomp-errno', 'security.seccomp-kill'], passes: ['process.env'] },
  {
    wrapper: 'no-ambient',
    breaks: { config: 'del(.process.capabilities.inheritable, .process.capabilities.ambient)' },
    fails: ['process.capabilities'],
    passes: ['process.no-new-privileges'],
    notAtKubernetes: 'a pod asks for no inheritable or ambient capabilities',
  },
  {
    // runc 1.1 and crun 1.8 run a config with an unknown capability: this wrapper refuses it, so the check is seen to pass
    wrapper: 'strict-capabilities',
    breaks: { config: 'if [.process.capabilities[]?[]?] | any(startswith("CAP_RB_")) then error("unknown capability") else . end' },
    fails: [],
    passes: ['process.capabilities-unknown', 'process.capabilities'],
    fixes: ['process.capabilities-unknown'],
  },
  {
    // an unknown capability name left out instead of refused
    wrapper: 'lenient-capabilities',
    breaks: { config: '.process.capabilities |= map_values(map(select(startswith("CAP_RB_") | not)))' },
    fails: ['process.capabilities-unknown'],
    passes: ['process.capabilities'],
  },
  {
    // refuses what it does not know, a version other than 1.0.x, and a config without rlimits or maskedPaths
    wrapper: 'strict-config',
    breaks: {
      config: [
        'if (.ociVersion | startswith("1.0.") | not) then error("unknown version specified")',
        'elif ([keys[], (.process // {} | keys[]), (.linux // {} | keys[])] | any(startswith("io.runbench"))) then error("unknown property")',
        'elif (.process.rlimits == null or .linux.maskedPaths == null) then error("missing field")',
        'else . end',
      ].join(' '),
    },
    fails: ['config.unknown-properties', 'config.newer-version', 'config.optional-fields'],
    passes: ['process.env'],
  },
  {
    wrapper: 'unmasked',
    breaks: { config: '.linux.maskedPaths = [] | .linux.readonlyPaths = []' },
    fails: ['filesystem.masked-paths', 'filesystem.readonly-paths'],
    passes: ['filesystem.readonly-root'],
  },
  {
    // A valid config without these optional fields: what is not asked is not done, and runbench still judges the rest.
    wrapper: 'no-optional-fields',
    breaks: { config: 'del(.linux.maskedPaths, .linux.readonlyPaths, .process.rlimits)' },
    fails: ['filesystem.masked-paths', 'filesystem.readonly-paths', 'process.rlimits'],
    passes: ['lifecycle.config-after-create', 'process.env'],
  },
  {
    wrapper: 'no-extra-mounts',
    breaks: { config: '.mounts |= map(select(.destination != "/data" and .destination != "/run"))' },
    fails: ['filesystem.bind-mount', 'filesystem.tmpfs-mount'],
    passes: ['filesystem.readonly-root'],
  },
  {
    wrapper: 'host-namespaces',
    breaks: { config: '.linux.namespaces |= map(select(.type == "mount")) | del(.hostname)' },
    fails: ['namespaces.pid', 'namespaces.uts', 'namespaces.ipc', 'namespaces.network'],
    passes: ['namespaces.mount'],
  },
  { wrapper: 'host-mount-ns', breaks: { hostMountNs: true }, fails: ['namespaces.mount'], passes: ['namespaces.pid', 'process.env'] },
  {
    // a namespace given by path is made anew instead of joined
    wrapper: 'ignore-ns-path',
    breaks: { config: '.linux.namespaces |= map(del(.path))' },
    fails: ['namespaces.join-path', 'namespaces.path-wrong-type'],
    passes: ['namespaces.pid'],
  },
  {
    wrapper: 'no-userns',
    breaks: { config: '.linux.namespaces |= map(select(.type != "user")) | del(.linux.uidMappings, .linux.gidMappings)' },
    fails: ['namespaces.user'],
    passes: ['namespaces.pid'],
  },
  {
    wrapper: 'no-propagation',
    breaks: { config: 'del(.linux.rootfsPropagation)' },
    fails: ['filesystem.rootfs-propagation'],
    passes: ['filesystem.readonly-root'],
  },
  {
    // slave applied as shared: the root mount gets a peer group instead of a master
    wrapper: 'slave-as-shared',
    breaks: { config: 'if .linux.rootfsPropagation == "slave" then .linux.rootfsPropagation = "shared" else . end' },
    fails: ['filesystem.rootfs-propagation'],
    passes: ['filesystem.readonly-root'],
  },
  { wrapper: 'no-device-rules', breaks: { config: 'del(.linux.resources.devices)' }, fails: ['resources.devices'], passes: ['filesystem.devices'] },
  {
    wrapper: 'no-resources',
    breaks: { config: 'del(.linux.resources)' },
    fails: ['resources.memory', 'resources.pids', 'resources.cpu'],
    passes: ['process.env'],
    // On a saturated host an unlimited spin looks like a quota; the check says so and skips.
    maySkip: { 'resources.cpu': /host is too busy/ },
    notAtKubernetes: 'the pod cgroup above the container holds the same limits, so a runtime that drops them is still limited',
  },
  // Wasm: the same breakages through a runtime's Wasm handler.
  { wrapper: 'wasm-drop-env', breaks: { config: CHECK_ENV_FILTER }, fails: ['wasi.env'], passes: ['wasi.args'], wasm: true },
  { wrapper: 'wasm-drop-args', breaks: { config: DROP_LAST_ARG }, fails: ['wasi.args'], passes: ['wasi.env'], wasm: true },
  { wrapper: 'wasm-exit-liar', breaks: { exitZero: true }, fails: ['wasi.exit-code'], passes: ['wasi.args'], wasm: true },
  { wrapper: 'wasm-no-stderr', breaks: { dropStderr: true }, fails: ['wasi.stdio'], passes: ['wasi.args', 'wasi.env'], wasm: true },
  { wrapper: 'wasm-fake-clock', breaks: { fakeClock: true }, fails: ['wasi.clocks'], passes: ['wasi.args', 'wasi.random'], wasm: true },
  {
    wrapper: 'wasm-no-extra-mounts',
    breaks: { config: '.mounts |= map(select(.destination != "/data"))' },
    fails: ['wasi.preopen'],
    passes: ['wasi.env'],
    wasm: true,
  },
  {
    // A runtime whose entropy is a constant: getrandom(2) is refused with ENOSYS, so the
    // engine falls back to /dev/urandom, which is wired to the zero device (1:5). Each run's
    // bytes look random, and every run returns the same ones.
    wrapper: 'wasm-constant-entropy',
    breaks: { config: CONSTANT_ENTROPY },
    fails: ['wasi.random'],
    passes: ['wasi.env', 'wasi.clocks'],
    wasm: true,
  },
];

/** Checks no wrapper can break yet, and why (none, today: a check listed here is not done). */
export const UNPROVEN: Record<string, string> = {};

/** Where the wrappers behind a Kubernetes RuntimeClass live: the cluster's handlers name these paths. */
export const CLUSTER_BROKEN_DIR = '/run/runbench-broken';

/**
 * Rows that run behind a runtime's layer other than the CLI: the wrapper edits config.json
 * at create (what a shim calls), and every check of the row runs at that layer.
 */
export function runsAt(r: Row, layer: Layer): boolean {
  return (
    !r.wasm &&
    Object.keys(r.breaks).every((k) => k === 'config') &&
    [...r.fails, ...r.passes].every((id) => CHECKS.find((c) => c.id === id)?.layers.includes(layer))
  );
}

/** Rows that run behind a RuntimeClass, unless they prove nothing in a pod. */
export const atKubernetes = (r: Row): boolean => runsAt(r, 'kubernetes') && !r.notAtKubernetes;

export const kubernetesHandler = (r: Row) => `broken-${r.wrapper}`;

/** RUNBENCH_CLUSTER_HANDLERS for scripts/cluster.sh up: one handler per row, each a wrapper around runc. */
export function clusterHandlers(): string {
  return BROKEN.filter(atKubernetes)
    .map((r) => `${kubernetesHandler(r)}=${CLUSTER_BROKEN_DIR}/${kubernetesHandler(r)}`)
    .join(',');
}
