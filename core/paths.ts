import { existsSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository / package root (one level above core/). */
export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const buildDir = process.env.RUNBENCH_BUILD_DIR ?? join(packageRoot, 'build');
/** Heavy builds (youki, wasmtime, the shim) live here, keyed by version, outside the repo. */
export const cacheDir = process.env.RUNBENCH_CACHE_DIR ?? join(homedir(), '.cache', 'runbench');
export const cacheBinDir = join(cacheDir, 'bin');
export const cacheStatusDir = join(cacheDir, 'status');

/**
 * What scripts/setup.sh recorded in the first of `names`' status markers of one kind
 * (`<name>.failed`: its build failed; `<name>.missing`: the tier chose not to provide it),
 * `fallback` when that marker is empty, null when none of them exists.
 */
export function statusMarker(names: Iterable<string>, kind: 'failed' | 'missing', fallback: string): string | null {
  for (const name of names) {
    const marker = join(cacheStatusDir, `${name}.${kind}`);
    if (existsSync(marker)) return readFileSync(marker, 'utf8').trim() || fallback;
  }
  return null;
}

export function fixtureBinary(arch: string, name: string): string {
  return join(buildDir, 'fixtures', arch, 'bin', name);
}
export function wasmModule(name: string): string {
  return join(buildDir, 'fixtures', 'wasm', `${name}.wasm`);
}
export function rootfsDir(arch: string): string {
  return join(buildDir, 'rootfs', arch);
}
export const rbExecPath = join(buildDir, 'bin', 'rb-exec');

/**
 * Scratch space for one run: runtime state (--root), bundles and outputs. Under /run
 * (tmpfs) when root, so state never touches disk and a reboot clears it.
 */
export function runScratchBase(): string {
  if (process.env.RUNBENCH_SCRATCH_DIR) return process.env.RUNBENCH_SCRATCH_DIR;
  return process.getuid?.() === 0 ? '/run/runbench' : join(tmpdir(), 'runbench');
}
