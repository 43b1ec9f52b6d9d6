/**
 * What runbench can measure on this machine: runtimes with version, features and
 * status, host facts, and known problems with the fix for each.
 */
import { existsSync } from 'node:fs';
import { EventBus } from './events.ts';
import { errorMessage } from './errors.ts';
import { hostFacts } from './host.ts';
import { rbExecPath, rootfsDir } from './paths.ts';
import { KNOWN_RUNTIMES, probeRuntime, type RuntimeDefinition } from './runtimes.ts';
import type { HostFacts, RuntimeInfo } from './schema.ts';
import { staleRuns } from './clean.ts';
import { openRunScope } from './run-scope.ts';
import { capability, type Runner, type RunnerSession } from './runner.ts';

export interface Problem {
  id: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  fix: string;
}

export interface DoctorReport {
  host: HostFacts;
  runtimes: RuntimeInfo[];
  problems: Problem[];
}

/** Problems visible from host facts and runtime versions alone. */
export function knownProblems(host: HostFacts, runtimes: RuntimeInfo[], fixturesBuilt: boolean): Problem[] {
  const problems: Problem[] = [];
  const crun18 = runtimes.filter((r) => r.path && /^crun/.test(r.name) && /^1\.8(\.|$)/.test(r.version ?? ''));
  if (host.cgroupLayout === 'hybrid' && host.cgroup2Controllers.length > 0 && crun18.length > 0) {
    problems.push({
      id: 'crun-hybrid-cgroups',
      severity: 'error',
      message: `crun ${crun18[0]?.version} refuses to start containers ("cgroups in hybrid mode not supported") while ${host.cgroup2Controllers.join(', ')} sits in the cgroup2 hierarchy`,
      fix: host.cgroup2Controllers
        .map((c) => `mkdir -p /sys/fs/cgroup/${c} && mount -t cgroup -o ${c} cgroup /sys/fs/cgroup/${c}`)
        .concat('(scripts/setup.sh applies this)')
        .join('; '),
    });
  }
  if (!host.apparmor) {
    problems.push({
      id: 'apparmor-absent',
      severity: 'info',
      message: 'AppArmor is not enabled in this kernel',
      fix: "runbench's bundles leave apparmorProfile out; bundles from elsewhere that set one will fail here",
    });
  }
  if (host.arch !== 'arm64' && !(host.emulatedArchs ?? []).includes('arm64')) {
    const qemu = existsSync('/usr/bin/qemu-aarch64-static') || existsSync('/usr/libexec/qemu-binfmt/aarch64-binfmt-P');
    problems.push({
      id: 'arm64-emulation-missing',
      severity: 'info',
      message: qemu
        ? 'qemu-user-static is installed but binfmt_misc has no enabled qemu-aarch64 entry with the fix-binary flag: arm64 containers cannot run here'
        : 'arm64 containers cannot run here: qemu-user-static is not installed',
      fix: qemu
        ? 'mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc; update-binfmts --enable qemu-aarch64 (scripts/setup.sh does this)'
        : 'apt-get install qemu-user-static binfmt-support (scripts/setup.sh does this)',
    });
  }
  if (!host.root) {
    problems.push({ id: 'not-root', severity: 'warning', message: 'not running as root: the OCI runtimes cannot be measured', fix: 'run runbench as root' });
  }
  if (!fixturesBuilt) {
    problems.push({
      id: 'fixtures-missing',
      severity: 'error',
      message: 'the workloads, rootfs or timing helper are not built',
      fix: 'scripts/setup.sh (or scripts/build-fixtures.sh)',
    });
  }
  return problems;
}

/** Runs hello once to find runtimes that are installed but cannot start a container here. */
async function smoke(runtimes: RuntimeInfo[], host: HostFacts, runner: Runner): Promise<RuntimeInfo[]> {
  const { runId, scope, workDir } = openRunScope('doctor');
  const out: RuntimeInfo[] = [];
  try {
    for (const r of runtimes) {
      if (r.status !== 'ok' || r.kind !== 'oci') {
        out.push(r);
        continue;
      }
      let session: RunnerSession | null = null;
      try {
        session = await runner.open(r, { runId, host, arch: host.arch, scope, events: new EventBus(), workDir });
        const kind = r.wasmOnly ? 'wasm' : 'native';
        const s = await capability(session, 'oneShot').run({ workload: { name: 'hello', kind, args: [] }, timeoutMs: 30_000 });
        if (s.exitCode !== 0 || !s.stdout.includes('runbench-hello-ok')) {
          const err = s.stderr.trim().split('\n')[0] ?? '';
          out.push({ ...r, status: 'broken', reason: `hello exited ${s.exitCode}${err ? `: ${err}` : ''}` });
        } else out.push(r);
      } catch (e) {
        out.push({ ...r, status: 'broken', reason: errorMessage(e) });
      } finally {
        await session?.close();
      }
    }
  } finally {
    await scope.close();
  }
  return out;
}

/** What can be measured here; with `smoke`, each OCI runtime runs hello once through the given runner (the oci layer's). */
export async function doctor(extra: RuntimeDefinition[], opts: { smoke: Runner | null }): Promise<DoctorReport> {
  const host = hostFacts();
  const defs = [...KNOWN_RUNTIMES.filter((k) => !extra.some((e) => e.name === k.name)), ...extra];
  let runtimes = await Promise.all(defs.map((d) => probeRuntime(d)));
  const fixturesBuilt = existsSync(rbExecPath) && existsSync(rootfsDir(host.arch));
  if (opts.smoke && host.root && fixturesBuilt) runtimes = await smoke(runtimes, host, opts.smoke);
  const problems = knownProblems(host, runtimes, fixturesBuilt);
  const stale = staleRuns();
  if (stale.length > 0) {
    problems.push({
      id: 'stale-runs',
      severity: 'warning',
      message: `${stale.length} run${stale.length > 1 ? 's' : ''} died without cleaning up (${stale.map((r) => r.runId).join(', ')}): containers, cgroups or mounts may be left`,
      fix: 'runbench clean (a new run also removes them)',
    });
  }
  return { host, runtimes, problems };
}
