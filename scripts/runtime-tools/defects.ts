/**
 * Known defects of runtime-tools' own validation programs (at the version the crosscheck
 * builds), each confirmed in its source: file and line are in `where`. A defect that
 * `voids` a verdict decides that verdict whatever the runtime does, so that verdict is not
 * counted for or against the runtime; `when` narrows it to the runs that show the defect.
 * The others are listed for the record: they weaken a program without deciding its verdict.
 */
import type { ProgramRun, Verdict } from './tap.ts';

export interface Defect {
  /** `program:slug` */
  id: string;
  /** The program, or `*` for a defect of runtimetest that shows in every program that runs it. */
  program: string;
  /** Source location in the runtime-tools module, `path:line[-line]`. */
  where: string;
  reason: string;
  /** The verdict this defect decides on its own; null when it does not decide one. */
  voids: Verdict | null;
  /** Narrows `voids` to runs that show the defect (default: every run with that verdict). */
  when?: (run: ProgramRun, failing: readonly string[], runtime: string) => boolean;
}

const d = (program: string, slug: string, where: string, voids: Verdict | null, reason: string, when?: Defect['when']): Defect => ({
  id: `${program === '*' ? 'runtimetest' : program}:${slug}`,
  program,
  where,
  reason,
  voids,
  ...(when ? { when } : {}),
});

/** The assertion lines of a failure, without the program's own stderr line. */
const assertions = (failing: readonly string[]) => failing.filter((f) => !f.startsWith('stderr: '));

/** Every failing assertion matches one of the patterns (and there is at least one). */
const onlyFailing =
  (...patterns: RegExp[]) =>
  (_run: ProgramRun, failing: readonly string[], _runtime: string) =>
    assertions(failing).length > 0 && assertions(failing).every((f) => patterns.some((p) => p.test(f)));

const PIDS = 'util/linux_resources_pids.go:25';
const PIDS_REASON =
  'compares the pids limit read back with the one asked for as two *int64 pointers (`lpd.Limit == config.Linux.Resources.Pids.Limit`; runtime-spec v1.3.0 made `LinuxPids.Limit` a pointer, specs-go/config.go:439), so "pids limit is set correctly" fails whatever the cgroup says';
const MASK_REASON = (what: string, file: string) =>
  `its relative-path and symlink cases (${file}:67-125) fail in their own setup before any container is created (the relative path was never created; the symlink target is resolved against the program's working directory) and count that error as the runtime refusing: they pass without running the runtime and print no test point; its device-node cases pass whatever the runtime does (cmd/runtimetest/main.go:411-431 reports a block device or FIFO as untestable, which validate${what} counts as unreadable, and a 0:0 char device cannot be opened at all)`;

/** The programs that run runtimetest inside the container and judge by its TAP. */
export const RUNTIMETEST_PROGRAMS: ReadonlySet<string> = new Set([
  'default',
  'hostname',
  'linux_devices',
  'linux_masked_paths',
  'linux_mount_label',
  'linux_process_apparmor_profile',
  'linux_readonly_paths',
  'linux_rootfs_propagation',
  'linux_seccomp',
  'linux_sysctl',
  'linux_uid_mappings',
  'mounts',
  'process',
  'process_capabilities',
  'process_oom_score_adj',
  'process_rlimits',
  'process_user',
  'root_readonly_true',
]);

export const DEFECTS: readonly Defect[] = [
  d(
    '*',
    'mount-source-panic',
    'cmd/runtimetest/main.go:1123,1144,1194-1199',
    'fail',
    'runtimetest wants a non-bind mount\'s mountinfo source to equal the config\'s `source` ("proc" for /proc), a dummy value for a pseudo filesystem that the spec does not ask to show; when the first mount does not match (gVisor reports every source as "none"), the YAML after it reads spec.Mounts[-1] and runtimetest panics, so none of the program\'s own checks run',
    onlyFailing(/mounts\[0\] \(\/proc\) found/, /index out of range \[-1\]/),
  ),
  d('linux_cgroups_pids', 'pointer-compare', PIDS, 'fail', PIDS_REASON, onlyFailing(/pids limit is set correctly/)),
  d('linux_cgroups_relative_pids', 'pointer-compare', PIDS, 'fail', PIDS_REASON, onlyFailing(/pids limit is set correctly/)),
  d(
    'delete_resources',
    'pointer-compare',
    `validation/delete_resources/delete_resources.go:62, ${PIDS}`,
    'fail',
    `calls the same pids check: it ${PIDS_REASON.replace(/^compares/, 'compares')}`,
    onlyFailing(/pids limit is set correctly/),
  ),
  d(
    'hooks',
    'misspelled-expectation',
    'validation/hooks/hooks.go:79',
    'fail',
    'expects the output "post-start1\\npost-start2\\npost-stop1\\npost-stop2" while its hooks echo "post-start1 called" and so on (hooks.go:44-67), so the order check fails whatever order the hooks ran in; it prints no test point, only that error',
    onlyFailing(/Hooks MUST be called in the listed order/),
  ),
  d(
    'pidfile',
    'kill-after-exit',
    'validation/pidfile/pidfile.go:31,58-63',
    'fail',
    'runs `true`, then waits up to 10 s for a "running" state that a process which exits at once never shows, and then sends KILL: the container has stopped by then, and a runtime that refuses to signal a stopped container, as runtime.md#kill requires, fails the pid-file check. The pid file itself is checked in PostCreate and was right',
    (run, failing) =>
      assertions(failing).length === 1 &&
      /--pid-file/.test(assertions(failing)[0]!) &&
      !/wrong pid/.test(assertions(failing)[0]!) &&
      !/failed to (create|start) the container/.test(run.stderr),
  ),
  d(
    'start',
    'inverted-process-unset',
    'validation/start/start.go:100-112',
    'fail',
    'its last case asserts `err == nil` for "start MUST generate an error if process was not set" (start.go:112), and fails outright when create refuses the process-less config (start.go:105-108): no conforming runtime can pass it',
    onlyFailing(/MUST generate an error if `process` was not set/, /^not ok 7 - exit status \d+( \[.*\])?$/),
  ),
  d(
    'linux_seccomp',
    'cannot-fail',
    'cmd/runtimetest/main.go:916-940',
    'pass',
    'runtimetest\'s seccomp validation only ever calls Skip: getcwd still working is reported as "ok # SKIP getcwd did not return an error", so the program passes whether or not the filter is applied',
  ),
  d(
    'linux_process_apparmor_profile',
    'wrong-observation',
    'cmd/runtimetest/main.go:1206-1216',
    'pass',
    "passes when no file named after the profile exists in the container's /etc/apparmor.d; it never reads /proc/self/attr/current, so it cannot tell whether the profile was applied",
  ),
  d(
    'linux_cgroups_devices',
    'index-offset',
    'validation/util/linux_resources_devices.go:75-88',
    'fail',
    "compares config entry i with line i-1 of devices.list, assuming the list holds exactly the config's entries in order; a runtime that also allows its default devices (runc puts `b *:* m` and `c *:* m` first) fails although every entry is applied",
    onlyFailing(/^not ok \d+ - devices .* is set correctly/),
  ),
  d(
    'linux_cgroups_relative_devices',
    'index-offset',
    'validation/util/linux_resources_devices.go:75-88',
    'fail',
    'the same devices.list comparison by index as linux_cgroups_devices',
    onlyFailing(/^not ok \d+ - devices .* is set correctly/),
  ),
  d(
    'process_capabilities_fail',
    'v1.0-rule',
    'validation/process_capabilities_fail/process_capabilities_fail.go:23-27',
    'fail',
    'requires create to fail on an unknown capability, the rule of runtime-spec v1.0; the config it writes says ociVersion 1.3.0, under which such a value "MUST be logged as a warning" and "Runtimes SHOULD NOT fail" (runtime-spec v1.3.0 config.md:288-292). Only the crun@1.0.2 run, whose config says 1.0.2, is held to the old rule',
    (_run, failing, runtime) => runtime !== 'crun@1.0.2' && failing.length > 0,
  ),
  d(
    'misc_props',
    'missing-runtimetest',
    'validation/misc_props/misc_props.go:47-51,69-83',
    'fail',
    'its unknown-annotation case runs the default process /runtimetest, which misc_props never copies into the bundle (RuntimeLifecycleValidate copies nothing): every runtime here fails that case for the missing binary (runc and crun at create, runsc at start), not for the annotation',
    (run, failing, runtime) =>
      onlyFailing(/unknown annotation key/)(run, failing, runtime) && /runtimetest.{0,4} not found|no such file or directory/i.test(run.stdout),
  ),
  d(
    'poststart',
    'accepts-no-hook',
    'validation/poststart/poststart.go:62-64',
    'pass',
    'accepts an output holding only "process called", i.e. a poststart hook that never ran, with a warning on stderr',
    (run) => /WARNING: The poststart hook invoke fails/.test(run.stderr),
  ),
  d(
    'poststop',
    'accepts-no-hook',
    'validation/poststop/poststop.go:79-81',
    'pass',
    'accepts an output holding only "process called" after delete, i.e. a poststop hook that never ran, with a warning on stderr',
    (run) => /WARNING: The poststop hook invoke fails/.test(run.stderr),
  ),
  d(
    'process_rlimits',
    'go-raises-nofile',
    'cmd/runtimetest/main.go:357-361',
    'fail',
    "runtimetest reads RLIMIT_NOFILE from inside itself, a Go program: Go's syscall package (Go 1.19 and later, syscall/rlimit.go) raises its own soft limit to hard-1 at start-up, so a soft limit below the hard one (3000 of 4000) reads back as 3999 whatever the runtime set",
    onlyFailing(/has expected soft RLIMIT_NOFILE/),
  ),
  d(
    'prestart',
    'wrong-timing',
    'validation/prestart/prestart.go:41-48',
    'fail',
    'fails a runtime whose prestart hook has run when create returns, while runtime-spec v1.3.0 has prestart hooks run "as part of the create operation" (config.md:596, runtime.md:62 lifecycle step 3, before start at step 6)',
    onlyFailing(/Pre-start hooks MUST be called after the `start` operation is called/),
  ),
  d(
    'hooks_stdin',
    'prestart-status',
    'validation/hooks_stdin/hooks_stdin.go:53-58',
    'fail',
    'expects the state a prestart hook reads to say "created", but prestart runs during create (runtime.md:62), while the container is "creating" (runtime.md:19); a runtime that reports "creating" there fails only this case',
    onlyFailing(/MUST be passed to "prestart" hook over stdin/),
  ),
  d(
    'poststart',
    'write-race',
    'validation/poststart/poststart.go:59-67',
    'fail',
    "fails when the hook's line lands in the output file before the process's, but the spec orders the hook after the process is started (runtime.md lifecycle steps 8-9), not after it has written anything: which line comes first is a race",
    onlyFailing(/The post-start hooks MUST be called after the user-specified process is executed/),
  ),
  d(
    'killsig',
    'trap-race',
    'validation/killsig/killsig.go:39,48-52',
    'fail',
    'sends each signal as soon as `state` says running, which can be before the shell has set its trap: the signal then kills the shell and the file the trap would touch never appears, or, the shell being the pid namespace\'s init, is dropped for want of a handler (pid_namespaces(7)), so the shell sleeps its 10 s past the program\'s 5 s wait and the delete after it is refused ("not in `created` or `stopped` state"). Voided when another signal of the same run got through',
    (run, failing) =>
      /^ok \d+ /m.test(run.stdout) && assertions(failing).every((f) => /no such file or directory|not in `created` or `stopped` state|is not stopped/.test(f)),
  ),
  d(
    'linux_masked_paths',
    'vacuous-cases',
    'validation/linux_masked_paths/linux_masked_paths.go:67-150',
    null,
    MASK_REASON('MaskedPaths', 'linux_masked_paths.go'),
  ),
  d(
    'linux_readonly_paths',
    'vacuous-cases',
    'validation/linux_readonly_paths/linux_readonly_paths.go:67-150',
    null,
    MASK_REASON('ROPaths', 'linux_readonly_paths.go'),
  ),
  d(
    'prestart_fail',
    'leaves-container',
    'validation/prestart_fail/prestart_fail.go:53-57',
    null,
    'deletes the container only when `state` fails, i.e. never when one exists: a runtime that keeps the container after a failed prestart hook is reported and the container left behind (the crosscheck script removes it)',
  ),
  d(
    'hooks_stdin',
    'wrong-diagnostic',
    'validation/hooks_stdin/hooks_stdin.go:43-45',
    null,
    "a wrong pid in a hook's stdin is reported with the state's `ociVersion` in place of the two pids",
  ),
  d(
    'linux_cgroups_memory',
    'wrong-diagnostic',
    'validation/util/linux_resources_memory.go:32,38',
    null,
    'the swap and kernelTCP diagnostics print the reservation and kernel values read back in place of their own',
  ),
];

/** The program's own defects, then those of runtimetest that every program running it shares. */
export function defectsFor(program: string): Defect[] {
  return DEFECTS.filter((x) => x.program === program || (x.program === '*' && RUNTIMETEST_PROGRAMS.has(program)));
}

/** The defect that decides this run's verdict, if any. */
export function voidingDefect(program: string, verdict: Verdict, run: ProgramRun, failing: readonly string[], runtime = ''): Defect | null {
  return defectsFor(program).find((x) => x.voids === verdict && (x.when ? x.when(run, failing, runtime) : true)) ?? null;
}
