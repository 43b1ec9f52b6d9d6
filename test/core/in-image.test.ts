/** Why an in-image rootfs cannot run for an arch: what to build, or the failure recorded for that arch. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// paths.ts reads these when first imported
const dir = mkdtempSync(join(tmpdir(), 'runbench-in-image-'));
process.env.RUNBENCH_BUILD_DIR = join(dir, 'build');
process.env.RUNBENCH_CACHE_DIR = join(dir, 'cache');
const { inImageRootfs, inImageRootfsMissing } = await import('../../core/in-image.ts');
const { KNOWN_RUNTIMES } = await import('../../core/runtimes.ts');
const { ociArch } = await import('../../core/host.ts');
afterAll(() => {
  delete process.env.RUNBENCH_BUILD_DIR;
  delete process.env.RUNBENCH_CACHE_DIR;
  rmSync(dir, { recursive: true, force: true });
});

const via = KNOWN_RUNTIMES.find((r) => r.name === 'runc/wasmtime-in-image')!.wasmVia!;
const host = ociArch();
const foreign = host === 'amd64' ? 'arm64' : 'amd64';
const status = join(dir, 'cache', 'status');

describe('inImageRootfsMissing', () => {
  it('names the build for the host arch, and the cross build for another', () => {
    expect(inImageRootfsMissing(via, host)).toBe(
      `no rootfs at ${inImageRootfs(via, host)}: run scripts/build-wasmtime-cli.sh, then scripts/build-wasmtime-image.sh`,
    );
    expect(inImageRootfsMissing(via, foreign)).toBe(
      `no rootfs at ${inImageRootfs(via, foreign)}: run scripts/build-wasmtime-cli.sh --arch ${foreign}, then scripts/build-wasmtime-image.sh`,
    );
  });

  it("gives a foreign arch's recorded build failure, the CLI's before the image's", () => {
    mkdirSync(status, { recursive: true });
    writeFileSync(join(status, `wasmtime-in-image-${foreign}.failed`), `libfoo.so.1, needed by wasmtime, is not in /usr/x/lib\n`);
    expect(inImageRootfsMissing(via, foreign)).toBe(`the ${foreign} build of wasmtime in its image failed: libfoo.so.1, needed by wasmtime, is not in /usr/x/lib`);
    writeFileSync(join(status, `wasmtime-cli-${foreign}.failed`), 'cargo install wasmtime-cli 46.0.1 --target x failed: linker not found; log: l\n');
    expect(inImageRootfsMissing(via, foreign)).toMatch(/^the \w+ build of wasmtime in its image failed: cargo install wasmtime-cli 46\.0\.1 --target x failed/);
    // the host arch's failure is the runtime's own (probeRuntime reports it broken)
    expect(inImageRootfsMissing(via, host)).toMatch(/^no rootfs at /);
  });

  it('says a runtime built for the host only has no image of another arch, and what builds the host\'s', () => {
    const wasmer = KNOWN_RUNTIMES.find((r) => r.name === 'crun/wasmer-aot-in-image')!.wasmVia!;
    expect(inImageRootfsMissing(wasmer, host)).toBe(
      `no rootfs at ${inImageRootfs(wasmer, host)}: run scripts/build-wasmer-cli.sh, then scripts/build-wasmer-image.sh`,
    );
    expect(inImageRootfsMissing(wasmer, foreign)).toBe(
      `wasmer is built for the host architecture only (scripts/build-wasmer-cli.sh has no cross build): no ${foreign} image to run`,
    );
    // a rootfs of the host's from before the precompiled modules
    mkdirSync(join(inImageRootfs(wasmer, host), 'usr/local/bin'), { recursive: true });
    writeFileSync(join(inImageRootfs(wasmer, host), wasmer.runtimePath), '');
    expect(inImageRootfsMissing(wasmer, host)).toBe(`${inImageRootfs(wasmer, host)} has no /wasm-aot: run scripts/build-wasmer-image.sh`);
    rmSync(inImageRootfs(wasmer, host), { recursive: true });
  });

  it('is null once the rootfs carries the runtime, whatever an old failure says', () => {
    const rootfs = inImageRootfs(via, foreign);
    mkdirSync(join(rootfs, 'usr/local/bin'), { recursive: true });
    expect(inImageRootfsMissing(via, foreign)).toMatch(/build of wasmtime in its image failed/);
    writeFileSync(join(rootfs, via.runtimePath), '');
    expect(inImageRootfsMissing(via, foreign)).toBeNull();
    rmSync(join(status, `wasmtime-cli-${foreign}.failed`));
    rmSync(join(status, `wasmtime-in-image-${foreign}.failed`));
    rmSync(join(rootfs, via.runtimePath));
    expect(inImageRootfsMissing(via, foreign)).toBe(`${rootfs} has no ${via.runtimePath}: run scripts/build-wasmtime-image.sh`);
  });
});
