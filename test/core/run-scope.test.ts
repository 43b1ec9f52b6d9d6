/**
 * A run's scratch directory: traversable but not listable by others, since a container in
 * a user namespace is set up by its mapped root, which must reach a rootfs under it.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRunScope } from '../../core/run-scope.ts';

describe('openRunScope', () => {
  let base = '';
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env.RUNBENCH_SCRATCH_DIR;
    base = mkdtempSync(join(tmpdir(), 'rb-scope-'));
    process.env.RUNBENCH_SCRATCH_DIR = base;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.RUNBENCH_SCRATCH_DIR;
    else process.env.RUNBENCH_SCRATCH_DIR = saved;
    rmSync(base, { recursive: true, force: true });
  });

  it('makes the work directory 0711 and removes it when the scope closes', async () => {
    const run = openRunScope('test');
    expect(run.workDir.startsWith(`${base}/`)).toBe(true);
    expect(statSync(run.workDir).mode & 0o777).toBe(0o711);
    await run.scope.close();
    expect(existsSync(run.workDir)).toBe(false);
  });

  it('leaves the mode of a base named by RUNBENCH_SCRATCH_DIR alone', async () => {
    const before = statSync(base).mode & 0o777;
    const run = openRunScope('test');
    expect(statSync(base).mode & 0o777).toBe(before);
    await run.scope.close();
  });
});
