/** Facts about the machine a figure was measured on. */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { CgroupLayout, HostFacts } from './schema.ts';

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** OCI / Go architecture names, which image indexes and Kubernetes labels use. */
export function ociArch(nodeArch: string = process.arch): string {
  switch (nodeArch) {
    case 'x64':
      return 'amd64';
    case 'arm64':
      return 'arm64';
    case 'arm':
      return 'arm';
    case 'ia32':
      return '386';
    default:
      return nodeArch;
  }
}

export interface CgroupInfo {
  layout: CgroupLayout;
  /** Mount point of the cgroup2 hierarchy, if any. */
  unifiedMount: string | null;
  cgroup2Controllers: string[];
  /** v1 controller name -> mount point. */
  v1Mounts: Record<string, string>;
}

export function detectCgroups(mountsText: string | null = readText('/proc/self/mounts')): CgroupInfo {
  const v1Mounts: Record<string, string> = {};
  let unifiedMount: string | null = null;
  for (const line of (mountsText ?? '').split('\n')) {
    const [, mountPoint, fsType, options] = line.split(' ');
    if (!mountPoint || !fsType) continue;
    if (fsType === 'cgroup2') unifiedMount ??= mountPoint;
    if (fsType === 'cgroup') {
      for (const opt of (options ?? '').split(',')) {
        if (['rw', 'ro', 'relatime', 'nosuid', 'nodev', 'noexec'].includes(opt)) continue;
        v1Mounts[opt] = mountPoint;
      }
    }
  }
  const hasV1 = Object.keys(v1Mounts).some((k) => !k.startsWith('name='));
  let layout: CgroupLayout = 'none';
  if (hasV1 && unifiedMount) layout = 'hybrid';
  else if (hasV1) layout = 'v1';
  else if (unifiedMount) layout = 'v2';
  const controllers = unifiedMount ? readText(`${unifiedMount}/cgroup.controllers`) : null;
  return {
    layout,
    unifiedMount,
    cgroup2Controllers: (controllers ?? '').trim().split(/\s+/).filter(Boolean),
    v1Mounts,
  };
}

function osName(): string {
  const text = readText('/etc/os-release') ?? '';
  const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text);
  return m?.[1] ?? os.type();
}

export function apparmorEnabled(): boolean {
  return (readText('/sys/module/apparmor/parameters/enabled') ?? '').trim() === 'Y';
}

const QEMU_ARCHS: Record<string, string> = {
  'qemu-aarch64': 'arm64',
  'qemu-arm': 'arm',
  'qemu-x86_64': 'amd64',
  'qemu-riscv64': 'riscv64',
  'qemu-ppc64le': 'ppc64le',
  'qemu-s390x': 's390x',
};

/**
 * Archs whose static binaries the kernel runs through qemu-user. Only entries with the
 * fix-binary flag (F) count: without it the interpreter is looked up inside the
 * container's root, where it is not.
 */
export function emulatedArchs(dir = '/proc/sys/fs/binfmt_misc'): string[] {
  const out: string[] = [];
  for (const [entry, arch] of Object.entries(QEMU_ARCHS)) {
    const text = readText(`${dir}/${entry}`);
    if (!text) continue;
    const enabled = text.split('\n')[0]?.trim() === 'enabled';
    const flags = /^flags:\s*(\S*)/m.exec(text)?.[1] ?? '';
    if (enabled && flags.includes('F') && arch !== ociArch()) out.push(arch);
  }
  return out;
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

export function hostFacts(): HostFacts {
  const cg = detectCgroups();
  const cpus = os.cpus();
  return {
    hostname: os.hostname(),
    kernel: os.release(),
    os: osName(),
    arch: ociArch(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: Math.max(1, cpus.length),
    memoryBytes: os.totalmem(),
    cgroupLayout: cg.layout,
    cgroup2Controllers: cg.cgroup2Controllers,
    root: isRoot(),
    apparmor: apparmorEnabled(),
    emulatedArchs: emulatedArchs(),
    nodeVersion: process.version,
  };
}

export function cgroupV1MemoryMount(): string | null {
  const cg = detectCgroups();
  return cg.v1Mounts.memory ?? null;
}
