/** runbench calibrate on a real runtime, and compare adding the run-to-run spread it stores to its test's error. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { floorOf, learnNoiseFloor, NoiseFloor } from '../../core/noise-floor.ts';
import { packageRoot } from '../../core/paths.ts';
import { computeStats } from '../../core/stats.ts';
import { toJson } from '../../reports/json.ts';
import { realRuntime } from '../helpers/real.ts';
import { needs } from '../helpers/require.ts';
import { loadFixture } from '../reports/fixtures.ts';

const bin = join(packageRoot, 'bin', 'runbench.js');
const dir = mkdtempSync(join(tmpdir(), 'runbench-calibrate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const runbench = (...args: string[]) => execa('node', [bin, ...args], { reject: false, cwd: dir, env: { CI: '1' } });

describe('the noise floor', () => {
  it('is the spread of the runs\' levels less what their blocks explain', () => {
    // one block a run: nothing to subtract; logs of 100, 110, 105: s = 0.0476
    const one = floorOf([[[100]], [[110]], [[105]]]);
    expect(one?.runSpreadLog).toBeCloseTo(0.0476, 3);
    expect(one?.df).toBe(2);
    // runs whose levels differ no more than their blocks predict have no run-level part
    const blocksOnly = floorOf([
      [[90], [110]],
      [[110], [90]],
      [[100], [100]],
    ]);
    expect(blocksOnly?.runSpreadLog).toBe(0);
    expect(blocksOnly?.spreadPercent).toBeLessThan(1);
    // runs 1.0 and 1.3 apart with blocks within 2%: nearly all of the spread is the runs'
    const shifted = floorOf([
      [[100], [102], [98]],
      [[130], [132], [128]],
    ]);
    expect(shifted?.runSpreadLog).toBeGreaterThan(0.17);
    expect((shifted?.runSpreadLog ?? 0) * 100).toBeLessThan(shifted?.spreadPercent ?? 0);
    expect(floorOf([[[100]]])).toBeNull();
    expect(floorOf([[[0]], [[3]]])).toBeNull();
  });

  it('covers only the measurements every run has', () => {
    const a = loadFixture('single-host.json');
    const b = structuredClone(a);
    b.measurements = b.measurements.slice(1);
    const floor = learnNoiseFloor([a, b]);
    expect(floor.entries).toHaveLength(a.measurements.filter((m) => m.samples.length > 0).length - 1);
    expect(NoiseFloor.safeParse(floor).success).toBe(true);
  });
});

describe('compare with several base runs and a noise floor', () => {
  // sampled in three blocks of two, so the block test (the one a floor widens) judges every row
  const doc = loadFixture('single-host.json');
  for (const m of doc.measurements) m.blocks = m.samples.map((_, i) => i % 3);
  const base = join(dir, 'blocked.json');
  writeFileSync(base, toJson(doc));
  const slower = structuredClone(doc);
  const target = slower.measurements.find((m) => m.metric === 'lifecycle' && m.labels.runtime === 'runc');
  if (!target) throw new Error('fixture has no runc lifecycle');
  target.samples = target.samples.map((x) => x * 1.25);
  target.stats = computeStats(target.samples);
  const head = join(dir, 'slower.json');
  writeFileSync(head, toJson(slower));
  const floorFile = (hostname: string, percent: number) => {
    const f = learnNoiseFloor([doc, doc]);
    f.host.hostname = hostname;
    for (const e of f.entries) e.runSpreadLog = Math.log1p(percent / 100);
    const p = join(dir, `floor-${hostname}-${percent}.json`);
    writeFileSync(p, JSON.stringify(f));
    return p;
  };

  it('pools the base runs given before the head', async () => {
    const r = await runbench('compare', base, base, head, '--json');
    expect(r.exitCode).toBe(3);
    expect((JSON.parse(r.stdout) as { baseRuns: number }).baseRuns).toBe(2);
  });

  it("adds the floor's run-to-run spread to the test: a 25% change on a host whose runs move by 30% is no regression", async () => {
    const r = await runbench('compare', base, head, '--noise-floor', floorFile(doc.host.hostname, 30), '--json');
    expect(r.exitCode).toBe(0);
    const c = JSON.parse(r.stdout) as { rows: { metric: string; runtime: string; thresholdPercent: number; runVariance: number | null; verdict: string }[] };
    const row = c.rows.find((x) => x.metric === 'lifecycle' && x.runtime === 'runc');
    expect(row?.thresholdPercent).toBe(5);
    expect(row?.verdict).toBe('inconclusive');
    expect(row?.runVariance ?? 0).toBeGreaterThan(0);
    expect(r.stderr).toContain(`${doc.host.hostname}'s run-to-run spread`);
    const explicit = await runbench('compare', base, head, '--noise-floor', floorFile(doc.host.hostname, 30), '--no-noise-floor');
    expect(explicit.exitCode).toBe(3);
  });

  it("refuses another host's floor with one line and exit 2", async () => {
    const r = await runbench('compare', base, head, '--noise-floor', floorFile('elsewhere', 30));
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('is the noise floor of elsewhere');
  });

  it('refuses a file that is not a noise floor', async () => {
    const p = join(dir, 'bogus-floor.json');
    writeFileSync(p, '{"kind":"something else"}');
    const r = await runbench('compare', base, head, '--noise-floor', p);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/is not a runbench noise floor: kind/);
  });

  it('compare needs two files', async () => {
    const r = await runbench('compare', base);
    expect(r.exitCode).toBe(2);
  });
});

const runc = await realRuntime('runc');
needs('runc', runc.skip).describe('runbench calibrate with runc', () => {
  it('runs the matrix twice, stores the floor of every measurement, and reports the A/A pairs', async () => {
    const floor = join(dir, 'floor.json');
    const r = await runbench(
      'calibrate', '--runtime', 'runc', '--suite', 'startup', '--workload-kind', 'native',
      '--runs', '6', '--warmup', '1', '--blocks', '2', '--repeats', '2', '--floor', floor, '--out', join(dir, 'cal'),
    );
    expect(r.exitCode, r.stderr).toBe(0);
    expect(existsSync(join(dir, 'cal', 'run-1', 'results.json'))).toBe(true);
    expect(existsSync(join(dir, 'cal', 'run-2', 'results.json'))).toBe(true);
    const f = NoiseFloor.parse(JSON.parse(readFileSync(floor, 'utf8')));
    expect(f.runs).toHaveLength(2);
    expect(f.entries.length).toBeGreaterThan(0);
    for (const e of f.entries) {
      expect(e.key.runtime).toBe('runc');
      expect(e.medians).toHaveLength(2);
      expect(e.df).toBe(1);
      expect(e.runSpreadLog).toBeGreaterThanOrEqual(0);
    }
    expect(r.stderr).toMatch(/run 1 → run 2: \d+ of \d+ rows flagged without the floor, \d+ with it/);
  }, 240_000);
});
