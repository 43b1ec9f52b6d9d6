/** Ctrl-C and SIGTERM in the middle of a real run: nothing left behind, no results file. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { expect, it } from 'vitest';
import { packageRoot } from '../../core/paths.ts';
import { leftovers, nothingLeft } from '../helpers/leaks.ts';
import { realRuntime } from '../helpers/real.ts';
import { needs } from '../helpers/require.ts';
import { lazyTempDir } from '../helpers/tmp.ts';

const runc = await realRuntime('runc');
const dir = lazyTempDir('runbench-int-');

needs('runc', runc.skip).describe('interrupting a real run', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s: exit %i, every container, cgroup and process removed', async (signal, code) => {
    const out = join(dir(), signal);
    const child = execa('node', [join(packageRoot, 'bin', 'runbench.js'), 'run', '--runtime', 'runc', '--runs', '500', '--out', out], {
      reject: false,
      detached: true,
      env: { CI: '1' },
      all: true,
    });
    let runId = '';
    let sampling = false;
    child.stderr?.on('data', (b: Buffer) => {
      const text = b.toString();
      runId ||= /runbench run ([0-9a-f]+):/.exec(text)?.[1] ?? '';
      if (/startup/.test(text)) sampling = true;
    });
    const deadline = Date.now() + 60_000;
    while (!(runId && sampling) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
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
