/** `runbench init`: a commented runbench.yaml for the runtimes found here, and the nightly CI workflow of docs/nightly-workflow.yml. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ExitCode, UserError } from '../../core/errors.ts';
import { packageRoot } from '../../core/paths.ts';
import { KNOWN_RUNTIMES, probeRuntime } from '../../core/runtimes.ts';
import type { RuntimeInfo } from '../../core/schema.ts';
import type { RegisterCommand } from './types.ts';

export const CONFIG_FILE = 'runbench.yaml';
export const WORKFLOW_FILE = join('.github', 'workflows', 'runbench-nightly.yml');
export const SCHEMA_PATH = join(packageRoot, 'schema', 'runbench.config.schema.json');

function schemaRef(dir: string): string {
  const rel = relative(dir, SCHEMA_PATH);
  return rel.startsWith('.') ? rel : `./${rel}`;
}

export function sampleConfig(runtimes: readonly RuntimeInfo[], dir: string): string {
  const found = runtimes.filter((r) => r.status === 'ok');
  const others = runtimes.filter((r) => r.status !== 'ok');
  const runtimeLines = found.length
    ? found.map((r) => `  - ${r.name}${' '.repeat(Math.max(1, 16 - r.name.length))}# ${r.path ?? ''}${r.version ? ` (${r.version})` : ''}`)
    : ['  - runc            # none was found here: install one with scripts/setup.sh'];
  const otherLines = others.map((r) => `  # - ${r.name}${' '.repeat(Math.max(1, 14 - r.name.length))}# ${r.status}: ${r.reason ?? ''}`);
  const firstRuntime = found.find((r) => r.kind === 'oci')?.name ?? 'runc';
  // a containerd shim found here is measured at the containerd layer, so the sample asks for it
  const layers = found.some((r) => r.kind === 'containerd-shim') ? '[oci, containerd]' : '[oci]';
  return `# yaml-language-server: $schema=${schemaRef(dir)}
#
# runbench configuration: what \`runbench run --config ${CONFIG_FILE}\` measures and the
# thresholds that fail the run (exit 3; 4 for conformance). Flags on the command line
# override anything here. Paths are relative to this file.

# Runtimes to measure. A known name is enough; any other OCI runtime is a name and a binary:
#   - name: crun-wasmedge
#     binary: /usr/local/bin/crun        # built with WasmEdge
#     wasm:
#       annotations: { run.oci.handler: wasm }
#   - name: runsc-kvm
#     binary: runsc
#     globalArgs: [--platform=kvm, --network=none]
# A containerd shim (layers: [containerd]) or a RuntimeClass (layers: [kubernetes]):
#   - name: spin
#     shim: io.containerd.spin.v2
runtimes:
${[...runtimeLines, ...otherLines].join('\n')}

layers: ${layers}${' '.repeat(Math.max(1, 28 - layers.length))}# oci, containerd, kubernetes; a runtime is skipped, with the reason, at a layer that cannot drive it
suites: [startup, memory, throughput]
workloads:
  kinds: [native, wasm]             # wasm runs where the runtime has a Wasm handler

runs: 30                            # samples per metric
warmup: 3                           # discarded runs before each metric
blocks: 3                           # rounds of interleaved sampling (runtimes take turns)
concurrency: 4                      # parallel containers in the churn test
churn: 20                           # containers per churn round
timeout: 60s                        # deadline for one operation
hangFactor: 10                      # then 10 x a series' median (at least 5 s) once it has 3 good samples; 0: off

out: runbench-results               # results.json and results.csv go here
# baseline: previous/results.json   # an earlier run, for maxRegression (or --baseline)

thresholds:
  metrics:
    # The median one-shot run may not get more than 5% slower than the baseline's.
    - metric: startup.run
      stat: p50
      maxRegression: 5%
    # An absolute bound for one runtime.
    - metric: startup.run
      runtime: ${firstRuntime}
      stat: p95
      max: 250ms
    # Throughput may not drop more than 10% (for rates, lower is worse).
    - metric: throughput.cpuIntOpsPerSec
      maxRegression: 10%
  conformance:
    maxMustFailures: 0              # no failed MUST check is allowed
  # Failed or hung attempts a runtime configuration may show: breached when the 95% interval
  # of its failure rate lies above it. Without it, failures fail the run only when a series
  # keeps fewer than half of its samples.
  maxFailureRate: 5%
`;
}

/** The nightly workflow: docs/nightly-workflow.yml, the one copy the README shows and its test runs. */
export const WORKFLOW_SOURCE = join(packageRoot, 'docs', 'nightly-workflow.yml');

export function sampleWorkflow(): string {
  return readFileSync(WORKFLOW_SOURCE, 'utf8');
}

export interface InitOptions {
  dir: string;
  force: boolean;
}

/** Writes both files; refuses to overwrite either unless forced (nothing is written then). */
export async function initCommand(opts: InitOptions, runtimes?: RuntimeInfo[]): Promise<string[]> {
  const dir = resolve(opts.dir);
  const files = [join(dir, CONFIG_FILE), join(dir, WORKFLOW_FILE)];
  if (!opts.force) {
    const existing = files.find((f) => existsSync(f));
    if (existing) throw new UserError(`${relative(process.cwd(), existing) || existing} exists: use --force to overwrite it`, ExitCode.usage);
  }
  // Version probes only: no container is started.
  // a RuntimeClass runbench knows is for a run of the kubernetes layer alone, which the sample is not
  const found = runtimes ?? (await Promise.all(KNOWN_RUNTIMES.filter((r) => r.kind !== 'runtime-class').map(probeRuntime)));
  const contents = [sampleConfig(found, dir), sampleWorkflow()];
  files.forEach((f, i) => {
    mkdirSync(dirname(f), { recursive: true });
    writeFileSync(f, contents[i] ?? '');
  });
  return files;
}

export const registerInit: RegisterCommand = (program, { setExit }) => {
  program
    .command('init')
    .description(`write a commented ${CONFIG_FILE} for the runtimes found here and a nightly CI workflow`)
    .option('--dir <dir>', 'where to write them', '.')
    .option('--force', 'overwrite existing files')
    .action(async (opts: { dir: string; force?: boolean }) => {
      const written = await initCommand({ dir: opts.dir, force: opts.force ?? false });
      for (const f of written) process.stderr.write(`wrote ${relative(process.cwd(), f) || f}\n`);
      process.stderr.write(`next: runbench run --config ${relative(process.cwd(), written[0] ?? CONFIG_FILE)}\n`);
      setExit(ExitCode.ok);
    });
};
