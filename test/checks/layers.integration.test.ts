/**
 * The same checks through containerd and through a Kubernetes RuntimeClass, with real runc:
 * probe checks pass, lifecycle checks (the CLI's) skip with their reason, and at the
 * kubernetes layer what a pod cannot ask for skips with that reason.
 */
import { expect, it } from 'vitest';
import { selectChecks } from '../../checks/index.ts';
import { runConformance } from '../../checks/run.ts';
import { EventBus } from '../../core/events.ts';
import { hostFacts } from '../../core/host.ts';
import type { ConformanceResult, Layer } from '../../core/schema.ts';
import { RUNNERS } from '../../runners/index.ts';
import { localClusterWhy } from '../helpers/cluster.ts';
import { realRuntime } from '../helpers/real.ts';
import { needs } from '../helpers/require.ts';

const host = hostFacts();
const runc = await realRuntime('runc');
const IDS = [
  'process.env',
  'process.user',
  'process.rlimits',
  'filesystem.bind-mount',
  'resources.memory',
  'resources.pids',
  'lifecycle.status',
  'lifecycle.exit-code',
];

async function check(layer: Layer): Promise<Map<string, ConformanceResult>> {
  const doc = await runConformance(
    { checks: selectChecks(IDS), layers: [layer], checkTimeoutMs: 180_000 },
    { runners: RUNNERS, runtimes: [runc.runtime!], host, events: new EventBus(), signal: new AbortController().signal },
  );
  for (const r of doc.conformance) expect(r.labels.layer).toBe(layer);
  return new Map(doc.conformance.map((r) => [r.checkId, r]));
}

const containerdWhy = runc.skip ?? RUNNERS.containerd?.unavailable(host) ?? null;
needs(['runc', 'containerd'], containerdWhy).describe('conformance through containerd', () => {
  it('runs the probe checks behind the runc shim and skips the CLI lifecycle checks with the reason', async () => {
    const r = await check('containerd');
    for (const id of ['process.env', 'process.user', 'process.rlimits', 'filesystem.bind-mount', 'resources.memory', 'resources.pids', 'lifecycle.exit-code']) {
      expect(r.get(id)?.outcome.status, `${id}: ${r.get(id)?.outcome.reason}`).toBe('passed');
    }
    expect(r.get('lifecycle.status')?.outcome).toEqual({ status: 'skipped', reason: 'applies at the oci layer, not containerd' });
  }, 300_000);
});

const kubeWhy = runc.skip ?? (await localClusterWhy());
needs(['runc', 'cluster'], kubeWhy).describe('conformance through a Kubernetes RuntimeClass', () => {
  it('judges a pod against the spec the CRI generated, and skips what a pod cannot ask for', async () => {
    const r = await check('kubernetes');
    for (const id of ['process.env', 'process.user', 'filesystem.bind-mount', 'resources.memory', 'lifecycle.exit-code']) {
      expect(r.get(id)?.outcome.status, `${id}: ${r.get(id)?.outcome.reason}`).toBe('passed');
    }
    expect(r.get('process.rlimits')?.outcome.reason).toMatch(/a pod cannot ask for rlimits/);
    expect(r.get('resources.pids')?.outcome.reason).toMatch(/pids limit/);
    expect(r.get('lifecycle.status')?.outcome.status).toBe('skipped');
  }, 600_000);
});
