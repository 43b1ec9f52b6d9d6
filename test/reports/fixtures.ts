/** Hand-written results documents in test/fixtures-data/, read through the schema like any input. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResultsDocument } from '../../core/schema.ts';
import { computeStats } from '../../core/stats.ts';
import { readResults } from '../../reports/json.ts';

export const FIXTURES_DATA = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures-data');

export function fixturePath(name: string): string {
  return join(FIXTURES_DATA, name);
}

export function loadFixture(name: string): ResultsDocument {
  return readResults(fixturePath(name));
}

/** Nightly documents: the same fixture on four nights, the third one 40% slower for crun lifecycle. */
export function nightlies(): ResultsDocument[] {
  const base = loadFixture('single-host.json');
  return [0, 1, 2, 3].map((night) => {
    const d = structuredClone(base);
    d.runId = `2026110${night + 1}nightly`;
    d.startedAt = `2026-11-0${night + 1}T02:00:00.000Z`;
    if (night === 2) {
      for (const m of d.measurements) {
        if (m.metric === 'lifecycle' && m.labels.runtime === 'crun' && m.labels.workloadKind === 'native') {
          m.samples = m.samples.map((x) => x * 1.4);
          m.stats = computeStats(m.samples);
        }
      }
    }
    return d;
  });
}
