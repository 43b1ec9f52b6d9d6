/**
 * How the runtime reads config.json: what it must ignore (properties it does not know),
 * what it must cope without (OPTIONAL fields left out), and a version label newer than
 * the one runbench writes. Each runs the probe with such a config: a runtime that
 * refuses it fails, and the probe's report shows the rest was applied as usual.
 */
import { OMITTABLE } from '../core/oci-spec.ts';
import type { Outcome } from '../core/schema.ts';
import { probeCheck } from './define.ts';
import { firstLine, type ProbeRun } from './probe.ts';
import { errored, failed, passed, type Check } from './types.ts';

const REF = 'runtime-spec config.md';
const LAYERS = ['oci', 'containerd'] as const;
/** The latest release of the runtime-spec when this check was written. */
export const NEWER_OCI_VERSION = '1.3.0';

/** A run the runtime refused: failed, with its own words. */
function refused(what: string): (run: ProbeRun) => Outcome {
  return (run) => {
    if (run.timedOut) return errored('the probe did not finish in time');
    const why = firstLine(run.stderr) || run.reportError || 'no output';
    return failed(`${what} was not run (exit ${run.exitCode}): ${why}`);
  };
}

const unknownProperties = probeCheck({
  id: 'config.unknown-properties',
  area: 'config',
  title: 'properties the spec does not define are ignored, at the top, in process and in linux',
  specRef: `${REF}#extensibility`,
  level: 'MUST',
  layers: LAYERS,
  setup: () => ({
    args: ['--exit', '0'],
    overrides: {
      unknownProperties: {
        config: { 'io.runbench.unknown': { nested: [1, 'two'] } },
        process: { 'io.runbench.unknown': true },
        linux: { 'io.runbench.unknown': 'x' },
      },
    },
  }),
  judge: (report) => (report.exitRequested === 0 ? passed() : errored(`the probe ran with unexpected args ${report.argv.join(' ')}`)),
  judgeNoReport: refused('a config with unknown properties'),
});

const newerVersion = probeCheck({
  id: 'config.newer-version',
  area: 'config',
  title: `a config labelled ociVersion ${NEWER_OCI_VERSION} that uses only what 1.0 defines is run`,
  // "retains forward and backward compatibility within major versions"
  specRef: `${REF}#specification-version`,
  level: 'SHOULD',
  layers: LAYERS,
  setup: () => ({ args: [], overrides: { ociVersion: NEWER_OCI_VERSION } }),
  judge: () => passed(),
  judgeNoReport: refused(`a config labelled ${NEWER_OCI_VERSION}`),
});

const optionalFields = probeCheck({
  id: 'config.optional-fields',
  area: 'config',
  title: 'a config without the OPTIONAL fields runbench usually writes is run',
  specRef: `${REF}#process, config-linux.md#masked-paths (OPTIONAL fields)`,
  level: 'MUST',
  layers: LAYERS,
  setup: () => ({ args: [], overrides: { omit: [...OMITTABLE] } }),
  judge(_report, run) {
    const present = OMITTABLE.filter((f) => {
      const [head, leaf] = f.split('.') as [string, string | undefined];
      const parent = (run.requested as Record<string, unknown>)[head];
      return leaf === undefined ? parent !== undefined : (parent as Record<string, unknown> | undefined)?.[leaf] !== undefined;
    });
    if (present.length) return errored(`the config still had ${present.join(', ')}`);
    return passed(`run without ${OMITTABLE.join(', ')}`);
  },
  judgeNoReport: refused('a config without optional fields'),
});

export const CONFIG_CHECKS: readonly Check[] = [unknownProperties, newerVersion, optionalFields];
