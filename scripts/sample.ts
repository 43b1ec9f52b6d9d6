/**
 * Regenerates the sample report, docs/sample/report-oci.html, from the results document of
 * that run, docs/sample/results-oci.json: `npm run sample`. The page is what `runbench report
 * --html` makes of the document, so it changes only when the document, the report code or the
 * bundled chart libraries do; test/reports/sample.test.ts fails until it is regenerated.
 */
import { writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../core/paths.ts';
import { toHtml } from '../reports/html.ts';
import { readResults } from '../reports/json.ts';

export const SAMPLE_RESULTS = join(packageRoot, 'docs', 'sample', 'results-oci.json');
export const SAMPLE_REPORT = join(packageRoot, 'docs', 'sample', 'report-oci.html');

/** The sample page, as written to SAMPLE_REPORT. */
export function renderSample(): string {
  return toHtml([readResults(SAMPLE_RESULTS)]);
}

export function writeSample(path: string = SAMPLE_REPORT): void {
  writeFileSync(path, renderSample());
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = resolve(process.argv[2] ?? SAMPLE_REPORT);
  writeSample(out);
  const shown = relative(process.cwd(), out);
  process.stderr.write(`wrote ${shown.startsWith('..') ? out : shown}\n`);
}
