/**
 * The conformance target for the `oci` layer: probe runs and step-by-step lifecycle
 * operations mapped onto the runtime's command line through an OciSession. Everything
 * it makes (containers, bundles, scratch directories, cgroups) is released by `reset`
 * after each check and by `close` at the end, whatever the checks did.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { otherProcesses } from '../../core/processes.ts';
import { cgroupDirs, cpuThrottling, sweepCgroups } from '../../core/cgroups.ts';
import { OciConfig } from '../../core/oci-spec.ts';
import type { OciContainerSpec } from './bundle.ts';
import type { OciSession } from './session.ts';
import { probeRun } from '../../core/probe-report.ts';
import { ScratchDirs } from '../probe-target.ts';
import { readOrEmpty } from '../shared/files.ts';
import type { CommandResult, ConformanceTarget, ContainerHandle, ContainerOps, ContainerState, ProbeRequest, Remains } from '../../core/conformance.ts';
import type { ProbeRun } from '../../core/probe-report.ts';

const DEFAULT_TIMEOUT_MS = 30_000;

interface OciHandle extends ContainerHandle {
  spec: OciContainerSpec;
  /** Extra ids created from this bundle (a reused id), removed with it. */
  ids: Set<string>;
}

function readConfig(bundle: string): OciConfig {
  return OciConfig.parse(JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8')));
}

/** Processes whose command line names the container id (runtime CLIs, shims, sandboxes). */
export function processesNaming(id: string): string[] {
  return otherProcesses()
    .filter((p) => p.cmdline.includes(id))
    .map((p) => `${p.pid}: ${p.cmdline.trim().slice(0, 120)}`);
}

export class OciTarget implements ConformanceTarget {
  readonly layer = 'oci' as const;
  readonly runtimeName: string;
  readonly wasmHandlers: readonly string[];
  readonly containers: ContainerOps;
  private readonly handles: OciHandle[] = [];
  private readonly scratch: ScratchDirs;

  constructor(
    private readonly session: OciSession,
    scratchBase: string,
  ) {
    this.runtimeName = session.runtime.name;
    this.scratch = new ScratchDirs(scratchBase);
    this.wasmHandlers = session.runtime.wasmHandlers;
    this.containers = this.ops();
  }

  scratchDir(name: string): string {
    return this.scratch.make(name);
  }

  async probe(req: ProbeRequest): Promise<ProbeRun> {
    const c = this.session.prepare(
      { workload: { name: 'probe', kind: req.kind, args: req.args }, timeoutMs: req.timeoutMs ?? DEFAULT_TIMEOUT_MS },
      req.overrides ?? {},
    );
    try {
      const requested = readConfig(c.bundle);
      const r = await this.session.cli(['run', '--bundle', c.bundle, c.id], {
        stdout: c.stdout,
        stderr: c.stderr,
        timeoutMs: req.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      });
      return probeRun(requested, { exitCode: r.exitCode, timedOut: r.timedOut, stdout: r.stdout, stderr: r.stderr });
    } finally {
      await this.session.release(c);
    }
  }

  private ops(): ContainerOps {
    const s = this.session;
    const state = async (id: string): Promise<CommandResult & { state: ContainerState | null }> => {
      const r = await s.cli(['state', id], { timeoutMs: 15_000 });
      let parsed: ContainerState | null = null;
      if (r.exitCode === 0) {
        try {
          const raw: unknown = JSON.parse(r.stdout);
          const o = (raw ?? {}) as Record<string, unknown>;
          parsed = {
            raw,
            status: typeof o.status === 'string' ? o.status : null,
            pid: typeof o.pid === 'number' ? o.pid : null,
          };
        } catch {
          parsed = null;
        }
      }
      return { ...r, state: parsed };
    };
    return {
      bundle: (workload, args, overrides = {}) => {
        const spec = s.prepare({ workload: { name: workload, kind: 'native', args }, timeoutMs: DEFAULT_TIMEOUT_MS }, overrides);
        const h: OciHandle = { id: spec.id, bundle: spec.bundle, cgroupsPath: spec.cgroupsPath, requested: readConfig(spec.bundle), spec, ids: new Set() };
        this.handles.push(h);
        return h;
      },
      create: async (c, id) => {
        const h = c as OciHandle;
        const cid = id ?? c.id;
        h.ids.add(cid);
        const n = h.ids.size;
        return s.cli(['create', '--bundle', c.bundle, '--pid-file', join(c.bundle, `pid.${n}`), cid], {
          stdout: join(c.bundle, `stdout.${n}`),
          stderr: join(c.bundle, `stderr.${n}`),
          timeoutMs: DEFAULT_TIMEOUT_MS,
        });
      },
      start: (id) => s.cli(['start', id], { timeoutMs: 15_000 }),
      state,
      kill: (id, signal) => s.cli(['kill', id, signal], { timeoutMs: 15_000 }),
      delete: (id, force = false) => s.cli(['delete', ...(force ? ['--force'] : []), id], { timeoutMs: 15_000 }),
      waitFor: async (id, status, timeoutMs) => {
        const deadline = Date.now() + timeoutMs;
        let last: ContainerState | null = null;
        for (;;) {
          last = (await state(id)).state;
          if (last?.status === status || Date.now() > deadline) return last;
          await new Promise((r) => setTimeout(r, 50));
        }
      },
      stdout: (c) => readOrEmpty(join(c.bundle, 'stdout.1')),
      pidFile: (c) => readOrEmpty(join(c.bundle, 'pid.1')),
      rewriteConfig: (c, edit) => {
        writeFileSync(join(c.bundle, 'config.json'), JSON.stringify(edit(readConfig(c.bundle)), null, 2));
      },
      cpuThrottling: (c) => cpuThrottling(c.cgroupsPath),
      remains: (c, id): Remains => {
        const cid = id ?? c.id;
        return { stateEntry: s.hasState(cid), cgroups: cgroupDirs(c.cgroupsPath), processes: processesNaming(cid) };
      },
    };
  }

  /** Removes what the last check made: containers (forcefully), bundles, cgroups, scratch. */
  async reset(): Promise<void> {
    for (const h of this.handles.splice(0)) {
      for (const id of h.ids) if (id !== h.id && this.session.hasState(id)) await this.session.forceDelete(id);
      await this.session.release(h.spec);
      await sweepCgroups(h.cgroupsPath);
    }
    this.scratch.clear();
  }

  async close(): Promise<void> {
    await this.reset();
    this.scratch.remove();
  }
}
