/**
 * Faults injected into real runs: a runtime that crashes on its Nth call, one that hangs in
 * `create`, one that exits 0 and does nothing, runbench's own containerd killed mid-run, a
 * results directory on a full filesystem, and hand-edited results files. Each is survived:
 * one clear outcome, no partial results file, nothing left on the machine.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../core/paths.ts';
import { ResultsDocument } from '../../core/schema.ts';
import { leftovers, nothingLeft } from '../helpers/leaks.ts';
import { realRuntime } from '../helpers/real.ts';
import { needs, whyMissing } from '../helpers/require.ts';
import { lazyTempDir } from '../helpers/tmp.ts';

const runc = await realRuntime('runc');
const dir = lazyTempDir('runbench-faults-');
const BIN = join(packageRoot, 'bin', 'runbench.js');

function wrapper(name: string, body: string): string {
  const path = join(dir(), name);
  writeFileSync(path, `#!/bin/bash\n# a faulty OCI runtime for runbench's fault tests, around ${runc.runtime?.path}\nREAL=${runc.runtime?.path}\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

function runbench(args: string[]): ResultPromise<{ reject: false; all: true; env: { CI: string } }> {
  return execa('node', [BIN, ...args], { reject: false, all: true, env: { CI: '1' } });
}

const runIdOf = (stderr: string) => /runbench run ([0-9a-f]+):/.exec(stderr)?.[1] ?? '';

function results(out: string): ResultsDocument {
  return ResultsDocument.parse(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')));
}

needs('runc', runc.skip).describe('faulty runtimes', () => {
  it('a runtime that crashes on its 4th run: that sample is a failed attempt with the signal, the others are kept, exit 0, nothing is left', async () => {
    const count = join(dir(), 'calls');
    // the 4th \`run\` call: a sample of the one-shot series, after the warmup
    const crashy = wrapper(
      'crashy',
      `case " $* " in *" run "*) n=$(( $(cat ${count} 2>/dev/null || echo 0) + 1 )); echo $n > ${count}; [ "$n" -eq 4 ] && kill -SEGV $$ ;; esac\nexec "$REAL" "$@"`,
    );
    const out = join(dir(), 'out-crash');
    const r = await runbench(['run', '--layer', 'oci', '--runtime', `crashy=${crashy}`, '--suite', 'startup', '--runs', '5', '--warmup', '1', '--blocks', '1', '--out', out]);
    expect(r.exitCode, r.all).toBe(0);
    const doc = results(out);
    expect(doc.suiteRuns.find((s) => s.runtime === 'crashy' && s.suite === 'startup')?.outcome.status).toBe('passed');
    const run = doc.reliability?.series.find((s) => s.labels.runtime === 'crashy' && s.series === 'run');
    // warmup, five samples and the check; the crash is one failure, with the signal
    expect(run).toMatchObject({ attempts: 7, failures: 1, hangs: 0, outcome: { status: 'measured' } });
    // not mistaken for a runtime that fails only with its output sent to /dev/null
    expect(run?.errors[0]?.error).toMatch(/crashy run was killed by SIGSEGV.*failed once: the same operation passed right after/);
    expect(doc.measurements.find((m) => m.labels.runtime === 'crashy' && m.metric === 'run')?.samples).toHaveLength(4);
    expect(leftovers(doc.runId)).toEqual(nothingLeft);
  });

  it('a runtime that exits 1 on 2 of every 3 runs fails more than half of its samples: that series errors (exit 1), the others are measured', async () => {
    const count = join(dir(), 'calls-exit');
    const flaky = wrapper(
      'flaky',
      `case " $* " in *" run "*) n=$(( $(cat ${count} 2>/dev/null || echo 0) + 1 )); echo $n > ${count}; [ $((n % 3)) -ne 1 ] && { echo "flaky: simulated failure" >&2; exit 1; } ;; esac\nexec "$REAL" "$@"`,
    );
    const out = join(dir(), 'out-flaky');
    const r = await runbench(['run', '--layer', 'oci', '--runtime', `flaky=${flaky}`, '--suite', 'startup', '--runs', '5', '--warmup', '1', '--blocks', '1', '--out', out]);
    expect(r.exitCode, r.all).toBe(1);
    const doc = results(out);
    const startup = doc.suiteRuns.find((s) => s.runtime === 'flaky' && s.suite === 'startup');
    expect(startup?.outcome.status).toBe('errored');
    expect(startup?.outcome.reason).toMatch(/^run \(native\): stopped: 3 of \d+ attempts failed, more than half of its 5 planned samples: flaky run/);
    expect(doc.measurements.some((m) => m.labels.runtime === 'flaky' && m.metric === 'run')).toBe(false);
    // the lifecycle never calls `run`: it was measured
    expect(doc.measurements.find((m) => m.labels.runtime === 'flaky' && m.metric === 'lifecycle')?.samples).toHaveLength(5);
    expect(leftovers(doc.runId)).toEqual(nothingLeft);
  });

  it('a runtime that hangs in create is killed at the deadline; its lifecycle stops when too many hung and errors as hung, nothing is left', async () => {
    const hangs = wrapper('hangs', 'case " $* " in *" create "*) sleep 600 ;; esac\nexec "$REAL" "$@"');
    const out = join(dir(), 'out-hang');
    const t0 = Date.now();
    const r = await runbench(['run', '--layer', 'oci', '--runtime', `hangs=${hangs}`, '--suite', 'startup', '--runs', '3', '--warmup', '0', '--timeout', '2000', '--out', out]);
    expect(Date.now() - t0).toBeLessThan(90_000);
    expect(r.exitCode, r.all).toBe(1);
    const doc = results(out);
    const startup = doc.suiteRuns.find((s) => s.runtime === 'hangs');
    // no warmup and 3 samples: the second hang is more than half of them
    expect(startup?.outcome.reason).toMatch(/^lifecycle \(native\): stopped: 2 of 2 attempts failed, 2 hung, more than half of its 3 planned samples: .*'create' hung and was killed/);
    // the one-shot run never calls create: it was measured
    expect(doc.measurements.find((m) => m.labels.runtime === 'hangs' && m.metric === 'run')?.samples).toHaveLength(3);
    expect(leftovers(doc.runId)).toEqual(nothingLeft);
    expect((await execa('pgrep', ['-f', `sleep 600`], { reject: false })).stdout).toBe('');
  });

  it('a runtime that exits 0 and does nothing is not measured as fast: it errors for the missing output', async () => {
    const liar = wrapper('liar', 'case " $* " in *" --version "*) exec "$REAL" "$@" ;; esac\nexit 0');
    const out = join(dir(), 'out-liar');
    const r = await runbench(['run', '--layer', 'oci', '--runtime', `liar=${liar}`, '--suite', 'startup', '--runs', '3', '--warmup', '1', '--timeout', '5000', '--out', out]);
    expect(r.exitCode, r.all).toBe(1);
    const doc = results(out);
    const startup = doc.suiteRuns.find((s) => s.runtime === 'liar');
    expect(startup?.outcome.status).toBe('errored');
    expect(startup?.outcome.reason).toMatch(/did not print 'runbench-hello-ok'|hung|exited/);
    expect(doc.measurements.filter((m) => m.labels.runtime === 'liar' && m.metric === 'run')).toEqual([]);
    expect(leftovers(doc.runId)).toEqual(nothingLeft);
  });
});

const containerdMissing = await whyMissing('containerd');

needs(['runc', 'containerd'], runc.skip ?? containerdMissing).describe('containerd killed in the middle of a run', () => {
  it.each([
    ['while its images are imported', false],
    ['while samples are taken', true],
  ] as const)('%s: the run errors for that runtime, writes its results, and leaves no shim, mount or directory', async (_when, sampling) => {
    const out = join(dir(), `containerd-${sampling}`);
    const child = runbench(['run', '--layer', 'containerd', '--runtime', 'runc', '--suite', 'startup', '--runs', '300', '--out', out]);
    let stderr = '';
    child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
    let daemon = 0;
    const deadline = Date.now() + 90_000;
    while (!daemon && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      const runId = runIdOf(stderr);
      if (!runId || (sampling && !/containerd runc startup …/.test(stderr))) continue;
      const p = await execa('pgrep', ['-f', `containerd --config /run/runbench/${runId}/`], { reject: false });
      daemon = Number(p.stdout.split('\n')[0] ?? 0);
    }
    expect(daemon).toBeGreaterThan(0);
    if (sampling) await new Promise((r) => setTimeout(r, 1000));
    process.kill(daemon, 'SIGKILL');
    const r = await child;
    expect(
      r.exitCode,
      `${r.all}\n${existsSync(join(out, 'results.json')) ? readFileSync(join(out, 'results.json'), 'utf8').slice(0, 2500) : 'no results'}`,
    ).toBe(1);
    const doc = results(out);
    expect(doc.suiteRuns.find((s) => s.runtime === 'runc')?.outcome.status).toBe('errored');
    expect(leftovers(doc.runId)).toEqual(nothingLeft);
  });
});

const mountable = process.getuid?.() === 0;

needs('runc', runc.skip ?? (mountable ? null : 'needs root to mount a tmpfs')).describe('results directory on a full filesystem', () => {
  it('one error line, exit 1, no results file and no partial file', async () => {
    const mnt = join(dir(), 'full');
    mkdirSync(mnt, { recursive: true });
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'runbench-full', mnt]);
    try {
      await execa('dd', ['if=/dev/zero', `of=${join(mnt, 'filler')}`, 'bs=4k'], { reject: false });
      const r = await runbench(['run', '--layer', 'oci', '--runtime', 'runc', '--suite', 'startup', '--runs', '2', '--warmup', '0', '--out', mnt]);
      expect(r.exitCode, r.all).toBe(1);
      const errors = r.stderr.split('\n').filter((l) => l.startsWith('runbench:'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/cannot write .*results\.json.*no space left on the device; nothing was written/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(readdirSync(mnt)).toEqual(['filler']);
      expect(leftovers(runIdOf(r.stderr))).toEqual(nothingLeft);
    } finally {
      await execa('umount', [mnt], { reject: false });
    }
  });
});

describe('results files cut short or edited by hand', () => {
  const fixture = join(packageRoot, 'test', 'fixtures-data', 'single-host.json');
  const cases: [string, (text: string) => string, RegExp][] = [
    ['truncated', (t) => t.slice(0, Math.floor(t.length / 2)), /is not JSON/],
    [
      'a sample edited into text',
      (t) => t.replace(/"samples": \[\s*([0-9.]+)/, '"samples": ["fast"'),
      /is not a runbench results document: measurements\.\d+\.samples/,
    ],
    ['its schema version from the future', (t) => t.replace(/"schemaVersion": \d+/, '"schemaVersion": 99'), /schemaVersion|results document/],
    ['an empty file', () => '', /is not JSON/],
  ];
  it.each(cases)('%s: report and compare exit 2 with one line naming the file', async (_name, edit, why) => {
    const bad = join(dir(), `edited-${_name.replace(/\W+/g, '-')}.json`);
    writeFileSync(bad, edit(readFileSync(fixture, 'utf8')));
    const md = `${bad}.md`;
    for (const args of [
      ['report', bad, '--format', 'md', '--out', md],
      ['compare', fixture, bad],
    ]) {
      const r = await execa('node', [BIN, ...args], { reject: false });
      expect(r.exitCode, `${args[0]}: ${r.stderr}`).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(bad);
      expect(r.stderr).toMatch(why);
    }
    expect(existsSync(md)).toBe(false);
  });
});
