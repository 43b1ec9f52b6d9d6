/**
 * A suite measures several independent things. When one of them fails for a runtime
 * (youki's foreground `run` hanging, say), the others are still measured, in this block
 * and in the blocks after it; the part that failed is not tried again. The suite ends
 * errored, naming every part that failed.
 */
import { RuntimeFailure } from '../core/errors.ts';

export class PartialFailures {
  constructor(
    private readonly runtime: string,
    /** Parts that failed, with why: kept by the pipeline across the blocks of one runtime and suite. */
    private readonly failed: Map<string, string>,
  ) {}

  /** Runs one part unless it failed before; a runtime's failure is kept for the end, anything else propagates. */
  async attempt(part: string, fn: () => Promise<void>): Promise<void> {
    if (this.failed.has(part)) return;
    try {
      await fn();
    } catch (e) {
      if (!(e instanceof RuntimeFailure)) throw e;
      this.failed.set(part, e.message);
    }
  }

  /** Throws one failure naming every part that failed, if any did. */
  settle(): void {
    if (this.failed.size > 0) throw new RuntimeFailure(this.runtime, [...this.failed].map(([part, why]) => `${part}: ${why}`).join('; '));
  }
}
