/** What compare's verdicts mean, in the one paragraph every report prints. */
import { type ComparisonOptions, type ComparisonRow } from '../core/compare.ts';
import { CORRECTION_NAMES } from '../core/multiple-testing.ts';

/** What the verdicts mean, in one paragraph every report prints; with the rows it says which tests and thresholds they took. */
export function describeMethod(
  options: Pick<Required<ComparisonOptions>, 'alpha' | 'correction' | 'thresholdPercent'>,
  rows: number | readonly ComparisonRow[],
  family?: number,
): string {
  const n = typeof rows === 'number' ? rows : rows.length;
  const tested = family ?? n;
  const list = typeof rows === 'number' ? [] : rows;
  const blocks = list.filter((r) => r.test === 'blocks').length;
  const tests =
    typeof rows === 'number' || blocks === n
      ? blocks === n && n > 0
        ? "Welch's t-test on the logarithms of the block medians (each block one unit, so the drift between blocks and runs is in the test; the change is then the ratio of the geometric means of the block medians)"
        : 'the Mann-Whitney U test'
      : blocks === 0
        ? 'the Mann-Whitney U test on the pooled samples'
        : `Welch's t-test on the log block medians for the ${blocks} rows sampled in blocks (their change: the ratio of the geometric means of the block medians), the Mann-Whitney U test on the pooled samples for the other ${n - blocks}`;
  const p = tested > 1 ? `its p-value, adjusted across the ${tested} rows by ${CORRECTION_NAMES[options.correction]},` : 'its p-value';
  const thresholds = [...new Set(list.map((r) => r.thresholdPercent))];
  const t = thresholds.length > 1 ? "the row's threshold" : `${thresholds[0] ?? options.thresholdPercent}%`;
  const level = Number(((1 - options.alpha) * 100).toFixed(1));
  return (
    `Test: ${tests}. Regressed or improved: ${p} is below ${options.alpha} and the median moved more than ${t}. ` +
    `No change: the ${level}% interval of the change lies within ±${t}. Inconclusive: neither, with about how many samples a side would decide.`
  );
}
