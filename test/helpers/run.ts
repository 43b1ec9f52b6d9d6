/** A real `runbench run` started in the background, for tests that interrupt or kill it mid-run. */
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { packageRoot } from '../../core/paths.ts';

export const RUNBENCH_BIN = join(packageRoot, 'bin', 'runbench.js');

export interface BackgroundRun {
  child: ResultPromise<{ reject: false; all: true; env: Record<string, string>; detached: boolean }>;
  /** Everything the run wrote on stderr so far. */
  stderr(): string;
  /** Waits until stderr matches `sampling` (samples are being taken), then returns the run's id ('' if it never did). */
  sampling(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

export function startRun(args: string[], opts: { detached?: boolean; env?: Record<string, string> } = {}): BackgroundRun {
  const child = execa('node', [RUNBENCH_BIN, 'run', ...args], { reject: false, all: true, env: { CI: '1', ...opts.env }, detached: opts.detached ?? false });
  let text = '';
  child.stderr?.on('data', (b: Buffer) => (text += b.toString()));
  const runId = () => /runbench run ([0-9a-f]+):/.exec(text)?.[1] ?? '';
  return {
    child,
    stderr: () => text,
    async sampling(pattern, timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      while (!(runId() && pattern.test(text)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      return runId();
    },
  };
}
