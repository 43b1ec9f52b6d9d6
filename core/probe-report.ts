/**
 * The probe's JSON report (fixtures/workloads/probe.c), validated at the boundary. Only
 * the fields the checks read are typed; the rest passes through untouched.
 */
import { z } from 'zod';
import type { CpuThrottling } from './cgroups.ts';
import type { OciConfig } from './oci-spec.ts';

const nstr = z.string().nullable();
const rlimitValue = z.union([z.number(), z.literal('unlimited')]);
const rlimit = z.object({ soft: rlimitValue, hard: rlimitValue }).nullable();

const PathCheck = z.object({
  path: z.string(),
  exists: z.boolean(),
  type: nstr,
  readable: z.boolean(),
  writable: z.boolean(),
  size: z.number().nullable(),
  contentSize: z.number().nullable(),
  entries: z.number().nullable(),
  /** A device node's numbers (absent from older probes). */
  major: z.number().nullable().optional(),
  minor: z.number().nullable().optional(),
  errno: nstr,
});
export type PathCheck = z.infer<typeof PathCheck>;

const MountCheck = z.object({
  path: z.string(),
  found: z.boolean(),
  options: nstr,
  /** mountinfo's optional fields (shared:N, master:N, unbindable), '' for none (absent from older probes). */
  propagation: nstr.optional(),
  fstype: nstr,
  source: nstr,
  superOptions: nstr,
});
export type MountCheck = z.infer<typeof MountCheck>;

export const ProbeReport = z
  .object({
    workload: z.literal('probe'),
    target: z.string(),
    argv: z.array(z.string()),
    env: z.record(z.string(), z.string()),
    cwd: nstr,
    uid: z.number().nullable(),
    gid: z.number().nullable(),
    euid: z.number().nullable(),
    egid: z.number().nullable(),
    groups: z.array(z.number()).nullable(),
    hostname: nstr,
    pid: z.number().nullable(),
    rlimits: z.object({ nofile: rlimit, nproc: rlimit, core: rlimit }).nullable(),
    capabilities: z
      .object({
        eff: nstr,
        prm: nstr,
        bnd: nstr,
        /** Absent from older probes. */
        inh: nstr.optional(),
        amb: nstr.optional(),
        effNames: z.array(z.string()).nullable(),
        noNewPrivs: z.boolean().nullable(),
      })
      .nullable(),
    /** What prctl(PR_GET_NO_NEW_PRIVS) answered (absent from older probes). */
    prctl: z.object({ noNewPrivs: z.boolean().nullable(), errno: nstr }).nullable().optional(),
    rootReadOnly: z.boolean().nullable(),
    rootWriteErrno: nstr,
    paths: z.array(PathCheck),
    /** `--read-file` contents (absent from older probes). */
    files: z.array(z.object({ path: z.string(), content: nstr, errno: nstr })).optional(),
    /** The probe's own read of runc's default masked paths (it reads char devices too). */
    masked: z
      .array(z.object({ path: z.string(), exists: z.boolean(), readable: z.boolean(), bytes: z.number().nullable(), entries: z.number().nullable() }))
      .nullable(),
    namespaces: z.record(z.string(), nstr).nullable(),
    mountinfo: z.object({ lines: z.number(), mounts: z.array(MountCheck) }).nullable(),
    io: z.object({ dir: z.string(), ok: z.boolean(), stage: nstr, errno: nstr, bytes: z.number() }).nullable(),
    clocks: z.object({ realtime: z.number().nullable(), monotonic: z.number().nullable(), monotonicAdvances: z.boolean() }),
    entropy: z.object({ hex: nstr, source: nstr, nonZero: z.boolean() }),
    netInterfaces: z.array(z.string()).nullable(),
    alloc: z.object({ requestedMib: z.number(), ok: z.boolean(), touchedMib: z.number() }).nullable(),
    fork: z.object({ requested: z.number(), succeeded: z.number().nullable(), errno: nstr }).nullable(),
    spin: z.object({ requestedMs: z.number(), wallMs: z.number(), cpuMs: z.number().nullable(), cpuRatio: z.number().nullable() }).nullable(),
    /** `--syscall` attempts: the return value, or null and the errno (absent from older probes). */
    syscalls: z
      .array(z.object({ name: z.string(), known: z.boolean(), ret: z.number().nullable(), errno: nstr }))
      .nullable()
      .optional(),
    stderrBytes: z.number().nullable(),
    exitRequested: z.number().nullable(),
  })
  .passthrough();
export type ProbeReport = z.infer<typeof ProbeReport>;

/** What a one-shot run of the probe workload produced. */
export interface ProbeRun {
  /** The configuration the runtime was asked to honour. */
  requested: OciConfig;
  exitCode: number;
  /** Set when the runtime itself reported death by signal (128+n is also an exit code). */
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** The probe's report, or null when it printed none (killed, never started). */
  report: ProbeReport | null;
  /** Why the report is null or unreadable, for reasons. */
  reportError: string | null;
  /** The host's CPU controller on the container's cgroup, read before it was removed (a CPU quota asked). */
  hostCpu?: CpuThrottling | null;
}

/** A finished probe run as a check sees it: what was asked, what came out, and the report parsed from stdout. */
export function probeRun(
  requested: OciConfig,
  out: { exitCode: number; timedOut: boolean; stdout: string; stderr: string; hostCpu?: CpuThrottling | null },
): ProbeRun {
  const { report, error } = parseProbeOutput(out.stdout);
  return { requested, ...out, report, reportError: error };
}

/** Finds the probe's one JSON line in stdout (a runtime may print around it) and validates it. */
export function parseProbeOutput(stdout: string): { report: ProbeReport | null; error: string | null } {
  const line = stdout
    .split('\n')
    .reverse()
    .find((l) => l.trimStart().startsWith('{"workload":"probe"'));
  if (!line) {
    const shown = stdout.trim().slice(0, 120);
    return { report: null, error: shown ? `no probe report in stdout (${JSON.stringify(shown)})` : 'the probe printed nothing' };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (e) {
    return { report: null, error: `probe report is not JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  const parsed = ProbeReport.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { report: null, error: `probe report does not match its schema at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? ''}` };
  }
  return { report: parsed.data, error: null };
}
