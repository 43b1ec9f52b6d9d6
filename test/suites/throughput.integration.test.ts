/** The throughput suite and churn against a real runtime: the figures are there, plausible, and nothing is left. */
import { expect, it } from 'vitest';
import { EventBus } from '../../core/events.ts';
import { hostFacts } from '../../core/host.ts';
import { runPipeline } from '../../core/pipeline.ts';
import { ResultsDocument } from '../../core/schema.ts';
import { RUNNERS } from '../../runners/index.ts';
import { SUITES } from '../../suites/index.ts';
import { leftovers, nothingLeft } from '../helpers/leaks.ts';
import { realRuntime } from '../helpers/real.ts';
import { needs } from '../helpers/require.ts';

const runc = await realRuntime('runc');

needs('runc', runc.skip).describe('throughput and churn through runc', () => {
  it('measures the cpu workload against the bare host and containers per second, in two blocks', { timeout: 300_000 }, async () => {
    const host = hostFacts();
    const doc = await runPipeline(
      { suites: ['throughput'], layers: ['oci'], runs: 4, warmup: 0, concurrency: 2, churnContainers: 6, timeoutMs: 60_000, blocks: 2 },
      {
        runners: RUNNERS,
        suites: SUITES,
        runtimes: [runc.runtime!],
        host,
        events: new EventBus(),
        signal: new AbortController().signal,
        calibrate: async () => null,
      },
    );
    expect(ResultsDocument.safeParse(doc).success).toBe(true);
    expect(doc.suiteRuns.map((r) => `${r.runtime}/${r.suite}: ${r.outcome.status}`)).toEqual(['runc/throughput: passed']);
    const m = (runtime: string, metric: string) =>
      doc.measurements.find((x) => x.labels.runtime === runtime && x.metric === metric && x.labels.workloadKind === 'native');
    const ratio = m('runc', 'cpuIntOpsRatioToHost');
    expect(ratio?.samples).toHaveLength(4);
    expect(ratio?.blocks).toEqual([0, 0, 1, 1]);
    // a native process in a container computes at about the host's rate (noise aside)
    for (const x of ratio?.samples ?? []) expect(x).toBeGreaterThan(0.2);
    expect(m('host', 'cpuIntOpsPerSec')?.samples.length).toBeGreaterThan(0);
    const churn = m('runc', 'churnContainersPerSec');
    expect(churn?.samples.length).toBe(3);
    for (const x of churn?.samples ?? []) expect(x).toBeGreaterThan(0);
    expect(churn?.notes).toMatchObject({ containers: 6, concurrency: 2 });
    expect(leftovers(doc.runId)).toEqual(nothingLeft);
  });
});
