/** Temporary directories for a test file, removed after its tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

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
