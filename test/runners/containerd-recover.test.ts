/** What `runbench clean` removes of a dead run's containerd state outside its scratch directory. */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recoverContainerd } from '../../runners/containerd/recover.ts';
import { RUNWASI_STATE_ROOT } from '../../runners/containerd/shim.ts';

const engineDir = join(RUNWASI_STATE_ROOT, `rb-test-${process.pid}`);
// runbench runs as root, and so do its tests: containerd's root is root's
describe('recoverContainerd: runwasi state', () => {
  afterAll(() => rmSync(engineDir, { recursive: true, force: true }));

  it("removes the run's runwasi namespace directory and nothing the ledger names outside that shape", async () => {
    const ours = join(engineDir, 'runbench-20261129aaaaaa-wasmtime-shim');
    const other = join(engineDir, 'k8s.io');
    for (const d of [join(ours, 'leftover-container'), other]) mkdirSync(d, { recursive: true });
    const entry = (path: string) => ({ layer: 'containerd', kind: 'shim-state', value: { path } });
    const removed = await recoverContainerd([entry(ours), entry(other), entry(`${engineDir}/runbench-x/../k8s.io`), entry('/tmp/runbench-y')]);
    expect(removed).toEqual([`runwasi state ${ours}`]);
    expect(existsSync(ours)).toBe(false);
    expect(existsSync(other)).toBe(true);
  });
});
