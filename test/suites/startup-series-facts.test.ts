/** The startup suite states a lifecycle's series facts once, after the last block, over every block's timed samples. */
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../../core/pipeline.ts';
import { ResultsDocument } from '../../core/schema.ts';
import { fakeDeps, smallOptions } from '../helpers/pipeline.ts';
import { useScratchDir } from '../helpers/tmp.ts';

useScratchDir();

describe('series facts of the lifecycle', () => {
  it('are recorded once per runtime and kind, counting the timed samples of all blocks and no warmup or check run', async () => {
    const deps = fakeDeps(['alpha', 'beta'], { seriesFacts: true });
    const doc = await runPipeline({ ...smallOptions, suites: ['startup'], runs: 7, warmup: 2, blocks: 3 }, deps);
    expect(ResultsDocument.safeParse(doc).success).toBe(true);
    for (const rt of ['alpha', 'beta']) {
      const facts = doc.facts.filter((f) => f.name === 'timedLifecycleSamples' && f.labels.runtime === rt);
      expect(facts.map((f) => [f.labels.workloadKind, f.value])).toEqual([['native', 7]]);
      expect(facts[0]?.suite).toBe('startup');
    }
  });

  it('are absent when the lifecycle has none', async () => {
    const doc = await runPipeline({ ...smallOptions, suites: ['startup'], runs: 3, blocks: 2 }, fakeDeps(['alpha']));
    expect(doc.facts.filter((f) => f.name === 'timedLifecycleSamples')).toEqual([]);
  });
});
