/** A pod of a density fill that no longer idles is told apart from one that runs or is not yet seen. */
import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { podNotRunning } from '../../runners/kubernetes/density.ts';

const pod = (status: V1Pod['status']): V1Pod => ({ metadata: { name: 'p' }, status });
const running = { name: 'idle', image: 'x', imageID: '', ready: true, restartCount: 0, state: { running: { startedAt: new Date() } } };

describe('podNotRunning', () => {
  it('is null for a pod that runs, is pending, or has no status yet', () => {
    expect(podNotRunning(pod({ phase: 'Running', containerStatuses: [running] }))).toBeNull();
    expect(podNotRunning(pod({ phase: 'Pending' }))).toBeNull();
    expect(podNotRunning(pod(undefined))).toBeNull();
    expect(podNotRunning(null)).toBeNull();
  });

  it('names an ended pod, an exited container with its code and reason, and a restarted one', () => {
    expect(podNotRunning(pod({ phase: 'Failed' }))).toBe('the pod is Failed');
    expect(podNotRunning(pod({ phase: 'Running', containerStatuses: [{ ...running, state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }] }))).toBe('container idle exited 137 (OOMKilled)');
    expect(podNotRunning(pod({ phase: 'Running', containerStatuses: [{ ...running, restartCount: 2 }] }))).toBe('container idle restarted 2 times');
  });
});
