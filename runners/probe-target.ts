/** Host directories a target makes for the checks (bind-mount sources): per check, then all. */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Layer, RuntimeInfo } from '../core/schema.ts';
import type { ConformanceTarget, ProbeRequest } from '../core/conformance.ts';
import type { ProbeRun } from '../core/probe-report.ts';

export class ScratchDirs {
  private readonly dirs: string[] = [];
  private counter = 0;

  constructor(private readonly base: string) {}

  /** A fresh directory, removed by the next `clear`. */
  make(name: string): string {
    const dir = join(this.base, `${name}-${++this.counter}`);
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    this.dirs.push(dir);
    return dir;
  }

  /** Removes what the last check made. */
  clear(): void {
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }

  /** Removes everything, the base included. */
  remove(): void {
    this.clear();
    rmSync(this.base, { recursive: true, force: true });
  }
}

/**
 * What the targets of layers without step-by-step operations (containerd, Kubernetes)
 * share: the runtime's identity, scratch directories per check, and their cleanup. The
 * runner session removes each container as its run ends, so scratch is all a reset clears.
 */
export abstract class ProbeOnlyTarget implements ConformanceTarget {
  abstract readonly layer: Layer;
  readonly runtimeName: string;
  readonly wasmHandlers: readonly string[];
  readonly containers = null;
  private readonly scratch: ScratchDirs;

  constructor(runtime: RuntimeInfo, scratchBase: string) {
    this.runtimeName = runtime.name;
    this.wasmHandlers = runtime.wasmHandlers;
    this.scratch = new ScratchDirs(scratchBase);
  }

  abstract probe(req: ProbeRequest): Promise<ProbeRun>;

  scratchDir(name: string): string {
    return this.scratch.make(name);
  }

  async reset(): Promise<void> {
    this.scratch.clear();
  }

  async close(): Promise<void> {
    this.scratch.remove();
  }
}
