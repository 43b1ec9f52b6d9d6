/** The warning every report carries when a run was taken on a noisy host (core/noise.ts). */
import type { ResultsDocument } from '../core/schema.ts';

export function noiseWarning(doc: ResultsDocument): string | null {
  const s = doc.noise?.summary;
  if (!s?.noisy) return null;
  return `noisy host during run ${doc.runId} (${doc.host.hostname}): ${s.reason ?? 'other work competed for the CPUs'}; differences of a few percent may be the host's, not the runtimes'`;
}
