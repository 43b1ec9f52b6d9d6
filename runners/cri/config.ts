/**
 * What the CRI's containerd is started with: its config (the CRI plugin on, one runtime
 * handler, pod network namespaces under its own state directory), the CNI network its pods
 * join (a bridge with host-local addresses and portmap, inside the node's network namespace)
 * and the hosts.toml that sends every registry critest names to runbench's own.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { RuntimeFailure } from '../../core/errors.ts';
import type { RuntimeInfo } from '../../core/schema.ts';
import { isShim, shimRuntimeName } from '../containerd/shim.ts';

/** The pod sandbox image (built by scripts/build-cri-images.sh, served by the registry). */
export const SANDBOX_IMAGE = 'docker.io/runbench/pause:1.0';
/** The registries critest's images name; hosts.toml sends each to runbench's registry. */
export const REGISTRY_HOSTS = ['registry.k8s.io', 'gcr.io', 'docker.io'] as const;
/** CNI plugins the network uses (Debian: containernetworking-plugins). */
export const CNI_BIN_DIR = '/usr/lib/cni';
export const CNI_PLUGINS = ['bridge', 'host-local', 'loopback', 'portmap'] as const;
/** The pods' bridge and addresses: inside the node's own network namespace, so they never collide. */
const BRIDGE = 'rbcri0';
const SUBNET = '10.88.0.0/24';

/** How a runtime is configured as a CRI runtime handler. */
export interface Handler {
  name: string;
  runtimeType: string;
  /** For runc-style shims: the OCI binary (a wrapper when the runtime takes global arguments). */
  binaryName: string | null;
  /** Pod annotations the handler passes on to the runtime (a Wasm handler's selectors). */
  podAnnotations: string[];
  /** A directory to put on containerd's PATH, where it finds a shim of the runtime's own. */
  shimDir: string | null;
}

const q = (s: string) => JSON.stringify(s);

/** The handler for a runtime; its wrapper script (runsc's --platform …) goes under `dir`. */
export function handlerFor(rt: RuntimeInfo, dir: string): Handler {
  if (!rt.path) throw new RuntimeFailure(rt.name, `${rt.name} has no binary`);
  const name = rt.name.replace(/[^a-z0-9-]/g, '-');
  const podAnnotations = rt.wasmHandlers.length > 0 ? ['module.wasm.image/variant', 'run.oci.handler'] : [];
  if (isShim(rt)) {
    const type = shimRuntimeName(rt.path);
    if (!type) throw new RuntimeFailure(rt.name, `${rt.path} is not named containerd-shim-<name>-<version>`);
    return { name, runtimeType: type, binaryName: null, podAnnotations, shimDir: dirname(rt.path) };
  }
  let binaryName = rt.path;
  if (rt.globalArgs.length > 0) {
    binaryName = join(dir, 'bin', name);
    mkdirSync(dirname(binaryName), { recursive: true });
    const quoted = [rt.path, ...rt.globalArgs].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    writeFileSync(binaryName, `#!/bin/sh\nexec ${quoted} "$@"\n`);
    chmodSync(binaryName, 0o755);
  }
  return { name, runtimeType: 'io.containerd.runc.v2', binaryName, podAnnotations, shimDir: null };
}

/** CAP_SYS_RESOURCE (bit 24) in our bounding set: without it a sandbox's negative oom_score_adj cannot be written. */
export function canLowerOomScore(): boolean {
  try {
    const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m?.[1] !== undefined && ((BigInt(`0x${m[1]}`) >> 24n) & 1n) === 1n;
  } catch {
    return false;
  }
}

export interface CriDirs {
  /** containerd's root, state and sockets. */
  daemon: string;
  cniConf: string;
  ipam: string;
  registryHosts: string;
  /** The runc-style runtime's state (`Root`). */
  runtimeRoot: string;
}

export function containerdCriConfig(d: CriDirs, h: Handler, opts: { restrictOomScoreAdj: boolean }): string {
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  const rt = `${cri}.containerd.runtimes.${q(h.name)}`;
  const lines = [
    'version = 2',
    `root = ${q(join(d.daemon, 'root'))}`,
    `state = ${q(join(d.daemon, 'state'))}`,
    'disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]',
    '[grpc]',
    `  address = ${q(join(d.daemon, 'containerd.sock'))}`,
    '[ttrpc]',
    `  address = ${q(join(d.daemon, 'containerd.sock.ttrpc'))}`,
    '[debug]',
    '  address = ""',
    '[metrics]',
    '  address = ""',
    '[plugins."io.containerd.internal.v1.opt"]',
    `  path = ${q(join(d.daemon, 'opt'))}`,
    `[${cri}]`,
    `  sandbox_image = ${q(SANDBOX_IMAGE)}`,
    // a pod's network namespace under our state directory, not /var/run/netns
    '  netns_mounts_under_state_dir = true',
    `  restrict_oom_score_adj = ${opts.restrictOomScoreAdj}`,
    `  [${cri}.cni]`,
    `    bin_dir = ${q(CNI_BIN_DIR)}`,
    `    conf_dir = ${q(d.cniConf)}`,
    '    max_conf_num = 1',
    `  [${cri}.registry]`,
    `    config_path = ${q(d.registryHosts)}`,
    `  [${cri}.containerd]`,
    '    snapshotter = "overlayfs"',
    `    default_runtime_name = ${q(h.name)}`,
    `    [${rt}]`,
    `      runtime_type = ${q(h.runtimeType)}`,
  ];
  if (h.podAnnotations.length > 0) lines.push(`      pod_annotations = [${h.podAnnotations.map(q).join(', ')}]`);
  if (h.binaryName) {
    lines.push(`      [${rt}.options]`, `        BinaryName = ${q(h.binaryName)}`, `        Root = ${q(d.runtimeRoot)}`, '        SystemdCgroup = false');
  }
  return `${lines.join('\n')}\n`;
}

/** The pods' network: a bridge with host-local addresses, and portmap for host ports. */
export function cniConflist(name: string, ipamDir: string): string {
  return `${JSON.stringify(
    {
      cniVersion: '1.0.0',
      name,
      plugins: [
        {
          type: 'bridge',
          bridge: BRIDGE,
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: { type: 'host-local', ranges: [[{ subnet: SUBNET }]], dataDir: ipamDir },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  )}\n`;
}

/** Writes the CNI config and one hosts.toml per registry host, all pointing at `registry` (host:port). */
export function writeNetworkAndRegistry(d: CriDirs, networkName: string, registry: string): void {
  mkdirSync(d.cniConf, { recursive: true });
  mkdirSync(d.ipam, { recursive: true });
  writeFileSync(join(d.cniConf, '10-runbench.conflist'), cniConflist(networkName, d.ipam));
  for (const host of REGISTRY_HOSTS) {
    mkdirSync(join(d.registryHosts, host), { recursive: true });
    const url = `http://${registry}`;
    writeFileSync(join(d.registryHosts, host, 'hosts.toml'), `server = ${q(url)}\n\n[host.${q(url)}]\n  capabilities = ["pull", "resolve"]\n`);
  }
}
