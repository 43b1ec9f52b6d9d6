/**
 * A conformance run leaves nothing behind, even against a runtime that leaks (skips delete,
 * leaves state and cgroups after a failed create): no cgroup, process, mount or scratch
 * directory of the run survives it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { selectChecks } from '../../checks/index.ts';
import { runConformance } from '../../checks/run.ts';
import { processesNaming } from '../../runners/oci/target.ts';
import { leftoverCgroups } from '../../core/cgroups.ts';
import { EventBus } from '../../core/events.ts';
import { hostFacts, isRoot } from '../../core/host.ts';
import { runScratchBase } from '../../core/paths.ts';
import { findBinary, parseRuntimeSpec, probeRuntime } from '../../core/runtimes.ts';
import { workloadBuilt } from '../../core/workloads.ts';
import { RUNNERS } from '../../runners/index.ts';
import { writeWrapper } from './wrappers.ts';
import { needs } from '../helpers/require.ts';
import { lazyTempDir } from '../helpers/tmp.ts';

const runc = findBinary('runc');
const jq = findBinary('jq');
const why = !isRoot()
  ? 'not root'
  : !runc
    ? 'runc is not installed'
    : !jq
      ? 'jq is not installed'
      : !workloadBuilt('probe', 'native', hostFacts().arch)
        ? 'the probe is not built'
        : null;
const dir = lazyTempDir('runbench-cleanup-');

needs('runc', why).describe('cleanup after a conformance run', () => {
  it('leaves no cgroup, process, mount, state or scratch directory of the run', async () => {
    const leaky = writeWrapper(dir(), 'runc-leaky', runc as string, { leaky: true });
    const runtimes = await Promise.all([probeRuntime(parseRuntimeSpec('runc')), probeRuntime(parseRuntimeSpec(`runc-leaky=${leaky}`))]);
    const doc = await runConformance(
      {
        checks: selectChecks(['lifecycle.delete', 'lifecycle.create-error', 'lifecycle.kill', 'filesystem.bind-mount', 'resources.memory']),
        layers: ['oci'],
        checkTimeoutMs: 90_000,
      },
      { runners: RUNNERS, runtimes, host: hostFacts(), events: new EventBus(), signal: new AbortController().signal },
    );
    // the leaky runtime did leak while the run lasted: the checks saw it
    expect(
      doc.conformance
        .filter((r) => r.labels.runtime === 'runc-leaky' && r.outcome.status === 'failed')
        .map((r) => r.checkId)
        .sort(),
    ).toEqual(['lifecycle.create-error', 'lifecycle.delete']);
    expect(doc.conformance.filter((r) => r.labels.runtime === 'runc').every((r) => r.outcome.status === 'passed')).toBe(true);
    // ...and after it nothing of the run is left
    const runId = doc.runId;
    expect(leftoverCgroups(`runbench-${runId}`)).toEqual([]);
    expect(processesNaming(`rb-${runId}-`)).toEqual([]);
    expect(existsSync(join(runScratchBase(), runId))).toBe(false);
    expect(
      readFileSync('/proc/self/mountinfo', 'utf8')
        .split('\n')
        .filter((l) => l.includes(runId)),
    ).toEqual([]);
  });
});
