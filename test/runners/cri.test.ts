/** The cri layer's parts that need no root: critest's JUnit and benchmark data, the registry, the configs. */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import type { RuntimeInfo } from '../../core/schema.ts';
import { readLifecycles } from '../../runners/cri/benchmark.ts';
import { cniConflist, containerdCriConfig, handlerFor } from '../../runners/cri/config.ts';
import { critestArgs } from '../../runners/cri/critest.ts';
import { failureReason, parseJunit, specName } from '../../runners/cri/junit.ts';
import { serveLayout, splitReference } from '../../runners/cri/registry.ts';
import { lazyTempDir } from '../helpers/tmp.ts';

const tmp = lazyTempDir('runbench-cri-');

/** A report of the shape ginkgo v2 writes for critest (trimmed): every kind of test case. */
const JUNIT = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="7" disabled="2" errors="0" failures="2" time="3.5">
  <testsuite name="CRI validation" package="/x" tests="7" disabled="0" skipped="2" errors="0" failures="2" time="3.5">
    <properties><property name="SuiteSucceeded" value="false"></property><property name="SpecialSuiteFailureReason" value=""></property></properties>
    <testcase name="[BeforeSuite]" classname="CRI validation" status="passed" time="0.0001"></testcase>
    <testcase name="[It] [k8s.io] PodSandbox benchmark about lifecycle of PodSandbox" classname="CRI validation" status="skipped" time="0"><skipped message="skipped"></skipped></testcase>
    <testcase name="[It] [k8s.io] Runtime info runtime should support returning runtime info runtime should return version info [Conformance]" classname="CRI validation" status="passed" time="0.004"></testcase>
    <testcase name="[It] [k8s.io] Image Manager public image with digest should be pulled and removed [Conformance]" classname="CRI validation" status="failed" time="0.008">
      <failure message="failed to pull image: rpc error: code = NotFound desc = not found&#xA;Unexpected error:&#xA;    &lt;*status.Error | 0x1&gt;: &#xA;    rpc error: code = NotFound&#xA;    {&#xA;" type="failed">[FAILED] failed to pull image</failure>
    </testcase>
    <testcase name="[It] [k8s.io] Idempotence StopPodSandbox should not return an error if not found" classname="CRI validation" status="failed" time="0.002">
      <failure message="Unexpected error:&#xA;    &lt;*status.Error | 0x2&gt;: &#xA;    rpc error: code = NotFound desc = an error occurred when try to find sandbox &#34;x&#34;: not found&#xA;    {&#xA;" type="failed"></failure>
    </testcase>
    <testcase name="[It] [k8s.io] AppArmor runtime should support apparmor should fail with an unloaded profile" classname="CRI validation" status="skipped" time="0"><skipped message="skipped - AppArmor is not enabled on this host"></skipped></testcase>
    <testcase name="[It] [k8s.io] Container runtime should support execSync with timeout" classname="CRI validation" status="timedout" time="60"><failure message="A node timeout occurred" type="timedout"></failure></testcase>
  </testsuite>
</testsuites>`;

describe("critest's JUnit report", () => {
  const specRef = 'cri-tools v1.34.0 critest';

  it('makes a row of every spec that ran, none of those the run did not select', () => {
    const { verdicts, suiteFailure } = parseJunit(JUNIT, specRef);
    expect(suiteFailure).toBeNull();
    expect(verdicts.map((v) => [v.id, v.level, v.outcome.status])).toEqual([
      ['cri.runtime-info.runtime-should-support-returning-runtime-info-runtime-should-return-version-info', 'MUST', 'passed'],
      ['cri.image-manager.public-image-with-digest-should-be-pulled-and-removed', 'MUST', 'failed'],
      ['cri.idempotence.stoppodsandbox-should-not-return-an-error-if-not-found', 'SHOULD', 'failed'],
      ['cri.apparmor.runtime-should-support-apparmor-should-fail-with-an-unloaded-profile', 'SHOULD', 'skipped'],
      ['cri.container.runtime-should-support-execsync-with-timeout', 'SHOULD', 'errored'],
    ]);
    expect(verdicts.every((v) => v.specRef === specRef)).toBe(true);
  });

  it("keeps a failure's own words, or the error itself, never ginkgo's Go dump", () => {
    const { verdicts } = parseJunit(JUNIT, specRef);
    const reason = (id: string) => verdicts.find((v) => v.id.includes(id))?.outcome.reason;
    expect(reason('digest')).toBe('failed to pull image: rpc error: code = NotFound desc = not found');
    expect(reason('stoppodsandbox')).toBe('rpc error: code = NotFound desc = an error occurred when try to find sandbox "x": not found');
    expect(reason('apparmor')).toBe('AppArmor is not enabled on this host');
    expect(reason('execsync')).toBe('timedout: A node timeout occurred');
    expect(failureReason(undefined, 'none')).toBe('none');
  });

  it('says when a suite node failed, and refuses a report of another shape', () => {
    const broken = JUNIT.replace('name="[BeforeSuite]" classname="CRI validation" status="passed"', 'name="[BeforeSuite]" classname="CRI validation" status="failed"');
    expect(parseJunit(broken, specRef).suiteFailure).toMatch(/^\[BeforeSuite\] failed/);
    const stopped = JUNIT.replace('name="SpecialSuiteFailureReason" value=""', 'name="SpecialSuiteFailureReason" value="Interrupted by User"');
    expect(parseJunit(stopped, specRef).suiteFailure).toBe('critest stopped before the end: Interrupted by User');
    expect(() => parseJunit('<testsuites><nothing/></testsuites>', specRef)).toThrow();
  });

  it('names the area by the longest Describe that starts the spec', () => {
    expect(specName('[It] [k8s.io] Container Mount Readonly runtime should support readonly mounts should x').area).toBe('Container Mount Readonly');
    expect(specName('[It] [k8s.io] Multiple Containers [Conformance] when running x').conformance).toBe(true);
    expect(specName('[It] [k8s.io] Container runtime should support x').id).toBe('cri.container.runtime-should-support-x');
  });
});

describe("critest's benchmark data", () => {
  it('reads the lifecycles in sample order, with timestamps past 2^53', () => {
    const dir = join(tmp(), 'bench');
    mkdirSync(dir, { recursive: true });
    const point = (i: number, start: string) =>
      `{"sampleIndex": ${i}, "startTime": ${start}, "endTime": ${start.slice(0, -9)}500000000, "operationsDurationsNs": [100, 200, 300, 400], "metaInfo": {"podId": "p${i}"}}`;
    writeFileSync(
      join(dir, 'pod_benchmark_data.json'),
      `{"operationsNames": ["CreatePod", "StatusPod", "StopPod", "RemovePod"], "numParallel": 1, "datapoints": [${point(1, '1795921183000000000')}, ${point(0, '1795921182000000000')}]}`,
    );
    const [pod, ...rest] = readLifecycles(dir);
    expect(rest).toEqual([]);
    expect(pod?.name).toBe('pod');
    expect(pod?.samples.map((s) => s.operationsNs)).toEqual([
      [100, 200, 300, 400],
      [100, 200, 300, 400],
    ]);
    expect(pod?.samples.map((s) => s.endNs - s.startNs)).toEqual([500_000_000, 500_000_000]);
    writeFileSync(join(dir, 'container_benchmark_data.json'), '{"numParallel": 1}');
    expect(() => readLifecycles(dir)).toThrow(/not critest's benchmark data/);
  });
});

describe('the registry critest pulls from', () => {
  let server: Server;
  let base: string;
  const manifest = '{"schemaVersion":2}';
  const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
  beforeAll(async () => {
    const dir = join(tmp(), 'layout');
    mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
    writeFileSync(join(dir, 'blobs', 'sha256', digest.slice(7)), manifest);
    const annotations = { 'org.opencontainers.image.ref.name': 'registry.k8s.io/e2e-test-images/busybox:1.29-2' };
    const mt = 'application/vnd.oci.image.manifest.v1+json';
    writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: mt, digest, size: manifest.length, annotations }] }));
    const s = await serveLayout(dir);
    server = s.server;
    base = `http://127.0.0.1:${s.port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('finds an image by its reference without the registry host', () => {
    expect(splitReference('registry.k8s.io/e2e-test-images/busybox:1.29-2')).toEqual({ repository: 'e2e-test-images/busybox', tag: '1.29-2' });
    expect(splitReference('docker.io/runbench/pause:1.0')).toEqual({ repository: 'runbench/pause', tag: '1.0' });
    expect(splitReference('busybox:1')).toEqual({ repository: 'busybox', tag: '1' });
    expect(splitReference('no-tag')).toBeNull();
  });

  it('serves manifests by tag and digest, blobs by digest, and 404 for the rest', async () => {
    expect((await fetch(`${base}/v2/`)).status).toBe(200);
    const byTag = await fetch(`${base}/v2/e2e-test-images/busybox/manifests/1.29-2?ns=registry.k8s.io`);
    expect(byTag.status).toBe(200);
    expect(byTag.headers.get('docker-content-digest')).toBe(digest);
    expect(byTag.headers.get('content-type')).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(await byTag.text()).toBe(manifest);
    expect((await fetch(`${base}/v2/e2e-test-images/busybox/manifests/${digest}`)).status).toBe(200);
    expect((await fetch(`${base}/v2/e2e-test-images/busybox/blobs/${digest}`, { method: 'HEAD' })).headers.get('content-length')).toBe(String(manifest.length));
    expect((await fetch(`${base}/v2/e2e-test-images/busybox/manifests/latest`)).status).toBe(404);
    expect((await fetch(`${base}/v2/x/blobs/sha256:${'0'.repeat(64)}`)).status).toBe(404);
    expect((await fetch(`${base}/v2/x/blobs/..%2F..%2Fetc%2Fpasswd`)).status).toBe(404);
    expect((await fetch(`${base}/v2/`, { method: 'DELETE' })).status).toBe(405);
  });
});

describe("the CRI's configs", () => {
  const runtime = (over: Partial<RuntimeInfo>): RuntimeInfo => ({
    name: 'runsc',
    kind: 'oci',
    path: '/usr/sbin/runsc',
    version: '1',
    features: [],
    wasmHandlers: [],
    status: 'ok',
    reason: null,
    globalArgs: ['--platform=ptrace', '--network=none'],
    ...over,
  });

  it('gives a runtime with global arguments a wrapper, and a Wasm runtime its pod annotations', () => {
    const dir = join(tmp(), 'handler');
    const h = handlerFor(runtime({}), dir);
    expect(h).toMatchObject({ name: 'runsc', runtimeType: 'io.containerd.runc.v2', binaryName: join(dir, 'bin', 'runsc'), podAnnotations: [] });
    const w = handlerFor(runtime({ name: 'crun-wasmedge', path: '/x/crun', globalArgs: [], wasmHandlers: ['wasmedge'] }), dir);
    expect(w).toMatchObject({ name: 'crun-wasmedge', binaryName: '/x/crun', podAnnotations: ['module.wasm.image/variant', 'run.oci.handler'] });
    const dirs = { daemon: '/d', cniConf: '/d/net.d', ipam: '/d/ipam', registryHosts: '/d/certs.d', runtimeRoot: '/d/rt' };
    const toml = containerdCriConfig(dirs, w, { restrictOomScoreAdj: true });
    expect(toml).toContain('default_runtime_name = "crun-wasmedge"');
    expect(toml).toContain('[plugins."io.containerd.grpc.v1.cri".containerd.runtimes."crun-wasmedge"]');
    expect(toml).toContain('BinaryName = "/x/crun"');
    expect(toml).toContain('netns_mounts_under_state_dir = true');
    expect(toml).toContain('config_path = "/d/certs.d"');
    expect(toml).not.toContain('disabled_plugins = ["io.containerd.grpc.v1.cri"]');
    expect(JSON.parse(cniConflist('runbench-cri-x', '/d/ipam')).plugins.map((p: { type: string }) => p.type)).toEqual(['bridge', 'portmap']);
  });

  it("runs critest on the endpoint and handler, never reading the host's crictl.yaml", () => {
    const args = critestArgs({ binary: 'critest', prefix: [], socket: '/s.sock', handler: 'runc', dir: '/w', timeoutMs: 1, signal: new AbortController().signal, junit: '/w/j.xml', focus: 'Runtime info' });
    expect(args).toEqual([
      '--runtime-endpoint=unix:///s.sock',
      '--image-endpoint=unix:///s.sock',
      '--runtime-handler=runc',
      '--config=/w/crictl.yaml',
      '--ginkgo.no-color',
      '--ginkgo.junit-report=/w/j.xml',
      '--ginkgo.focus=Runtime info',
    ]);
  });
});
