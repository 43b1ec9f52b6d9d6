/**
 * Why runtime-tools and runbench disagree, cell by cell (program × runtime), after reading
 * both suites' output and source. Each note says who is wrong, or that the two check
 * different things; a note with a `status` other than 'disagree' explains a cell that is
 * not compared or is decided by a runtime-tools defect. `match` narrows a note to cells
 * whose failing lines show the cause.
 */
import type { Verdict } from './tap.ts';

export type CellStatus = 'agree' | 'disagree' | 'defect' | 'runtime-tools only' | 'not compared';
export type NoteKind = 'runbench wrong' | 'runtime-tools wrong' | 'different check';

export interface Note {
  program: string | '*';
  runtime: string | '*';
  /** The cell status the note explains (default 'disagree'). */
  status?: CellStatus;
  kind: NoteKind;
  text: string;
  match?: (rtFailing: readonly string[], rbChecks: readonly { id: string; verdict: Verdict; reason: string | null }[]) => boolean;
}

const rtFails = (re: RegExp) => (rtFailing: readonly string[]) => rtFailing.some((f) => re.test(f));

export const NOTES: readonly Note[] = [
  // disagreements
  {
    program: 'create',
    runtime: 'runsc',
    kind: 'different check',
    text: 'both see the duplicate create refused; runbench also checks that the refusal leaves the first container alone, and runsc removes it (lifecycle.unique-id)',
  },
  {
    program: 'config_updates_without_affect',
    runtime: 'runsc',
    kind: 'different check',
    text: 'the program’s config also asks for rootfsPropagation "shared", which runsc refuses at create ("root mount propagation option must specify private or slave"), so the rule under test is never reached; runbench’s config asks for nothing runsc refuses',
  },
  {
    program: 'hooks',
    runtime: 'crun@1.0.2',
    kind: 'different check',
    match: rtFails(/broken pipe/),
    text: 'crun 1.8.1 was killed by SIGPIPE writing the state to a hook that exits without reading its stdin (runtime-tools’ `sh -c echo` hooks); intermittent (1 run in 4 here, at start or at delete). runbench’s hooks always read stdin, so they cannot trigger it. A real crun fault',
  },
  {
    program: 'hooks_stdin',
    runtime: '*',
    kind: 'different check',
    match: rtFails(/"poststart" hook over stdin.*wrong status "created"/),
    text: 'runtime-tools checks the status in each hook’s state; runbench’s lifecycle.hooks reads only the id. runc’s poststart hook reads "created" because runc runs it at create, which runbench reports as lifecycle.poststart-timing (agreed there). The prestart case is a runtime-tools defect (hooks_stdin:prestart-status)',
  },
  {
    program: 'poststop',
    runtime: 'runsc',
    kind: 'different check',
    text: 'the poststop hook runs right on both sides; runbench’s lifecycle.hooks fails runsc for the createContainer hook, which never runs and which runtime-tools does not test',
  },
  {
    program: 'process_capabilities',
    runtime: '*',
    kind: 'different check',
    text: 'runtime-tools asks for every capability (a privileged config); this machine’s bounding set lacks CAP_SYS_RESOURCE, and the runtime fails create (EPERM on capset; runsc’s sandbox does not start) where runtime-spec 1.3.0 says it SHOULD NOT fail but warn. runbench asks for a subset the host holds and finds all five sets right',
  },
  {
    program: 'linux_seccomp',
    runtime: 'runc',
    kind: 'different check',
    text: 'runtime-tools denies getcwd, and Debian’s runc 1.1.5 calls getcwd itself after loading the filter ("failed to verify if current working directory is safe: operation not permitted"), so create fails: a real runc limitation. runbench denies getpgid and getsid, which runc’s init does not use, and finds the filter enforced',
  },
  {
    program: 'linux_rootfs_propagation',
    runtime: 'runsc',
    kind: 'different check',
    text: 'runsc refuses shared and unbindable at create; runbench counts a refusal as an error the spec allows for a value the runtime cannot apply, runtime-tools as a failure. Its slave and private cases die in runtimetest’s mount check (runtimetest:mount-source-panic)',
  },
  {
    program: 'linux_cgroups_memory',
    runtime: '*',
    kind: 'different check',
    text: 'limit, reservation, swap, swappiness and the OOM-killer switch read back right; runtime-tools also reads back `kernel` (and for runc `kernelTCP`), which runtime-spec 1.3.0 marks NOT RECOMMENDED and which these runtimes do not apply (the cgroup still reads unlimited). runbench checks the limit by an OOM kill',
  },
  {
    program: 'linux_cgroups_relative_memory',
    runtime: '*',
    kind: 'different check',
    text: 'as linux_cgroups_memory: only the NOT RECOMMENDED `kernel` (runc: and `kernelTCP`) limits read back wrong',
  },
  {
    program: 'linux_cgroups_relative_cpus',
    runtime: 'runsc',
    kind: 'different check',
    text: 'with a relative cgroupsPath (testdir/cgrouptest/container) runsc cannot write cpuset.cpus ("permission denied": the new intermediate cpuset cgroups have no cpus); runbench never asks for a relative path. A real runsc fault on cgroup v1',
  },
  {
    program: 'poststart',
    runtime: 'runsc',
    kind: 'different check',
    text: 'the hook (on the host) and the process (in the sandbox) append to one file in the rootfs, and runsc’s default file access is exclusive: the Sentry caches the file and appends at its own idea of the end, over what the host wrote (a process that appends, sleeps and appends again while the host appends in between leaves "first\\nthird\\n\\n" in runsc, "first\\nsecond\\nthird\\n" in runc). The process line is lost or lands first by that race, not by the hook’s timing; runbench’s hook records into a directory of its own on the host, outside the rootfs, and finds it run during start',
    match: rtFails(/MUST run the user-specified program/),
  },
  // agreements for different reasons, and cells not compared
  {
    program: 'hooks_stdin',
    runtime: 'runsc',
    status: 'agree',
    kind: 'different check',
    text: 'both fail, for different reasons: runtime-tools finds runsc’s poststart hook reading status "created" although it runs after start (a runsc fault that runbench’s lifecycle.hooks, reading only the id, cannot see); runbench finds the createContainer hook never runs',
  },
  {
    program: 'linux_ns_nopath',
    runtime: 'runsc',
    status: 'agree',
    kind: 'different check',
    text: 'both fail, for different reasons: runtime-tools looks at the sandbox process from the host, whose cgroup and pid namespaces are the host’s; runbench looks from inside, where the pid and network namespaces are new and the user namespace has no mapping',
  },
  {
    program: 'linux_ns_path',
    runtime: 'runsc',
    status: 'not compared',
    kind: 'different check',
    text: 'runbench skips (gVisor shows no /proc/self/ns/ipc inside); runtime-tools compares the sandbox process’s namespaces from the host with the ones given by path, and none was joined',
  },
  {
    program: 'process_capabilities_fail',
    runtime: 'crun@1.0.2',
    status: 'agree',
    kind: 'different check',
    text: 'held to the v1.0 rule because the relabelled config says 1.0.2, as runbench’s process.capabilities-unknown is; for runc and unrelabelled runs the program’s 1.3.0 config voids its failure',
  },
];
