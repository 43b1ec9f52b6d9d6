/**
 * RUNBENCH_REQUIRE: what CI's set-up tier must have installed. Each name listed must be usable
 * here, and a test gated on required things fails with its reason instead of skipping.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../core/paths.ts';
import { isRequired, REQUIRABLE, requiredNames, whyMissing } from '../helpers/require.ts';
import { lazyTempDir } from '../helpers/tmp.ts';

const tmp = lazyTempDir('runbench-require-');
const required = requiredNames();

describe('RUNBENCH_REQUIRE', () => {
  it('lists names, each required alone or with others', () => {
    expect(requiredNames(' runc, crun,,runc ')).toEqual(['runc', 'crun']);
    expect(isRequired('runc', 'runc,crun')).toBe(true);
    expect(isRequired(['runc', 'containerd'], 'runc,crun')).toBe(false);
    expect(isRequired(['runc', 'containerd'], 'runc,containerd,crun')).toBe(true);
    expect(isRequired('runc', '')).toBe(false);
    expect(isRequired([], 'runc')).toBe(false);
  });

  it.each(required.length > 0 ? required : ['(none listed)'])('%s is known and usable here', async (name) => {
    if (required.length === 0) return;
    expect(Object.keys(REQUIRABLE), `RUNBENCH_REQUIRE names ${name}`).toContain(name);
    expect(await whyMissing(name), `${name} is required (RUNBENCH_REQUIRE=${process.env.RUNBENCH_REQUIRE})`).toBeNull();
  });

  it('turns the skip of a required thing into a failure with the reason, and counts it', () => {
    const dir = join(tmp(), 'gate');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'vitest.config.mjs'), "export default { test: { include: ['*.test.ts'], globals: true } };\n");
    writeFileSync(
      join(dir, 'gate.test.ts'),
      `import { needs } from ${JSON.stringify(join(packageRoot, 'test/helpers/require.ts'))};
needs('crun', 'crun 1.8.1 refuses to start containers (hybrid cgroups)').describe('crun through the OCI CLI', () => {
  it('runs hello', () => {});
  it('times the lifecycle', () => {});
});
needs(['runc', 'cluster'], 'no cluster').describe('runc behind a RuntimeClass', () => { it('runs a pod', () => {}); });
needs('crun', 'the probe is not built').it('one test', () => {});
needs('runc', null).it('runs where nothing is missing', () => {});
`,
    );
    const run = (require: string) => {
      const report = join(dir, `report-${require || 'none'}.json`);
      const env: NodeJS.ProcessEnv = { ...process.env, RUNBENCH_REQUIRE: require, NO_COLOR: '1' };
      for (const k of Object.keys(env)) if (k.startsWith('VITEST') || k === 'NODE_OPTIONS' || k === 'TEST') delete env[k];
      const v = spawnSync(
        process.execPath,
        [
          join(packageRoot, 'node_modules/vitest/vitest.mjs'),
          'run',
          '--config',
          'vitest.config.mjs',
          '--reporter=default',
          '--reporter=json',
          `--outputFile.json=${report}`,
        ],
        { cwd: dir, env, encoding: 'utf8', timeout: 60_000 },
      );
      const log = join(dir, 'vitest.log');
      writeFileSync(log, `${v.stdout}${v.stderr}`);
      const c = spawnSync(process.execPath, [join(packageRoot, '.ci/count.mjs'), report, log, String(v.status)], { cwd: dir, encoding: 'utf8' });
      return { vitest: v.status, count: c.status, out: c.stdout, log: `${v.stdout}${v.stderr}` };
    };

    const free = run('');
    expect(free.vitest, free.log).toBe(0);
    expect(free.out).toMatch(/1 passed, 0 failed, 4 skipped\n$/);
    expect(free.out).toContain('2  crun 1.8.1 refuses to start containers (hybrid cgroups)');
    expect(free.out).toContain('1  no cluster');
    expect(free.out).toContain('1  the probe is not built');

    const ci = run('runc,crun,containerd');
    expect(ci.vitest).not.toBe(0);
    expect(ci.count).toBe(1);
    // crun's suite fails once with the reason, the test gated on crun fails; the cluster (not required) still skips
    expect(ci.out).toMatch(/1 passed, 2 failed, 1 skipped\n$/);
    expect(ci.out).toContain('crun through the OCI CLI has what it needs: Error: RUNBENCH_REQUIRE lists crun, but this cannot run here: crun 1.8.1 refuses');
    expect(ci.out).toContain('one test: Error: RUNBENCH_REQUIRE lists crun, but this cannot run here: the probe is not built');
    expect(ci.out).toContain('1  no cluster');
  });
});
