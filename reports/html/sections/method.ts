/** Method: how the figures were measured and computed, and the parameters of each run. */
import type { ResultsDocument } from '../../../core/schema.ts';
import { rankingNote } from '../../../core/ranking.ts';
import { BOOTSTRAP_RESAMPLES, CI_LEVEL, OUTLIER_MODIFIED_Z } from '../../../core/stats.ts';
import type { Section, SectionContext } from '../types.ts';

function methodSection(docs: readonly ResultsDocument[], thresholdPercent: number, alpha: number): Section {
  return {
    id: 'method',
    title: 'Method',
    paragraphs: [
      'Timing: a resident C helper (rb-exec) reads CLOCK_MONOTONIC around posix_spawn and wait4 of each runtime command, so neither Node nor the event loop lands in a figure. Peak RSS comes from wait4 rusage; cgroup peaks from the container cgroup.',
      'Sampling: tinybench schedules the warmup runs and the measured runs; each sample is the duration rb-exec measured, kept raw in the results document in the order taken.',
      `Statistics: the median with a distribution-free confidence interval from two order statistics, exact for any distribution: the narrowest pair whose coverage reaches ${CI_LEVEL * 100}%; fewer than 6 samples cannot reach it, and the interval is then the range of the samples, shown with its true coverage. p95 and p99 by linear interpolation; outliers are samples whose modified z-score (0.6745 (x − median) / MAD) exceeds ${OUTLIER_MODIFIED_Z}, and when the MAD is 0 (more than half the samples equal) every sample away from the median, as hyperfine counts them. They are counted, not removed. Ratio to best: against the best in the same layer, suite, metric, workload and architecture. ${rankingNote()} Bootstrap intervals take ${BOOTSTRAP_RESAMPLES} resamples, seeded by the samples so the page is reproducible (coarse from a few samples). The summary, the tables and the terminal rank with this one test, so they agree on every pair.`,
      `Comparison: for each measurement present in both documents, the change of the median; the distribution-free interval of the shift from base to head that goes with the Mann-Whitney U test (Hodges-Lehmann, Moses: order statistics of the pairwise differences, with the coverage it really has when there are too few samples for ${(1 - alpha) * 100}%); and a two-sided Mann-Whitney U test (exact without ties when a sample has at most 8 values, otherwise the normal approximation with tie and continuity correction), its p-values adjusted across the rows (Holm unless asked otherwise). Regressed means the adjusted p < ${alpha} and worse than the ${thresholdPercent}% noise threshold in the metric's bad direction (up for times and bytes, down for rates and ratios); no change means the interval lies within ±${thresholdPercent}%; anything else is inconclusive, with about how many samples a side would decide. A maxRegression threshold in the config is judged the same way: breached only on a regression, not checked when inconclusive.`,
      'Every figure in this page is computed from the results documents it was built from; they can be rebuilt at any time with runbench report.',
    ],
    figures: [],
    tables: [
      {
        caption: 'run parameters',
        columns: ['host', 'run', 'suites', 'runtimes', 'layers', 'runs', 'warmup', 'concurrency', 'churn', 'config digest', 'runbench'],
        numeric: [false, false, false, false, false, true, true, true, true, false, false],
        rows: docs.map((d) => [
          d.host.hostname,
          d.runId,
          d.parameters.suites.join(', '),
          d.parameters.runtimes.join(', '),
          d.parameters.layers.join(', '),
          String(d.parameters.runs),
          String(d.parameters.warmup),
          String(d.parameters.concurrency),
          String(d.parameters.churnContainers),
          d.config.digest,
          d.tool.version,
        ]),
      },
    ],
  };
}

/** The documents' method; a history report without documents of its own takes the last history document's. */
export function buildMethod({ docs, history, thresholdPercent, alpha }: SectionContext): Section | null {
  if (docs.length > 0) return methodSection(docs, thresholdPercent, alpha);
  if (history && history.length > 0) return methodSection([...history].slice(-1), thresholdPercent, alpha);
  return null;
}
