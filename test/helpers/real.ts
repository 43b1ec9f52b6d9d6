/** Real runtimes for integration tests, with the reason when one cannot be used here. */
import { existsSync } from 'node:fs';
import { hostFacts, isRoot } from '../../core/host.ts';
import { rbExecPath, rootfsDir } from '../../core/paths.ts';
import { KNOWN_RUNTIMES, parseRuntimeSpec, probeRuntime } from '../../core/runtimes.ts';
import type { RuntimeInfo } from '../../core/schema.ts';
import { knownProblems } from '../../core/doctor.ts';

export interface Availability {
  runtime: RuntimeInfo | null;
  skip: string | null;
}

export async function realRuntime(spec: string): Promise<Availability> {
  if (!isRoot()) return { runtime: null, skip: 'needs root' };
  const host = hostFacts();
  if (!existsSync(rbExecPath) || !existsSync(rootfsDir(host.arch))) return { runtime: null, skip: 'fixtures not built (scripts/build-fixtures.sh)' };
  const def = KNOWN_RUNTIMES.find((r) => r.name === spec) ?? parseRuntimeSpec(spec);
  const info = await probeRuntime(def);
  if (info.status !== 'ok') return { runtime: null, skip: `${spec} is ${info.status}: ${info.reason ?? ''}` };
  const blocking = knownProblems(host, [info], true).find((p) => p.severity === 'error');
  if (blocking) return { runtime: null, skip: `${spec}: ${blocking.message} (fix: ${blocking.fix})` };
  return { runtime: info, skip: null };
}
