/**
 * runtime-tools' validation programs, each placed in one of runbench's check areas and tied
 * to the runbench checks that judge the same rule (none where runbench does not check it).
 * The module version these were read from is the one scripts/runtime-tools-crosscheck.sh
 * builds by default.
 */

export type Area = 'lifecycle' | 'config' | 'process' | 'security' | 'filesystem' | 'namespaces' | 'resources';
export const AREAS: readonly Area[] = ['lifecycle', 'config', 'process', 'security', 'filesystem', 'namespaces', 'resources'];

export interface ProgramMapping {
  program: string;
  area: Area;
  /** runbench check ids that judge the same rule; empty when runbench has no such check. */
  checks: readonly string[];
  /** What the program asks of the runtime, in a few words. */
  what: string;
}

const m = (program: string, area: Area, checks: readonly string[], what: string): ProgramMapping => ({ program, area, checks, what });

export const PROGRAMS: readonly ProgramMapping[] = [
  // lifecycle
  m('create', 'lifecycle', ['lifecycle.unique-id', 'lifecycle.state-fields'], 'create needs an id, makes a container, refuses a duplicate id; state answers'),
  m(
    'start',
    'lifecycle',
    ['lifecycle.start-twice', 'lifecycle.status'],
    'start needs an id, runs process.args only at start, a second start fails without effect',
  ),
  m('state', 'lifecycle', ['lifecycle.state-fields'], 'state needs an id, fails for an unknown one, answers for a created one'),
  m(
    'kill',
    'lifecycle',
    ['lifecycle.kill', 'lifecycle.kill-created', 'lifecycle.kill-stopped'],
    'kill needs an id; signals a created and a running container; fails on a stopped one',
  ),
  m('kill_no_effect', 'lifecycle', ['lifecycle.kill-stopped'], 'kill of a stopped container leaves its state unchanged'),
  m('killsig', 'lifecycle', ['lifecycle.kill'], 'kill delivers TERM, USR1 and USR2 to a shell that traps them'),
  m(
    'delete',
    'lifecycle',
    ['lifecycle.delete-created', 'lifecycle.delete-running'],
    'delete needs an id; fails without effect on a created and on a running container',
  ),
  m('delete_resources', 'lifecycle', ['lifecycle.delete'], "delete removes the container's cgroup"),
  m('delete_only_create_resources', 'lifecycle', [], 'delete leaves a cgroup it did not create'),
  m('pidfile', 'lifecycle', ['lifecycle.pid-file'], 'create --pid-file writes the pid that state reports'),
  m('config_updates_without_affect', 'lifecycle', ['lifecycle.config-after-create'], 'config.json replaced after create: start still runs the original'),
  m('hooks', 'lifecycle', ['lifecycle.hooks'], 'prestart, poststart and poststop hooks run in the listed order'),
  m('hooks_stdin', 'lifecycle', ['lifecycle.hooks'], 'prestart, poststart and poststop hooks get the state on stdin'),
  m('prestart', 'lifecycle', [], 'the (deprecated) prestart hook runs after start is called, before the process'),
  m('prestart_fail', 'lifecycle', ['lifecycle.create-hook-failure'], 'a failing prestart hook fails the container and leaves none (runbench: createRuntime)'),
  m('poststart', 'lifecycle', ['lifecycle.poststart-timing'], 'the poststart hook runs after the process starts, not at create'),
  m('poststart_fail', 'lifecycle', ['lifecycle.poststart-hook-failure'], 'a failing poststart hook is a warning: the next hook runs'),
  m('poststop', 'lifecycle', ['lifecycle.hooks'], 'the poststop hook runs at delete, after the process'),
  m('poststop_fail', 'lifecycle', ['lifecycle.poststop-hook-failure'], 'a failing poststop hook is a warning: the next hook runs'),
  // config
  m('misc_props', 'config', ['config.unknown-properties'], 'an unknown annotation and an unknown property are accepted; an invalid ociVersion is refused'),
  m(
    'default',
    'config',
    ['process.args', 'process.env', 'process.cwd'],
    "runtimetest inside the generator's default config: mounts, devices, capabilities, rlimits",
  ),
  // process
  m('process', 'process', ['process.cwd', 'process.env'], 'process.cwd and process.env'),
  m('process_user', 'process', ['process.user'], 'uid, gid, additionalGids (and umask)'),
  m('process_capabilities', 'process', ['process.capabilities'], 'every capability in all five sets (privileged)'),
  m('process_capabilities_fail', 'process', ['process.capabilities-unknown'], 'an unknown capability (CAP_TEST) is refused'),
  m('process_rlimits', 'process', ['process.rlimits'], 'seven rlimits, soft and hard'),
  m('process_rlimits_fail', 'process', [], 'an unknown rlimit (RLIMIT_TEST) is refused'),
  m('process_oom_score_adj', 'process', ['process.oom-score-adj'], 'oomScoreAdj 500'),
  m('hostname', 'process', ['process.hostname'], 'hostname set (and left empty)'),
  m('linux_process_apparmor_profile', 'process', [], 'an AppArmor profile'),
  // security
  m('linux_seccomp', 'security', ['security.seccomp-errno', 'security.seccomp-kill'], 'getcwd answered with SCMP_ACT_ERRNO'),
  // filesystem
  m('root_readonly_true', 'filesystem', ['filesystem.readonly-root'], 'root.readonly'),
  m('linux_masked_paths', 'filesystem', ['filesystem.masked-paths'], 'masked file, directory and nested paths; relative paths, symlinks, device nodes'),
  m('linux_readonly_paths', 'filesystem', ['filesystem.readonly-paths'], 'read-only file, directory and nested paths; relative paths, symlinks, device nodes'),
  m('mounts', 'filesystem', ['filesystem.bind-mount', 'filesystem.tmpfs-mount'], 'tmpfs and bind mounts with each propagation option, in order'),
  m('linux_devices', 'filesystem', ['filesystem.devices'], 'a char, a block and a fifo device in linux.devices'),
  m('linux_rootfs_propagation', 'filesystem', ['filesystem.rootfs-propagation'], 'rootfsPropagation shared, slave, private, unbindable'),
  m('linux_mount_label', 'filesystem', [], 'an SELinux mount label'),
  // namespaces
  m(
    'linux_ns_nopath',
    'namespaces',
    ['namespaces.pid', 'namespaces.uts', 'namespaces.ipc', 'namespaces.mount', 'namespaces.network', 'namespaces.user'],
    'all seven namespaces new (with a user namespace mapping)',
  ),
  m('linux_ns_path', 'namespaces', ['namespaces.join-path'], 'ipc, mnt, net, pid and uts namespaces joined by path'),
  m('linux_ns_path_type', 'namespaces', ['namespaces.path-wrong-type'], 'a namespace path of the wrong type is refused (seven types)'),
  m('linux_ns_itype', 'namespaces', [], 'no namespace asked: the container shares the runtime’s'),
  m('linux_uid_mappings', 'namespaces', ['namespaces.user'], 'a user namespace with uid and gid mappings'),
  m('linux_sysctl', 'namespaces', ['namespaces.sysctl'], 'net.ipv4.ip_forward = 1'),
  // resources
  m('linux_cgroups_pids', 'resources', ['resources.pids'], 'pids.max read back (absolute cgroupsPath)'),
  m('linux_cgroups_relative_pids', 'resources', ['resources.pids'], 'pids.max read back (relative cgroupsPath)'),
  m('linux_cgroups_memory', 'resources', ['resources.memory'], 'memory limit, reservation, swap, kernel, kernelTCP, swappiness, OOM killer read back'),
  m('linux_cgroups_relative_memory', 'resources', ['resources.memory'], 'the same, relative cgroupsPath'),
  m('linux_cgroups_cpus', 'resources', ['resources.cpu'], 'cpu shares, quota, period, cpus, mems read back (16 combinations)'),
  m('linux_cgroups_relative_cpus', 'resources', ['resources.cpu'], 'the same, relative cgroupsPath'),
  m('linux_cgroups_devices', 'resources', ['resources.devices'], 'devices.list read back in the listed order'),
  m('linux_cgroups_relative_devices', 'resources', ['resources.devices'], 'the same, relative cgroupsPath'),
  m('linux_cgroups_blkio', 'resources', [], 'blkio weights and throttles on 8:0'),
  m('linux_cgroups_relative_blkio', 'resources', [], 'the same, relative cgroupsPath'),
  m('linux_cgroups_hugetlb', 'resources', [], 'hugetlb limits'),
  m('linux_cgroups_relative_hugetlb', 'resources', [], 'the same, relative cgroupsPath'),
  m('linux_cgroups_network', 'resources', [], 'net_cls classid and net_prio priorities'),
  m('linux_cgroups_relative_network', 'resources', [], 'the same, relative cgroupsPath'),
];

export function mappingOf(program: string): ProgramMapping | null {
  return PROGRAMS.find((p) => p.program === program) ?? null;
}
