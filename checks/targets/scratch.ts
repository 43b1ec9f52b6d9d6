/** Host directories a target makes for the checks (bind-mount sources): per check, then all. */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

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
