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
