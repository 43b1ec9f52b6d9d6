/** The sample report in docs/ is the page its committed results document gives today. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SAMPLE_REPORT, writeSample } from '../../scripts/sample.ts';
import { lazyTempDir } from '../helpers/tmp.ts';

const tmp = lazyTempDir('runbench-sample-');

/** The 1-based line of the first byte where two files differ. */
function firstDifferentLine(a: Buffer, b: Buffer): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return a.subarray(0, i).toString('utf8').split('\n').length;
}

describe('docs/sample/report-oci.html', () => {
  it('is byte for byte what docs/sample/results-oci.json gives', () => {
    const out = join(tmp(), 'report-oci.html');
    writeSample(out);
    const fresh = readFileSync(out);
    const committed = readFileSync(SAMPLE_REPORT);
    const same = fresh.equals(committed);
    expect(
      same,
      same
        ? ''
        : `docs/sample/report-oci.html is out of date (first difference on line ${firstDifferentLine(fresh, committed)}): run \`npm run sample\` and commit the page`,
    ).toBe(true);
  });
});
