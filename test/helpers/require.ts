/**
 * Whether a test that needs something this machine may lack runs, skips or fails.
 *
 * Every test of a real runtime, toolchain or service decides here. Without the thing it
 * skips, its reason in its title, unless RUNBENCH_REQUIRE (comma-separated names, see
 * REQUIRABLE; .ci/run sets it per set-up tier) lists everything it needs: then it fails with
 * the reason, so a set-up that silently lost something (a runtime that did not build, the
 * crun host fix) fails CI instead of turning its tests into skips.
 */
import { describe, it, type TestContext, type TestFunction } from 'vitest';

declare module 'vitest' {
  interface TaskMeta {
    /** Why the test skipped itself, for the skip reasons CI groups (.ci/count.mjs). */
    skipReason?: string;
  }
}

/** What RUNBENCH_REQUIRE can name, and what each means. */
export const REQUIRABLE: Readonly<Record<string, string>> = {
  runc: 'runc runs a container here (realRuntime: root, fixtures, probe, no blocking doctor problem)',
  crun: 'crun runs a container here (on a hybrid cgroup host this needs the hugetlb fix of scripts/setup.sh)',
  youki: 'youki runs a container here, with its Wasm executor',
  'youki-wasmer': 'youki built with its wasmer executor (setup tier wasmer) runs a container here, with that executor',
  runsc: 'runsc runs a container here',
  'crun-wasmtime': 'crun built with wasmtime runs a container here',
  'wasmtime-shim': 'containerd-shim-wasmtime-v1 is installed and answers',
  'wasmer-shim': 'containerd-shim-wasmer-v1 is installed and answers (setup tier wasmer)',
  'runc/wasmtime-in-image': 'the wasmtime-in-image rootfs and image are built (runc)',
  'crun/wasmtime-in-image': 'the wasmtime-in-image rootfs and image are built (crun)',
  'wasmtime-cli': 'the wasmtime CLI is on PATH',
  'crun/wasmer-in-image': 'the wasmer-in-image rootfs and image are built (crun; setup tier wasmer)',
  'crun/wasmer-aot-in-image': 'the wasmer-in-image rootfs carries the modules `wasmer compile` compiled (crun; setup tier wasmer)',
  containerd: 'containerd and ctr are installed and the images are built',
  cluster: 'a local Kubernetes cluster answers (scripts/cluster.sh up)',
  critest: "critest is built and the cri layer can run here: root, containerd, the CNI plugins, critest's images (setup tier critest)",
  browser: 'chromium is installed, for the HTML reports in a browser',
  fixtures: 'the host and wasm32-wasi toolchains are installed and the fixtures built',
  arm64: 'arm64 runs here: an aarch64 cross compiler and qemu-user registered with binfmt_misc',
  'prometheus-client': "a python3 with prometheus_client (Debian's python3-prometheus-client) reads the OpenMetrics export",
};

/** The names RUNBENCH_REQUIRE lists. */
export function requiredNames(value = process.env.RUNBENCH_REQUIRE ?? ''): string[] {
  return [
    ...new Set(
      value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}

/** Whether a test that needs all of `things` must run here: RUNBENCH_REQUIRE lists each. */
export function isRequired(things: string | readonly string[], value?: string): boolean {
  const required = new Set(requiredNames(value));
  const list = typeof things === 'string' ? [things] : things;
  return list.length > 0 && list.every((t) => required.has(t));
}

function failure(things: string | readonly string[], why: string): Error {
  const list = typeof things === 'string' ? [things] : things;
  return new Error(`RUNBENCH_REQUIRE lists ${list.join(', ')}, but this cannot run here: ${why}`);
}

export interface Gate {
  /** Why the tests cannot run here, or null. */
  readonly why: string | null;
  /** describe, skipped with the reason in its title, or one failing test when required. */
  describe(title: string, fn: () => void): void;
  /** it, skipped with the reason in its title, or failing with it when required. */
  it(title: string, fn: TestFunction, timeout?: number): void;
}

/**
 * The tests that need `things` (names of REQUIRABLE, or a runtime's name) and cannot run
 * here when `why` is not null.
 */
export function needs(things: string | readonly string[], why: string | null): Gate {
  return {
    why,
    describe(title, fn) {
      if (why === null) describe(title, fn);
      else if (!isRequired(things)) describe.skip(`${title} (skipped: ${why})`, fn);
      else
        describe(title, () => {
          it('has what it needs', () => {
            throw failure(things, why);
          });
        });
    },
    it(title, fn, timeout) {
      if (why === null) it(title, fn, timeout);
      else if (!isRequired(things)) it.skip(`${title} (skipped: ${why})`, fn);
      else
        it(title, () => {
          throw failure(things, why);
        });
    },
  };
}

/**
 * Skips the running test for what a runtime does not do (a limitation, not a missing
 * install: RUNBENCH_REQUIRE does not turn it into a failure), recording the reason.
 */
export function skipBecause(ctx: TestContext, reason: string): never {
  ctx.task.meta.skipReason = reason;
  return ctx.skip(reason);
}

/** Why `name` (of REQUIRABLE) is not usable here, or null: what the tests needing it check. */
export async function whyMissing(name: string): Promise<string | null> {
  const { existsSync } = await import('node:fs');
  const { hostFacts, emulatedArchs } = await import('../../core/host.ts');
  const { KNOWN_RUNTIMES, findBinary } = await import('../../core/runtimes.ts');
  if (KNOWN_RUNTIMES.some((r) => r.name === name)) {
    const { realRuntime } = await import('./real.ts');
    const a = await realRuntime(name);
    if (a.skip) return a.skip;
    if ((name === 'youki' || name === 'youki-wasmer') && a.runtime?.wasmHandlers.length === 0) return `${name} has no Wasm handler`;
    return null;
  }
  const host = hostFacts();
  switch (name) {
    case 'wasmtime-cli':
      return findBinary('wasmtime') ? null : 'no wasmtime on PATH or in the runbench cache';
    case 'containerd': {
      const { RUNNERS } = await import('../../runners/index.ts');
      const { images } = await import('../../runners/containerd/images.ts');
      if (!findBinary('containerd') || !findBinary('ctr')) return 'containerd/ctr not installed';
      if (!existsSync(images(host.arch).native.archive)) return 'images not built (scripts/build-images.sh)';
      return RUNNERS.containerd?.unavailable(host) ?? null;
    }
    case 'critest': {
      const { RUNNERS } = await import('../../runners/index.ts');
      return RUNNERS.cri?.unavailable(host) ?? 'no cri runner';
    }
    case 'cluster': {
      const { localClusterWhy } = await import('./cluster.ts');
      return localClusterWhy();
    }
    case 'browser':
      return existsSync('/usr/bin/chromium') ? null : '/usr/bin/chromium is not installed';
    case 'prometheus-client': {
      const { prometheusPython } = await import('./openmetrics.ts');
      return prometheusPython().why;
    }
    case 'fixtures': {
      const { rbExecPath, rootfsDir, wasmModule } = await import('../../core/paths.ts');
      if (!existsSync(rbExecPath)) return `${rbExecPath} is not built (scripts/build-fixtures.sh)`;
      if (!existsSync(rootfsDir(host.arch))) return `${rootfsDir(host.arch)} is not built (scripts/build-fixtures.sh)`;
      if (!existsSync(wasmModule('probe'))) return `${wasmModule('probe')} is not built (clang, lld, wasi-libc; scripts/build-fixtures.sh)`;
      return null;
    }
    case 'arm64':
      if (host.arch === 'arm64') return null;
      if (!emulatedArchs().includes('arm64')) return 'arm64 emulation is not registered with binfmt_misc (scripts/setup.sh registers qemu-aarch64)';
      return findBinary('aarch64-linux-gnu-gcc') ? null : 'no aarch64 cross compiler (gcc-aarch64-linux-gnu)';
    default:
      return `unknown name: RUNBENCH_REQUIRE names ${Object.keys(REQUIRABLE).join(', ')}`;
  }
}
