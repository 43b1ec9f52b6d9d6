/**
 * A suite measures several independent things. When one of them fails for a runtime
 * (youki's foreground `run` hanging, say), the others are still measured; the suite
 * then ends errored, naming every part that failed.
 */
import { RuntimeFailure } from '../core/errors.ts';

export class PartialFailures {
  private readonly failures: string[] = [];

  constructor(private readonly runtime: string) {}

  /** Runs one part; a runtime's failure is kept for the end, anything else propagates. */
  async attempt(part: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      if (!(e instanceof RuntimeFailure)) throw e;
      this.failures.push(`${part}: ${e.message}`);
    }
  }

  /** Throws one failure naming every part that failed, if any did. */
  settle(): void {
    if (this.failures.length > 0) throw new RuntimeFailure(this.runtime, this.failures.join('; '));
  }
}
