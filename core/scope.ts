/**
 * One owner for everything runbench starts: containers, state directories, cgroups,
 * daemons, helper processes. Cleanups run last-in first-out on success, failure,
 * timeout and interrupt alike; a failing cleanup does not stop the others.
 */
export interface CleanupFailure {
  name: string;
  message: string;
}

export class Scope {
  private readonly cleanups: { name: string; fn: () => Promise<void> | void }[] = [];
  private closed = false;
  private closing: Promise<CleanupFailure[]> | null = null;

  constructor(readonly name: string) {}

  /** Registers a cleanup; returns a function that runs it early (and only once). */
  defer(name: string, fn: () => Promise<void> | void): () => Promise<void> {
    const entry = { name, fn };
    this.cleanups.push(entry);
    return async () => {
      const i = this.cleanups.indexOf(entry);
      if (i < 0) return;
      this.cleanups.splice(i, 1);
      await fn();
    };
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get pending(): number {
    return this.cleanups.length;
  }

  /** Runs every cleanup once. Concurrent callers share the same pass. */
  close(): Promise<CleanupFailure[]> {
    if (this.closing) return this.closing;
    this.closed = true;
    this.closing = (async () => {
      const failures: CleanupFailure[] = [];
      while (this.cleanups.length > 0) {
        const c = this.cleanups.pop();
        if (!c) break;
        try {
          await c.fn();
        } catch (e) {
          failures.push({ name: c.name, message: e instanceof Error ? e.message : String(e) });
        }
      }
      return failures;
    })();
    return this.closing;
  }
}
