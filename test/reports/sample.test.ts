/** The sample reports in docs/sample/ are the pages their committed results documents give today. */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SAMPLES, writeSample } from '../../scripts/sample.ts';
import { lazyTempDir } from '../helpers/tmp.ts';

const tmp = lazyTempDir('runbench-sample-');

/** The 1-based line of the first byte where two files differ. */
function firstDifferentLine(a: Buffer, b: Buffer): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return a.subarray(0, i).toString('utf8').split('\n').length;
}

describe('docs/sample/', () => {
  for (const sample of SAMPLES) {
    it(`${basename(sample.report)} is byte for byte what ${basename(sample.results)} gives`, () => {
      const out = join(tmp(), basename(sample.report));
      writeSample(sample, out);
      const fresh = readFileSync(out);
      const committed = readFileSync(sample.report);
      const same = fresh.equals(committed);
      expect(
        same,
        same
          ? ''
          : `docs/sample/${basename(sample.report)} is out of date (first difference on line ${firstDifferentLine(fresh, committed)}): run \`npm run sample\` and commit the page`,
      ).toBe(true);
    });
  }
});
