/** The kubernetes layer's pure parts: pod manifests, watch-observed milestones, handlers, summary parsing, flags. */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { EventBus } from '../../core/events.ts';
import { hostFacts } from '../../core/host.ts';
import { KNOWN_RUNTIMES, kindUnsupported, runtimeClassInfo } from '../../core/runtimes.ts';
import { wasmWay } from '../../core/wasm-ways.ts';
import type { RuntimeInfo } from '../../core/schema.ts';
import { runtimeInfo } from '../helpers/runtime.ts';
import { Scope } from '../../core/scope.ts';
import type { KubeClient } from '../../runners/kubernetes/client.ts';
import { chooseKubeconfig, LOCAL_CLUSTER_KUBECONFIG } from '../../runners/kubernetes/client.ts';
import { nodeArchs, nodeFacts } from '../../runners/kubernetes/cluster.ts';
import { podMemory, type Summary } from '../../runners/kubernetes/memory.ts';
import { parseByteSize } from '../../runners/kubernetes/index.ts';
import { observe, phaseDurations, podManifest, startupLatencyNs, stuckReason, termination, type PodTimeline } from '../../runners/kubernetes/pods.ts';
import { handlerFor, KubernetesSession, wasmPodAnnotations } from '../../runners/kubernetes/index.ts';

const rt = (over: Partial<RuntimeInfo>): RuntimeInfo => runtimeInfo({ name: 'crun', path: '/usr/bin/crun', version: '1.8.1', ...over });

const VIA = KNOWN_RUNTIMES.find((r) => r.name === 'runc/wasmtime-in-image')?.wasmVia as NonNullable<RuntimeInfo['wasmVia']>;

const pod = (status: V1Pod['status'], nodeName?: string): V1Pod => ({
  metadata: { name: 'p' },
  spec: { containers: [{ name: 'workload' }], ...(nodeName ? { nodeName } : {}) },
  status,
});

describe('podManifest', () => {
  it('pins the arch, names the RuntimeClass, runs once without a token, and limits memory only when asked', () => {
    const base = {
      name: 'crun-amd64-hello-1',
      namespace: 'runbench-x',
      runId: 'x',
      session: 'crun-amd64',
      runtimeClassName: 'runbench-crun',
      arch: 'arm64',
      image: 'docker.io/runbench/native:latest',
      command: ['/bin/hello'],
      args: [],
      annotations: {},
      imagePullPolicy: 'Never' as const,
    };
    const p = podManifest(base);
    expect(p.spec?.runtimeClassName).toBe('runbench-crun');
    expect(p.spec?.nodeSelector).toEqual({ 'kubernetes.io/arch': 'arm64' });
    expect(p.spec?.restartPolicy).toBe('Never');
    expect(p.spec?.automountServiceAccountToken).toBe(false);
    expect(p.metadata?.annotations).toBeUndefined();
    expect(p.spec?.containers[0]?.resources).toBeUndefined();
    const limited = podManifest({ ...base, memoryLimitBytes: 32 * 1024 * 1024, annotations: { 'run.oci.handler': 'wasm' } });
    expect(limited.spec?.containers[0]?.resources?.limits).toEqual({ memory: String(32 * 1024 * 1024) });
    expect(limited.metadata?.annotations).toEqual({ 'run.oci.handler': 'wasm' });
  });
});

describe('observe: milestones from watch events', () => {
  it('stamps each milestone at the first event that shows it, and the SLI ends at all containers started', () => {
    const t: PodTimeline = { createdNs: 1000n };
    observe(t, pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] }, 'n1'), 1100n);
    observe(
      t,
      pod({
        phase: 'Pending',
        conditions: [
          { type: 'PodScheduled', status: 'True' },
          { type: 'PodReadyToStartContainers', status: 'True' },
        ],
      }),
      1500n,
    );
    observe(
      t,
      pod({
        phase: 'Running',
        conditions: [{ type: 'PodReadyToStartContainers', status: 'True' }],
        containerStatuses: [{ name: 'workload', image: '', imageID: '', ready: true, restartCount: 0, state: { running: {} } }],
      }),
      1900n,
    );
    observe(
      t,
      pod({ phase: 'Running', containerStatuses: [{ name: 'workload', image: '', imageID: '', ready: true, restartCount: 0, state: { running: {} } }] }),
      2500n,
    );
    expect(t).toEqual({ createdNs: 1000n, scheduledNs: 1100n, sandboxReadyNs: 1500n, startedNs: 1900n });
    expect(startupLatencyNs(t)).toBe(900);
    observe(t, pod({ phase: 'Succeeded' }), 3000n);
    t.deletedNs = 3600n;
    expect(phaseDurations(t)).toEqual({ scheduled: 100, sandboxReady: 400, containerStarted: 400, completed: 1100, deleted: 600 });
  });

  it('fills milestones that arrived in the same status update as completion', () => {
    const t: PodTimeline = { createdNs: 0n };
    observe(t, pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] }, 'n1'), 10n);
    observe(t, pod({ phase: 'Succeeded' }), 50n);
    expect(t).toEqual({ createdNs: 0n, scheduledNs: 10n, sandboxReadyNs: 50n, startedNs: 50n, completedNs: 50n });
  });

  it('uses Initialized for the sandbox on clusters without PodReadyToStartContainers', () => {
    const t: PodTimeline = { createdNs: 0n };
    observe(t, pod({ phase: 'Pending', conditions: [{ type: 'Initialized', status: 'True' }] }), 7n);
    expect(t.sandboxReadyNs).toBe(7n);
  });

  it('does not call a container that is waiting started', () => {
    const t: PodTimeline = { createdNs: 0n };
    observe(
      t,
      pod({
        phase: 'Pending',
        containerStatuses: [{ name: 'workload', image: '', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }],
      }),
      5n,
    );
    expect(t.startedNs).toBeUndefined();
  });
});

describe('termination and stuck pods', () => {
  it('maps OOMKilled to signal 9 and reads exit codes', () => {
    const oom = pod({
      phase: 'Failed',
      containerStatuses: [
        { name: 'workload', image: '', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } },
      ],
    });
    expect(termination(oom)).toEqual({ exitCode: 137, signal: 9, reason: 'OOMKilled', message: '', oomKilled: true });
    const ok = pod({
      phase: 'Succeeded',
      containerStatuses: [
        { name: 'workload', image: '', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
      ],
    });
    expect(termination(ok)).toEqual({ exitCode: 0, signal: 0, reason: 'Completed', message: '', oomKilled: false });
    expect(termination(pod({ phase: 'Pending' }))).toBeNull();
  });

  it('says why a pod will not start: image never pulled, unschedulable', () => {
    const never = pod({
      phase: 'Pending',
      containerStatuses: [
        {
          name: 'workload',
          image: '',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { waiting: { reason: 'ErrImageNeverPull', message: 'image not present' } },
        },
      ],
    });
    expect(stuckReason(never)).toBe('ErrImageNeverPull: image not present');
    const unsched = pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes match' }] });
    expect(stuckReason(unsched)).toBe('Unschedulable: 0/1 nodes match');
    expect(stuckReason(pod({ phase: 'Pending' }))).toBeNull();
  });
});

describe('handlers and Wasm annotations', () => {
  it('names the CRI handler after the runtime, or after the shim for a containerd shim', () => {
    expect(handlerFor(rt({ name: 'crun' }))).toBe('crun');
    expect(handlerFor(rt({ name: 'wasmtime', kind: 'containerd-shim', path: '/root/.cache/runbench/bin/containerd-shim-wasmtime-v1' }))).toBe('wasmtime');
    expect(handlerFor(rt({ name: 'wasmer-shim', kind: 'containerd-shim', path: '/root/.cache/runbench/bin/containerd-shim-wasmer-v1' }))).toBe('wasmer');
    expect(handlerFor(rt({ name: 'io.containerd.spin.v2', kind: 'containerd-shim', path: null }))).toBe('spin');
    // a Wasm runtime in the image runs as an ordinary container of the OCI runtime that runs it
    expect(handlerFor(rt({ name: 'runc/wasmtime-in-image', path: '/usr/sbin/runc', wasmOnly: true, wasmVia: VIA }))).toBe('runc');
    expect(handlerFor(rt({ name: 'crun/wasmtime-in-image', path: null, wasmOnly: true, wasmVia: VIA }))).toBe('crun');
    // a RuntimeClass from the config: the name it gives, not the runtime's label; '' for none
    expect(handlerFor(rt({ name: 'spin-label', kind: 'runtime-class', path: null, handler: 'spin' }))).toBe('spin');
    expect(handlerFor(rt({ name: 'spin', kind: 'runtime-class', path: null }))).toBe('spin');
    expect(handlerFor(rt({ name: 'crun-wasmedge/node-default', kind: 'runtime-class', path: null, handler: '' }))).toBe('');
  });

  it("tells crun's handler to leave the pause sandbox alone (compat-smart); a shim needs nothing", () => {
    expect(wasmPodAnnotations(rt({ name: 'crun-wasmtime', wasmAnnotations: { 'run.oci.handler': 'wasm' } }))).toEqual({
      'module.wasm.image/variant': 'compat-smart',
    });
    expect(wasmPodAnnotations(rt({ name: 'youki', wasmAnnotations: { 'run.oci.handler': 'wasm' } }))).toEqual({ 'run.oci.handler': 'wasm' });
    expect(wasmPodAnnotations(rt({ name: 'wasmtime', kind: 'containerd-shim', path: '/x/containerd-shim-wasmtime-v1' }))).toEqual({});
    // a RuntimeClass from the config gets exactly the annotations the config gives it
    expect(wasmPodAnnotations(rt({ name: 'spin', kind: 'runtime-class', path: null }))).toEqual({});
    expect(wasmPodAnnotations(rt({ name: 'crun/wasmtime-in-image', wasmOnly: true, wasmVia: VIA }))).toEqual({});
    expect(wasmPodAnnotations(rt({ name: 'wasm', kind: 'runtime-class', path: null, wasmAnnotations: { 'run.oci.handler': 'wasm' } }))).toEqual({
      'run.oci.handler': 'wasm',
    });
  });
});

describe("the recipe's pod: the node's default runtime", () => {
  it('carries no RuntimeClass and the compat-smart annotation, for native and Wasm alike', () => {
    const def = KNOWN_RUNTIMES.find((r) => r.name === 'crun-wasmedge/node-default');
    expect(def?.kind).toBe('runtime-class');
    const runtime = runtimeClassInfo(def as NonNullable<typeof def>, ['kubernetes']);
    expect(runtime.status).toBe('ok');
    expect(runtime.handler).toBe('');
    expect(wasmWay(runtime)).toBe('oci-handler');
    // whether it runs Wasm is the cluster's to say (its probe pod), not a handler list's
    expect(kindUnsupported(runtime, 'wasm')).toBeNull();
    expect(kindUnsupported(runtime, 'native')).toBeNull();
    const ctx = { runId: 'r1', host: hostFacts(), arch: 'amd64', scope: new Scope('test'), events: new EventBus(), workDir: '/nonexistent' };
    const session = new KubernetesSession(runtime, ctx, {} as KubeClient, {});
    const wasm = session.manifest('p', { workload: { name: 'hello', kind: 'wasm', args: [] }, timeoutMs: 1000 });
    expect(wasm.spec && 'runtimeClassName' in wasm.spec).toBe(false);
    expect(wasm.metadata?.annotations).toEqual({ 'module.wasm.image/variant': 'compat-smart' });
    expect(wasm.spec?.containers[0]?.command).toEqual(['/hello.wasm']);
    const native = session.manifest('p', { workload: { name: 'hello', kind: 'native', args: [] }, timeoutMs: 1000 });
    expect(native.spec?.containers[0]?.command).toEqual(['/bin/hello']);
    // measured in a run of the kubernetes layer alone, and said so otherwise
    const elsewhere = runtimeClassInfo(def as NonNullable<typeof def>, ['oci', 'kubernetes']);
    expect(elsewhere.status).toBe('missing');
    expect(elsewhere.reason).toMatch(/^the node's default runtime is only measured at the kubernetes layer/);
  });
});

describe('the in-image pod', () => {
  it("runs the image's wasmtime on the module, with no Wasm annotation", () => {
    const runtime = rt({ name: 'crun/wasmtime-in-image', wasmOnly: true, wasmVia: VIA });
    const host = hostFacts();
    const ctx = { runId: 'r1', host, arch: 'arm64', scope: new Scope('test'), events: new EventBus(), workDir: '/nonexistent' };
    const session = new KubernetesSession(runtime, ctx, {} as KubeClient, {});
    const p = session.manifest('p', { workload: { name: 'cpu', kind: 'wasm', args: ['16'] }, timeoutMs: 1000 });
    const c = p.spec?.containers[0];
    expect(c?.image).toBe('docker.io/runbench/wasmtime-in-image:latest');
    expect(c?.command).toEqual(['/usr/local/bin/wasmtime', ...VIA.args, '/wasm/cpu.wasm', '16']);
    expect(c?.args).toEqual([]);
    expect(p.metadata?.annotations).toBeUndefined();
    expect(p.spec?.nodeSelector).toEqual({ 'kubernetes.io/arch': 'arm64' });
  });
});

describe('nodes', () => {
  const node = (name: string, arch: string, ready: boolean, ip: string): V1Node => ({
    metadata: { name, labels: { 'kubernetes.io/arch': arch, 'kubernetes.io/os': 'linux' } },
    status: {
      addresses: [{ type: 'InternalIP', address: ip }],
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      nodeInfo: {
        architecture: arch,
        kubeletVersion: 'v1.34.4',
        containerRuntimeVersion: 'containerd://1.6.20',
        operatingSystem: 'linux',
        kernelVersion: '6',
        bootID: '',
        kubeProxyVersion: '',
        machineID: '',
        osImage: '',
        systemUUID: '',
      },
    },
  });

  it('reads versions, readiness and whether the node is this machine', () => {
    const f = nodeFacts(node('vm', 'amd64', true, '192.0.2.2'), new Set(['192.0.2.2']), 'elsewhere');
    expect(f).toMatchObject({ name: 'vm', arch: 'amd64', kubeletVersion: 'v1.34.4', containerRuntimeVersion: 'containerd://1.6.20', ready: true, local: true });
    expect(nodeFacts(node('far', 'arm64', true, '10.0.0.9'), new Set(['192.0.2.2']), 'vm').local).toBe(false);
  });

  it('lists the archs of Ready nodes only', () => {
    const facts = [node('a', 'amd64', true, '1.1.1.1'), node('b', 'arm64', true, '1.1.1.2'), node('c', 's390x', false, '1.1.1.3')].map((n) =>
      nodeFacts(n, new Set(), 'x'),
    );
    expect(nodeArchs(facts)).toEqual(['amd64', 'arm64']);
  });
});

describe('summary API', () => {
  const summary: Summary = {
    node: { nodeName: 'vm' },
    pods: [
      { podRef: { name: 'a', namespace: 'ns', uid: '1' }, memory: { workingSetBytes: 4096, rssBytes: 2048 } },
      { podRef: { name: 'b', namespace: 'ns', uid: '2' }, containers: [{ name: 'workload', memory: { workingSetBytes: 1000, rssBytes: 900 } }] },
      { podRef: { name: 'c', namespace: 'ns', uid: '3' } },
    ],
  };
  it("takes the pod's figure, else the sum over its containers, else nothing", () => {
    expect(podMemory(summary, 'ns', 'a')).toEqual({ workingSetBytes: 4096, rssBytes: 2048, source: 'pod' });
    expect(podMemory(summary, 'ns', 'b')).toEqual({ workingSetBytes: 1000, rssBytes: 900, source: 'containers' });
    expect(podMemory(summary, 'ns', 'c')).toBeNull();
    expect(podMemory(summary, 'other', 'a')).toBeNull();
  });
});

describe('flags', () => {
  it('parses sizes and rejects the rest with the accepted forms', () => {
    expect(parseByteSize('2GiB')).toBe(2 * 1024 ** 3);
    expect(parseByteSize('512MiB')).toBe(512 * 1024 ** 2);
    expect(() => parseByteSize('2 gigs')).toThrow(/2GiB or 512MiB/);
    expect(() => parseByteSize('0MiB')).toThrow(/positive/);
  });

  it('chooses the kubeconfig: the flag, then $KUBECONFIG, then the local cluster', () => {
    expect(chooseKubeconfig('/tmp/k', { KUBECONFIG: '/e' })).toEqual({ path: '/tmp/k', source: 'flag' });
    expect(chooseKubeconfig(undefined, { KUBECONFIG: ':/e:/f' })).toEqual({ path: '/e', source: 'KUBECONFIG' });
    const local = chooseKubeconfig(undefined, {});
    if (local) expect(local).toEqual({ path: LOCAL_CLUSTER_KUBECONFIG, source: 'local cluster' });
    else expect(local).toBeNull();
  });
});
