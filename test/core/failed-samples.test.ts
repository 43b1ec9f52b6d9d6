/**
 * A sample without a value (a lifecycle phase that was not observed) is a failed sample: it is
 * counted, kept out of the statistics, and a measurement with none left has no statistics. Such
 * a document is written, read back, reported, compared and checked against thresholds.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareDocuments } from '../../core/compare.ts';
import { parseConfigText, resolveConfig } from '../../core/config/index.ts';
import { runPipeline } from '../../core/pipeline.ts';
import type { ResultsDocument } from '../../core/schema.ts';
import type { Suite } from '../../core/suite.ts';
import { checkThresholds } from '../../core/thresholds.ts';
import { toHtml } from '../../reports/html.ts';
import { readResults, toJson } from '../../reports/json.ts';
import { toMarkdown } from '../../reports/markdown.ts';
import { toTable } from '../../reports/table.ts';
import { SUITES } from '../../suites/index.ts';
import { fakeDeps, smallOptions } from '../helpers/pipeline.ts';
import { lazyTempDir } from '../helpers/tmp.ts';
import { fixturePath } from '../reports/fixtures.ts';

const tmp = lazyTempDir('runbench-failed-');
beforeAll(() => {
  process.env.RUNBENCH_SCRATCH_DIR = join(tmp(), 'scratch');
});
afterAll(() => {
  delete process.env.RUNBENCH_SCRATCH_DIR;
});

/** Records one phase seen in five of six samples and one never seen, as a runner that misses an event would. */
const gappy: Suite = {
  name: 'startup',
  description: 'phases with gaps',
  needs: [],
  metrics: [],
  async run(ctx) {
    const workload = { name: 'hello', kind: 'native' as const, args: [] };
    ctx.record({ metric: 'start', unit: 'ns', workload, samples: [5, 1, Number.NaN, 3, 2, 4].map((x) => x * 1e6) });
    ctx.record({ metric: 'exit', unit: 'ns', workload, samples: [Number.NaN, Number.NaN, Number.NaN] });
  },
};

async function gappyDoc(): Promise<ResultsDocument> {
  return runPipeline({ ...smallOptions, suites: ['startup'] }, { ...fakeDeps(['crun']), suites: [gappy] });
}

describe('failed samples', () => {
  it('are counted and kept out of the statistics; a measurement with none left has no statistics', async () => {
    const doc = await gappyDoc();
    const start = doc.measurements.find((m) => m.metric === 'start');
    expect(start?.samples).toEqual([5e6, 1e6, 3e6, 2e6, 4e6]);
    expect(start?.failedSamples).toBe(1);
    expect(start?.stats?.median).toBe(3e6);
    const exit = doc.measurements.find((m) => m.metric === 'exit');
    expect(exit).toMatchObject({ samples: [], failedSamples: 3, stats: null });
  });

  it('the document is written and read back unchanged', async () => {
    const doc = await gappyDoc();
    const path = join(tmp(), 'gappy.json');
    writeFileSync(path, toJson(doc));
    expect(readResults(path)).toEqual(doc);
  });

  it('every report shows the missing phase as no value, with why', async () => {
    const doc = await gappyDoc();
    const table = toTable(doc);
    expect(table).toMatch(/crun \(native\) +no value: all 3 samples failed/);
    // five samples left: the median's interval is their range, which covers 93.75%
    expect(table).toMatch(/crun \(native\) +3\.00 ms +\[1\.00 ms … 5\.00 ms\] \(93\.8% CI\) .* n=5 \(1 failed\)/);
    expect(toMarkdown([doc])).toContain('| crun (native) | no value: all 3 samples failed | — | — | — | — | 0 (3 failed) |');
    expect(toHtml([doc])).toContain('no value: all 3 samples failed');
  });

  it('compare lists it as not compared, and compares the phase that has values', async () => {
    const doc = await gappyDoc();
    const c = compareDocuments(doc, doc, { thresholdPercent: 5, alpha: 0.05 });
    expect(c.rows.map((r) => r.metric)).toEqual(['start']);
    expect(c.notComparable).toEqual([{ key: 'oci/startup/exit crun hello (native, amd64)', reason: 'no value in either document: all 3 samples failed' }]);
  });

  it('fails every threshold on a measurement without a value, saying why', async () => {
    const doc = await gappyDoc();
    const yaml = 'thresholds:\n  metrics:\n    - { metric: startup.exit, stat: p95, max: 20ms, maxRegression: 5% }\n';
    const t = resolveConfig(parseConfigText(yaml, 't.yaml'), {}, { suites: SUITES, hostArch: 'amd64' }).config.thresholds;
    const checks = checkThresholds(doc, t, doc);
    expect(checks.map((c) => c.outcome)).toEqual([
      { status: 'failed', reason: 'startup.exit p95 for crun oci hello native has no value: all 3 samples failed' },
      { status: 'failed', reason: 'startup.exit p95 for crun oci hello native has no value: all 3 samples failed' },
    ]);
  });

  it('a document older runbench wrote with NaN samples (null in JSON) is read with them counted as failed', () => {
    const raw = JSON.parse(readFileSync(fixturePath('single-host.json'), 'utf8')) as { measurements: Record<string, unknown>[] };
    const m = raw.measurements[0]!;
    // what JSON.stringify made of NaN samples and of the statistics computed over them
    m.samples = [5, 1, null, 3, 2, 4];
    m.stats = { ...(m.stats as object), mean: null, stddev: null, median: 4, ci95Median: [null, null] };
    const broken = raw.measurements[1]!;
    broken.samples = [null, null];
    broken.stats = { ...(broken.stats as object), mean: null, median: null };
    const path = join(tmp(), 'legacy.json');
    writeFileSync(path, JSON.stringify(raw));
    const doc = readResults(path);
    expect(doc.measurements[0]).toMatchObject({ samples: [5, 1, 3, 2, 4], failedSamples: 1, stats: { median: 3, n: 5 } });
    expect(doc.measurements[1]).toMatchObject({ samples: [], failedSamples: 2, stats: null });
    expect(doc.measurements[2]?.failedSamples).toBe(0);
  });
});
