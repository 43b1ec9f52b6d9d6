/**
 * A layer that runs a conformance suite whole (critest at the cri layer): its verdicts become
 * rows labelled with the endpoint that served them, a session that cannot open is one errored
 * row, and runbench's own checks are not rows there. No root, no processes: the runner is fake.
 */
import { describe, expect, it } from 'vitest';
import { selectChecks } from '../../checks/index.ts';
import { conformanceMatrix } from '../../checks/render.ts';
import { runConformance } from '../../checks/run.ts';
import type { SuiteInfo, SuiteVerdicts } from '../../core/conformance.ts';
import { EventBus } from '../../core/events.ts';
import { hostFacts } from '../../core/host.ts';
import type { Runner } from '../../core/runner.ts';
import { fakeRuntime } from '../../runners/fake.ts';
import { toMarkdown } from '../../reports/markdown.ts';

const info: SuiteInfo = { id: 'cri.critest', title: 'critest runs', specRef: 'cri-tools v0 critest' };

const verdicts = (cri: string, failing: boolean): SuiteVerdicts => ({
  cri,
  verdicts: [
    { id: 'cri.runtime-info.version', area: 'Runtime info', title: 'Runtime info version', specRef: info.specRef, level: 'MUST', outcome: { status: 'passed', reason: null } },
    {
      id: 'cri.idempotence.stop-not-found',
      area: 'Idempotence',
      title: 'Idempotence StopPodSandbox not found',
      specRef: info.specRef,
      level: 'SHOULD',
      outcome: failing ? { status: 'failed', reason: 'rpc error: code = NotFound' } : { status: 'passed', reason: null },
    },
  ],
});

function suiteRunner(): Runner {
  return {
    layer: 'cri',
    description: 'fake suite layer',
    conformanceSuite: info,
    unavailable: () => null,
    async open(runtime) {
      if (runtime.name === 'broken') throw new Error('containerd would not start');
      return {
        runtime,
        layer: 'cri',
        supports: () => null,
        capabilities: { conformanceSuite: { info, run: async () => [verdicts('containerd 1.6.20', true), verdicts('containerd 1.7.24', false)] } },
        close: async () => undefined,
      };
    },
  };
}

describe('a layer that runs a conformance suite whole', () => {
  it('records its verdicts per endpoint, one errored row for a session that cannot open, and none of runbench’s checks', async () => {
    const doc = await runConformance(
      { checks: selectChecks(['process.*']), layers: ['cri'], checkTimeoutMs: 10_000 },
      { runners: { cri: suiteRunner() }, runtimes: [fakeRuntime('runc'), fakeRuntime('broken')], host: hostFacts(), events: new EventBus(), signal: new AbortController().signal },
    );
    const rows = doc.conformance.map((r) => [r.labels.runtime, r.labels.cri ?? '', r.checkId, r.outcome.status]);
    expect(rows).toEqual([
      ['runc', 'containerd 1.6.20', 'cri.runtime-info.version', 'passed'],
      ['runc', 'containerd 1.6.20', 'cri.idempotence.stop-not-found', 'failed'],
      ['runc', 'containerd 1.7.24', 'cri.runtime-info.version', 'passed'],
      ['runc', 'containerd 1.7.24', 'cri.idempotence.stop-not-found', 'passed'],
      ['broken', '', 'cri.critest', 'errored'],
    ]);
    expect(doc.conformance.find((r) => r.labels.runtime === 'broken')?.outcome.reason).toContain('containerd would not start');
    expect(doc.conformance.every((r) => r.labels.layer === 'cri')).toBe(true);
    // each CRI is a column of its own, in the terminal and in Markdown
    const matrix = conformanceMatrix(doc);
    expect(matrix).toContain('runc@cri containerd 1.6.20');
    expect(matrix).toContain('runc@cri containerd 1.7.24');
    expect(toMarkdown([doc])).toContain('runc · cri containerd 1.7.24 · ');
  });
});
