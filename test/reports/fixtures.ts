/** Hand-written results documents in test/fixtures-data/, read through the schema like any input. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResultsDocument } from '../../core/schema.ts';
import { readResults } from '../../reports/json.ts';

export const FIXTURES_DATA = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures-data');

export function fixturePath(name: string): string {
  return join(FIXTURES_DATA, name);
}

export function loadFixture(name: string): ResultsDocument {
  return readResults(fixturePath(name));
}
