/** Where a document came from: the command line and runbench's commit are recorded, and older documents read as "not recorded". */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../../core/pipeline.ts';
import { commandLine, currentInvocation, runbenchCommit, shellQuote } from '../../core/provenance.ts';
import { readResults, toJson } from '../../reports/json.ts';
import { fixturePath } from '../reports/fixtures.ts';
import { fakeDeps, smallOptions } from '../helpers/pipeline.ts';
import { lazyTempDir, useScratchDir } from '../helpers/tmp.ts';

useScratchDir();
const tmp = lazyTempDir('runbench-provenance-');

describe('provenance', () => {
  it('a run records the command line it was given and the commit runbench ran from', async () => {
    const invocation = { program: 'npx runbench', argv: ['run', '--runtime', 'alpha,beta', '--runs', '5'], cwd: '/srv/bench' };
    const doc = await runPipeline(smallOptions, { ...fakeDeps(['alpha', 'beta']), invocation });
    expect(doc.invocation).toEqual(invocation);
    expect(doc.tool.commit).toBe(runbenchCommit());
    // this checkout is a git work tree: the commit is a full hash, marked when the tree has changes
    expect(doc.tool.commit).toMatch(/^[0-9a-f]{40}(-dirty)?$/);
    const file = join(tmp(), 'results.json');
    writeFileSync(file, toJson(doc));
    expect(readResults(file).invocation).toEqual(invocation);
  });

  it('a run without a command line (a library call) records null, not a guess', async () => {
    const doc = await runPipeline(smallOptions, fakeDeps(['alpha']));
    expect(doc.invocation).toBeNull();
  });

  it('a document from before both were recorded reads with null for each', () => {
    const raw = JSON.parse(readFileSync(fixturePath('single-host.json'), 'utf8'));
    expect(raw.invocation).toBeUndefined();
    expect(raw.tool.commit).toBeUndefined();
    const doc = readResults(fixturePath('single-host.json'));
    expect(doc.invocation).toBeNull();
    expect(doc.tool).toEqual({ name: 'runbench', version: raw.tool.version, commit: null });
  });

  it('npx is told apart from a direct call', () => {
    expect(currentInvocation(['run'], { npm_command: 'exec' }, '/w').program).toBe('npx runbench');
    expect(currentInvocation(['run'], {}, '/w')).toEqual({ program: 'runbench', argv: ['run'], cwd: '/w' });
  });

  it('the command line pastes into a shell as it was given', () => {
    expect(commandLine({ program: 'npx runbench', argv: ['run', '--runtime', 'runc,crun', '--runs', '5'], cwd: '/' })).toBe(
      'npx runbench run --runtime runc,crun --runs 5',
    );
    expect(shellQuote('my=/opt/a b/crun')).toBe("'my=/opt/a b/crun'");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('my=/usr/bin/crun')).toBe('my=/usr/bin/crun');
  });
});
