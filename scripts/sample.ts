/**
 * Regenerates the sample reports in docs/sample/ from the results documents of those runs:
 * `npm run sample`. Each page is what `runbench report --html` makes of its document, so it
 * changes only when the document, the report code or the bundled chart libraries do;
 * test/reports/sample.test.ts fails until it is regenerated.
 */
import { writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../core/paths.ts';
import { toHtml } from '../reports/html.ts';
import { readResults } from '../reports/json.ts';

const dir = join(packageRoot, 'docs', 'sample');

export interface Sample {
  results: string;
  report: string;
}

/** The oci run the README quotes, and a run at the oci and containerd layers (14 configurations) the screenshots show. */
export const SAMPLES: readonly Sample[] = [
  { results: join(dir, 'results-oci.json'), report: join(dir, 'report-oci.html') },
  { results: join(dir, 'results-oci-containerd.json'), report: join(dir, 'report-oci-containerd.html') },
];

export const SAMPLE_RESULTS = (SAMPLES[0] as Sample).results;
export const SAMPLE_REPORT = (SAMPLES[0] as Sample).report;

/** A sample page, as written to its report. */
export function renderSample(sample: Sample): string {
  return toHtml([readResults(sample.results)]);
}

export function writeSample(sample: Sample, path: string = sample.report): void {
  writeFileSync(path, renderSample(sample));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const s of SAMPLES) {
    writeSample(s);
    const shown = relative(process.cwd(), s.report);
    process.stderr.write(`wrote ${shown.startsWith('..') ? s.report : shown}\n`);
  }
}
