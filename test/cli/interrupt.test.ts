/** Ctrl-C and SIGTERM in the middle of a real run: nothing left behind, no results file. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { leftovers, nothingLeft } from '../helpers/leaks.ts';
import { realRuntime } from '../helpers/real.ts';
import { needs } from '../helpers/require.ts';
import { startRun } from '../helpers/run.ts';
import { lazyTempDir } from '../helpers/tmp.ts';

const runc = await realRuntime('runc');
const dir = lazyTempDir('runbench-int-');

needs('runc', runc.skip).describe('interrupting a real run', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s: exit %i, every container, cgroup and process removed', async (signal, code) => {
    const out = join(dir(), signal);
    const run = startRun(['--runtime', 'runc', '--runs', '500', '--out', out], { detached: true });
    const child = run.child;
    const runId = await run.sampling(/startup/, 60_000);
    expect(runId).not.toBe('');
    // containers are being created right now
    await new Promise((r) => setTimeout(r, 1500));
    // a terminal sends the signal to the whole foreground process group
    process.kill(-(child.pid as number), signal);
    const r = await child;
    expect(r.exitCode, r.all).toBe(code);
    expect(r.stderr).toContain('no results were written');
    expect(existsSync(join(out, 'results.json'))).toBe(false);
    expect(leftovers(runId)).toEqual(nothingLeft);
  });
});
