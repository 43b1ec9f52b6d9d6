/**
 * A runtime that fails only when its stdout is /dev/null (youki 0.7 does): the OCI runner
 * measures it again with its output captured, says so once, and captures from then on.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { sweepCgroups } from '../../core/cgroups.ts';
import { EventBus } from '../../core/events.ts';
import { hostFacts } from '../../core/host.ts';
import { parseRuntimeSpec, probeRuntime } from '../../core/runtimes.ts';
import { Scope } from '../../core/scope.ts';
import { OciSession } from '../../runners/oci/index.ts';
import { leftovers, nothingLeft } from '../helpers/leaks.ts';
import { realRuntime } from '../helpers/real.ts';
import { needs } from '../helpers/require.ts';
import { lazyTempDir } from '../helpers/tmp.ts';

const runc = await realRuntime('runc');
const dir = lazyTempDir('runbench-discard-');

needs('runc', runc.skip).describe('a runtime that fails with its output discarded', () => {
  it('is measured with its output captured, and the run says so', async () => {
    const wrapper = join(dir(), 'runc-no-devnull');
    writeFileSync(
      wrapper,
      `#!/bin/bash\nfor a in "$@"; do case "$a" in run|create) [ "$(readlink /proc/$$/fd/1)" = /dev/null ] && { echo "stdout is /dev/null" >&2; exit 1; } ;; esac; done\nexec ${runc.runtime!.path} "$@"\n`,
    );
    chmodSync(wrapper, 0o755);
    const runtime = await probeRuntime(parseRuntimeSpec(`runc-no-devnull=${wrapper}`));
    const host = hostFacts();
    const scope = new Scope('test');
    const events = new EventBus();
    const warnings: string[] = [];
    events.on('log', (e) => {
      if (e.level === 'warn') warnings.push(e.message);
    });
    const runId = `20000101${Math.floor(Math.random() * 0xffffff)
      .toString(16)
      .padStart(6, '0')}`;
    const session = new OciSession(runtime, { runId, host, arch: host.arch, scope, events, workDir: join(dir(), runId) });
    try {
      const hello = { workload: { name: 'hello', kind: 'native' as const, args: [] }, timeoutMs: 60_000, discardOutput: true };
      const life = await session.lifecycle(hello);
      expect(life.exitCode).toBe(0);
      expect(life.outputDiscarded).toBeUndefined();
      expect(life.stdout).toContain('runbench-hello-ok');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/fails with its output sent to \/dev\/null .* its samples capture output to a file/);
      // from now on captured at once, without a second warning
      const run = await session.runOnce(hello);
      expect(run.exitCode).toBe(0);
      expect(run.outputDiscarded).toBeUndefined();
      expect(warnings).toHaveLength(1);
    } finally {
      await scope.close();
      await sweepCgroups(`runbench-${runId}`);
    }
    expect(leftovers(runId)).toEqual(nothingLeft);
  });
});
