/**
 * A real runtime that fails or hangs on a fraction of its calls, as youki 0.7's `run` does:
 * wrappers around runc, one hanging every 4th `run` with its container created and never
 * started, one exiting 1 on every 5th. The run keeps the samples that succeeded, reports each
 * series' and runtime's failure rate with its interval, removes the hung containers and their
 * cgroups, and exits 0; only a maxFailureRate in the config makes it exit 3.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { expect, it } from 'vitest';
import { packageRoot } from '../../core/paths.ts';
import { minimumGood } from '../../core/reliability.ts';
import { ResultsDocument } from '../../core/schema.ts';
import { leftovers, nothingLeft } from '../helpers/leaks.ts';
import { realRuntime } from '../helpers/real.ts';
import { needs } from '../helpers/require.ts';
import { lazyTempDir } from '../helpers/tmp.ts';

const runc = await realRuntime('runc');
const dir = lazyTempDir('runbench-flaky-');
const BIN = join(packageRoot, 'bin', 'runbench.js');
/** A sleep no other test runs, to find a hang left running. */
const HANG = 'sleep 607';

/**
 * A runc wrapper whose n-th `run` (counted in a file) does `action` when `when` holds for n.
 * Each `run` first logs what is left of earlier containers: the state entries under its
 * --root and the run's container cgroups (`<n> <entries> <cgroups>`), which must be none.
 */
function wrapper(name: string, when: string, action: string): { path: string; log: string } {
  const path = join(dir(), name);
  const count = join(dir(), `${name}.calls`);
  const log = join(dir(), `${name}.log`);
  writeFileSync(
    path,
    `#!/bin/bash
# a flaky OCI runtime for runbench's tests, around ${runc.runtime?.path}
REAL=${runc.runtime?.path}
case " $* " in *" run "*)
  n=$(( $(cat ${count} 2>/dev/null || echo 0) + 1 )); echo $n > ${count}
  root=; prev=; for a in "$@"; do [ "$prev" = --root ] && root=$a; prev=$a; done
  id=\${@: -1}; run=\${id:3:14}
  echo "$n $(ls "$root" | wc -l) $(ls -d /sys/fs/cgroup/*/runbench-$run/*/rb-* 2>/dev/null | wc -l)" >> ${log}
  if ${when}; then ${action}; fi ;;
esac
exec "$REAL" "$@"
`,
  );
  chmodSync(path, 0o755);
  return { path, log };
}

/** `run` becomes `create`, so the container and its cgroup exist, and then the runtime hangs. */
const hangWithContainer = `args=(); for a in "$@"; do [ "$a" = run ] && a=create; args+=("$a"); done; "$REAL" "\${args[@]}" >/dev/null 2>&1; exec ${HANG}`;

function runbench(args: string[]) {
  return execa('node', [BIN, ...args], { reject: false, all: true, env: { CI: '1' } });
}

function results(out: string): ResultsDocument {
  return ResultsDocument.parse(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')));
}

needs('runc', runc.skip).describe('a runtime that fails or hangs on some of its calls', () => {
  const runs = 8;
  const common = ['--layer', 'oci', '--suite', 'startup', '--runs', String(runs), '--warmup', '1', '--blocks', '1', '--timeout', '3000'];

  it('is measured from the samples that succeeded, with its failure rate; its hung containers are removed; exit 0', { timeout: 240_000 }, async () => {
    const hangs = wrapper('hangs', '[ $((n % 4)) -eq 0 ]', hangWithContainer);
    const fails = wrapper('fails', '[ $((n % 5)) -eq 0 ]', 'echo "fails: simulated failure" >&2; exit 1');
    const out = join(dir(), 'out');
    const r = await runbench(['run', '--runtime', `hangs=${hangs.path},fails=${fails.path}`, ...common, '--out', out]);
    expect(r.exitCode, r.all).toBe(0);
    const doc = results(out);
    expect(doc.suiteRuns.map((s) => `${s.runtime}: ${s.outcome.status}`)).toEqual(['hangs: passed', 'fails: passed']);
    const series = (rt: string) => doc.reliability?.series.find((s) => s.labels.runtime === rt && s.series === 'run');
    const kept = (rt: string) => doc.measurements.find((m) => m.labels.runtime === rt && m.metric === 'run')?.samples.length ?? 0;

    // warmup c1, samples c2-c9 with c4 and c8 hanging, check c10: 6 of 8 samples kept
    expect(series('hangs')).toMatchObject({ attempts: 10, succeeded: 8, failures: 2, hangs: 2, outcome: { status: 'measured' } });
    expect(series('hangs')?.errors).toEqual([{ kind: 'hung', error: "hangs run failed: 'run' hung and was killed", count: 2 }]);
    expect(kept('hangs')).toBe(runs - 2);
    // every 5th call exits 1: fewer samples, but at least half of them
    const f = series('fails');
    expect(f?.failures).toBeGreaterThan(0);
    expect(f?.hangs).toBe(0);
    expect(f?.errors[0]).toMatchObject({ kind: 'failed' });
    expect(kept('fails')).toBeLessThan(runs);
    expect(kept('fails')).toBeGreaterThanOrEqual(minimumGood(runs));
    // the lifecycle never calls `run`: no failure there
    expect(doc.reliability?.series.find((s) => s.labels.runtime === 'hangs' && s.series === 'lifecycle')?.failures).toBe(0);

    // each runtime's failure rate with its interval, in the terminal and in reliability.csv
    const config = doc.reliability?.configurations.find((c) => c.labels.runtime === 'hangs');
    expect(config?.failures).toBe(2);
    expect(config?.failureRateCi95?.[0]).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/reliability \(failed or hung attempts.*\n.*hangs \(native\) +2 of \d+ failed, 2 hung +\d+(\.\d)?% \[\d/);
    expect(r.stderr).toMatch(/hangs startup run \(hello\): an attempt hung, the series goes on without it/);
    const csv = readFileSync(join(out, 'reliability.csv'), 'utf8');
    expect(csv).toMatch(/^runId,host,arch,emulated,layer,runtime,runtimeVersion,suite,series,/);
    expect(csv).toMatch(/,hangs,[^,\n]*,startup,run,hello,native,8,10,8,2,2,0\.2,/);

    // the hung runs' containers (created, never started) and their cgroups were gone before the next
    // sample began, and nothing is left now, nor the hang
    const log = readFileSync(hangs.log, 'utf8').trim().split('\n');
    expect(log).toHaveLength(10);
    expect(log.filter((l) => !/^\d+ 0 0$/.test(l))).toEqual([]);
    expect(leftovers(doc.runId)).toEqual(nothingLeft);
    expect((await execa('pgrep', ['-f', HANG], { reject: false })).stdout).toBe('');
  });

  it('a maxFailureRate in the config makes the same failures exit 3, with the breach said', { timeout: 120_000 }, async () => {
    const hangs = wrapper('hangs-limited', '[ $((n % 4)) -eq 0 ]', hangWithContainer);
    const config = join(dir(), 'limited.yaml');
    writeFileSync(config, 'thresholds:\n  maxFailureRate: 0%\n');
    const out = join(dir(), 'out-limited');
    const r = await runbench(['run', '--config', config, '--runtime', `hangs-limited=${hangs.path}`, ...common, '--out', out]);
    expect(r.exitCode, r.all).toBe(3);
    expect(r.stderr).toMatch(/threshold breached: hangs-limited oci native: 2 of \d+ attempts failed \(2 hung\), .*: the failure rate is above the 0% allowed/);
    const doc = results(out);
    expect(doc.thresholds).toEqual([expect.objectContaining({ kind: 'reliability', threshold: 'failure rate <= 0%', outcome: expect.objectContaining({ status: 'failed' }) })]);
    expect(leftovers(doc.runId)).toEqual(nothingLeft);
  });
});
