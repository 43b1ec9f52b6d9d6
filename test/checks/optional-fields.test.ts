/**
 * A valid config may leave out every OPTIONAL field: each check must still judge the
 * runtime (pass, fail, skip, or error for a reason of its own), never trip over the
 * field that is missing. The checks run against a stand-in target that runs the built
 * probe on the host and reports, as "requested", a config without those fields.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../checks/index.ts';
import type { CheckContext, ConformanceTarget, ProbeRequest } from '../../checks/types.ts';
import { hostNamespaces } from '../../checks/run.ts';
import { OciConfig, ociConfig, OMITTABLE } from '../../core/oci-spec.ts';
import { fixtureBinary } from '../../core/paths.ts';
import { probeRun, type ProbeRun } from '../../core/probe-report.ts';
import { hostFacts } from '../../core/host.ts';
import { workloadBuilt } from '../../core/workloads.ts';
import { lazyTempDir } from '../helpers/tmp.ts';

const arch = hostFacts().arch;
const dir = lazyTempDir('runbench-optional-');

/** The config shapes a runtime may be handed, from what the check asked for. */
const SHAPES: Record<string, (asked: OciConfig) => OciConfig> = {
  'without the optional fields runbench writes': (asked) => asked,
  'with only the required fields': (asked) =>
    OciConfig.parse({ ociVersion: asked.ociVersion, root: { path: '/' }, process: { cwd: '/', user: { uid: 0, gid: 0 }, args: asked.process?.args } }),
};

class HostProbe implements ConformanceTarget {
  readonly layer = 'oci' as const;
  readonly runtimeName = 'host';
  readonly wasmHandlers = [];
  readonly containers = null;
  private n = 0;
  private readonly scratch = mkdtempSync(join(dir(), 'target-'));
  constructor(private readonly shape: (asked: OciConfig) => OciConfig) {}

  async probe(req: ProbeRequest): Promise<ProbeRun> {
    const asked = ociConfig({ args: ['/bin/probe', ...req.args], rootfs: '/', ...req.overrides, omit: [...OMITTABLE] });
    const r = spawnSync(fixtureBinary(arch, 'probe'), req.args, { encoding: 'utf8', timeout: 30_000 });
    return probeRun(this.shape(asked), { exitCode: r.status ?? -1, timedOut: false, stdout: r.stdout, stderr: r.stderr });
  }

  scratchDir(name: string): string {
    const d = join(this.scratch, `${name}-${++this.n}`);
    mkdirSync(d, { recursive: true });
    return d;
  }
}

const probeChecks = CHECKS.filter((c) => c.kinds.includes('native') && !c.needs?.includes('containers'));

describe.skipIf(!workloadBuilt('probe', 'native', arch))('checks judge a config without optional fields', () => {
  for (const [name, shape] of Object.entries(SHAPES)) {
    it(
      name,
      async () => {
        const target = new HostProbe(shape);
        const ctx: CheckContext = { target, hostNamespaces: hostNamespaces(), hostHostname: 'host', signal: new AbortController().signal };
        for (const check of probeChecks) {
          const outcome = await check.run(ctx);
          expect(['passed', 'failed', 'skipped', 'errored'], check.id).toContain(outcome.status);
          // an error of the check's own, never the model refusing the config or a missing field read
          expect(outcome.reason ?? '', check.id).not.toMatch(/expected .* received|schema|Cannot read properties|undefined/);
        }
      },
      120_000,
    );
  }
});
