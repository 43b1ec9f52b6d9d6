/** Temporary directories for a test file, removed after its tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

/**
 * A directory made on first use and removed after the file's tests. Made lazily because a
 * file whose tests all skip runs none of its hooks: a directory made at load would stay.
 */
export function lazyTempDir(prefix: string): () => string {
  let dir: string | null = null;
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return () => (dir ??= mkdtempSync(join(tmpdir(), prefix)));
}

/** Runs of this file's tests put their scratch directories (and markers) in a temporary directory of their own. */
export function useScratchDir(): void {
  let scratch = '';
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'runbench-test-'));
    process.env.RUNBENCH_SCRATCH_DIR = scratch;
  });
  afterAll(() => {
    delete process.env.RUNBENCH_SCRATCH_DIR;
    rmSync(scratch, { recursive: true, force: true });
  });
}
