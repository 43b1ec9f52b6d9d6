/**
 * The hang deadline with a real runtime: a runc wrapper whose every 3rd `run` creates its
 * container and then sleeps for ever. The first hang comes before the series has 3 good
 * samples and waits out `--timeout`; the later ones are killed at the 5 s floor of the hang
 * deadline, through the same path (rb-exec's deadline, then the runner's cleanup). Each is
 * counted as a hang, the good samples are kept, and nothing is left behind.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { expect, it } from 'vitest';
import { HANG_FLOOR_MS } from '../../core/hang-deadline.ts';
import { packageRoot } from '../../core/paths.ts';
import { ResultsDocument } from '../../core/schema.ts';
import { leftovers, nothingLeft } from '../helpers/leaks.ts';
import { realRuntime } from '../helpers/real.ts';
import { needs } from '../helpers/require.ts';
import { lazyTempDir } from '../helpers/tmp.ts';

const runc = await realRuntime('runc');
const dir = lazyTempDir('runbench-hang-deadline-');
const BIN = join(packageRoot, 'bin', 'runbench.js');
/** A sleep no other test runs, to find a hang left running. */
const HANG = 'sleep 608';
const TIMEOUT_MS = 20_000;

/** A runc wrapper that logs `<n> <start time, s>` for its n-th `run`, and hangs with its container created on every 3rd. */
function wrapper(): { path: string; log: string } {
  const path = join(dir(), 'hangs3');
  const count = join(dir(), 'hangs3.calls');
  const log = join(dir(), 'hangs3.log');
  writeFileSync(
    path,
    `#!/bin/bash
# an OCI runtime that hangs on every 3rd run, for runbench's tests, around ${runc.runtime?.path}
REAL=${runc.runtime?.path}
case " $* " in *" run "*)
  n=$(( $(cat ${count} 2>/dev/null || echo 0) + 1 )); echo $n > ${count}
  echo "$n $(date +%s.%N)" >> ${log}
  if [ $((n % 3)) -eq 0 ]; then
    args=(); for a in "$@"; do [ "$a" = run ] && a=create; args+=("$a"); done
    "$REAL" "\${args[@]}" >/dev/null 2>&1; exec ${HANG}
  fi ;;
esac
exec "$REAL" "$@"
`,
  );
  chmodSync(path, 0o755);
  return { path, log };
}

needs('runc', runc.skip).describe('a runtime that hangs on every 3rd run', () => {
  it('is killed at --timeout before 3 good samples, then at the hang deadline; every hang counted, nothing left', { timeout: 240_000 }, async () => {
    const w = wrapper();
    const out = join(dir(), 'out');
    const args = ['run', '--runtime', `hangs3=${w.path}`, '--suite', 'startup', '--workload-kind', 'native', '--runs', '9', '--warmup', '1', '--blocks', '1'];
    const r = await execa('node', [BIN, ...args, '--timeout', String(TIMEOUT_MS), '--out', out], { reject: false, all: true, env: { CI: '1' } });
    expect(r.exitCode, r.all).toBe(0);
    const doc = ResultsDocument.parse(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')));
    expect(doc.parameters).toMatchObject({ timeoutMs: TIMEOUT_MS, hangDeadline: { factor: 10, floorMs: HANG_FLOOR_MS, afterSuccesses: 3 } });

    // warmup c1, samples c2-c10 with c3, c6 and c9 hanging, the check c11: 6 of 9 samples kept
    const series = doc.reliability?.series.find((s) => s.labels.runtime === 'hangs3' && s.series === 'run');
    expect(series).toMatchObject({ attempts: 11, succeeded: 8, failures: 3, hangs: 3, outcome: { status: 'measured' } });
    expect(series?.errors).toEqual([{ kind: 'hung', error: "hangs3 run failed: 'run' hung and was killed", count: 3 }]);
    expect(doc.measurements.find((m) => m.labels.runtime === 'hangs3' && m.metric === 'run')?.samples).toHaveLength(6);

    // how long each hang held the series: from its start to the next run's
    const starts = new Map(
      readFileSync(w.log, 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(' ').map(Number) as [number, number]),
    );
    const held = (n: number) => ((starts.get(n + 1) ?? Number.NaN) - (starts.get(n) ?? Number.NaN)) * 1000;
    const heldMs = [3, 6, 9].map(held);
    // the first, with 2 good samples, waits out --timeout; the others end at the 5 s floor (10 × a run of well under 0.5 s)
    expect(heldMs[0]).toBeGreaterThanOrEqual(TIMEOUT_MS);
    for (const ms of heldMs.slice(1)) {
      expect(ms).toBeGreaterThanOrEqual(HANG_FLOOR_MS);
      expect(ms, `hangs held the series ${heldMs.map((x) => Math.round(x)).join(', ')} ms`).toBeLessThan(TIMEOUT_MS - 5_000);
    }

    // the hung containers, their cgroups and the sleeps are gone
    expect(leftovers(doc.runId)).toEqual(nothingLeft);
    expect((await execa('pgrep', ['-f', HANG], { reject: false })).stdout).toBe('');
  });
});
