/**
 * The `cri` layer: each runtime as a CRI runtime handler of a containerd runbench starts
 * itself, validated by critest (cri-tools) and benchmarked by `critest -benchmark`, against
 * every containerd found: the host's, and Debian 13's from the debian13 set-up tier.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { buildDir } from '../../core/paths.ts';
import { findBinary, readCacheEnv } from '../../core/runtimes.ts';
import type { Runner, RunnerContext } from '../../core/runner.ts';
import type { RuntimeInfo } from '../../core/schema.ts';
import { CNI_BIN_DIR, CNI_PLUGINS } from './config.ts';
import type { CriEndpoint } from './endpoint.ts';
import { recoverCri } from './recover.ts';
import { CriSession, suiteInfo, type CriTools } from './session.ts';

/** `critest version: 1.34.0` -> `v1.34.0`. */
export async function critestVersion(binary: string): Promise<string> {
  const r = await execa(binary, ['-version'], { reject: false, timeout: 30_000, cwd: '/' });
  const m = /critest version: (\S+)/.exec(String(r.stdout));
  if (!m?.[1]) throw new Error(`${binary} -version did not name its version: ${String(r.stderr || r.stdout).trim().slice(0, 200)}`);
  return `v${m[1].replace(/^v/, '')}`;
}

export interface CriRunnerOptions {
  /** containerd binaries to serve the CRI; default every one found (PATH, then the debian13 tier's). */
  containerds?: string[];
}

/** `containerd github.com/containerd/containerd 1.6.20~ds1 …` -> `containerd 1.6.20`. */
export async function containerdLabel(binary: string): Promise<string> {
  const r = await execa(binary, ['--version'], { reject: false, timeout: 10_000 });
  const m = /\b(\d+\.\d+\.\d+)/.exec(String(r.stdout));
  if (r.exitCode !== 0 || !m) throw new Error(`${binary} --version did not answer with a version: ${String(r.stderr || r.stdout).trim().slice(0, 200)}`);
  return `containerd ${m[1]}`;
}

/** The containerds to run critest against, each with its label; two of one version count once. */
export async function criEndpoints(paths?: string[]): Promise<CriEndpoint[]> {
  const candidates = paths && paths.length > 0 ? paths : [findBinary('containerd'), readCacheEnv('debian13.env').DEBIAN13_CONTAINERD].filter((p): p is string => Boolean(p));
  const out: CriEndpoint[] = [];
  for (const binary of candidates) {
    const label = await containerdLabel(binary);
    if (!out.some((e) => e.label === label)) out.push({ binary, label });
  }
  return out;
}

const layout = () => join(buildDir, 'cri-images', 'layout');

export function createCriRunner(opts: CriRunnerOptions = {}): Runner {
  let endpoints: Promise<CriEndpoint[]> | null = null;
  let version: Promise<string> | null = null;
  return {
    layer: 'cri',
    description: "critest (cri-tools) against each runtime as a runtime handler of runbench's own containerd with its CRI plugin",
    conformanceSuite: suiteInfo(''),
    unavailable(host) {
      if (!host.root) return 'the CRI needs root';
      if (!findBinary('critest')) return `critest not found on PATH or in runbench's cache: scripts/build-critest.sh (setup tier critest)`;
      if (!opts.containerds?.length && !findBinary('containerd')) return 'containerd not found on PATH (apt-get install containerd)';
      const plugin = CNI_PLUGINS.find((p) => !existsSync(join(CNI_BIN_DIR, p)));
      if (plugin) return `CNI plugin ${plugin} missing in ${CNI_BIN_DIR} (apt-get install containernetworking-plugins)`;
      for (const tool of ['unshare', 'nsenter', 'ip', 'iptables']) if (!findBinary(tool)) return `${tool} not found on PATH`;
      if (!existsSync(join(layout(), 'index.json'))) return "critest's images are not built: scripts/build-cri-images.sh";
      return null;
    },
    refuses(runtime: RuntimeInfo) {
      if (runtime.kind === 'runtime-class') return `${runtime.name} is a RuntimeClass, not a runtime a CRI handler can run`;
      if (runtime.wasmOnly && !runtime.wasmVia && runtime.kind !== 'containerd-shim')
        return `${runtime.name} runs every container as a Wasm module: critest's pods and images are native`;
      if (runtime.wasmVia) return `${runtime.name} is ${runtime.path ?? 'its base runtime'} with a Wasm runtime in its image: critest's images are its own`;
      if (runtime.wasmLayers) return `${runtime.name} is ${runtime.path ?? 'its shim'} on images of Wasm layers: critest's images are its own`;
      return null;
    },
    recover: recoverCri,
    async open(runtime: RuntimeInfo, ctx: RunnerContext) {
      endpoints ??= criEndpoints(opts.containerds);
      const eps = await endpoints;
      if (eps.length === 0) throw new Error('no containerd found to serve the CRI');
      const critest = findBinary('critest') as string;
      version ??= critestVersion(critest);
      const tools: CriTools = { critest, version: await version, layout: layout(), endpoints: eps };
      return new CriSession(runtime, ctx, tools);
    },
  };
}

export const criRunner = createCriRunner();
