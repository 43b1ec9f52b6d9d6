/** `runbench compare BASE HEAD`: what changed between two results documents, and whether it regressed. */
import { existsSync } from 'node:fs';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { compareDocuments, DEFAULT_ALPHA, DEFAULT_CORRECTION, DEFAULT_THRESHOLD_PERCENT, type TestChoice, TESTS } from '../../core/compare.ts';
import { defaultNoiseFloorPath, readNoiseFloor, runVarianceLookup } from '../../core/noise-floor.ts';
import type { ResultsDocument } from '../../core/schema.ts';
import { type Correction, CORRECTIONS } from '../../core/multiple-testing.ts';
import { unexpected } from '../../core/environment.ts';
import { ExitCode, UserError } from '../../core/errors.ts';
import { comparisonToText, environmentToText } from '../../reports/compare-text.ts';
import { readResults } from '../../reports/json.ts';
import { mdCell } from '../../reports/escape.ts';
import { comparisonToMarkdown, environmentToMarkdown } from '../../reports/markdown-compare.ts';
import { appendStepSummary } from '../step-summary.ts';
import type { RegisterCommand } from './types.ts';

export function percent(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a percentage of at least 0, got '${value}'`);
    return n;
  };
}

export function probability(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n >= 1) throw new InvalidArgumentError(`${name} must be between 0 and 1, got '${value}'`);
    return n;
  };
}

interface CompareFlags {
  threshold: number;
  alpha: number;
  correction: Correction;
  allowEnvChange?: boolean;
  test: TestChoice;
  noiseFloor?: string | false;
  markdown?: boolean;
  json?: boolean;
  stepSummary: boolean;
}

/**
 * The noise floor's run-level variance of each row, or null without one. --no-noise-floor turns it
 * off; a floor named with --noise-floor must be this host's; the default floor is taken only when
 * every document ran on the host it was learned on. It widens the block test's error; the
 * threshold stays --threshold.
 */
function noiseFloorVariance(flags: CompareFlags, docs: readonly ResultsDocument[]) {
  if (flags.noiseFloor === false) return null;
  const explicit = typeof flags.noiseFloor === 'string';
  const head = docs[docs.length - 1] as ResultsDocument;
  const path = explicit ? (flags.noiseFloor as string) : defaultNoiseFloorPath(head.host.hostname);
  if (!explicit && !existsSync(path)) return null;
  const floor = readNoiseFloor(path);
  const others = docs.filter((d) => d.host.hostname !== floor.host.hostname).map((d) => d.host.hostname);
  if (others.length > 0) {
    if (explicit) throw new UserError(`${path} is the noise floor of ${floor.host.hostname}, but the documents ran on ${[...new Set(others)].join(', ')}`, ExitCode.usage);
    return null;
  }
  process.stderr.write(
    `noise floor: ${floor.host.hostname}'s run-to-run spread (${path}, learned ${floor.createdAt} from ${floor.runs.length} runs) is added to the block test's error; --no-noise-floor leaves it out\n`,
  );
  return runVarianceLookup(floor);
}

export const registerCompare: RegisterCommand = (program, { setExit }) => {
  program
    .command('compare')
    .description('compare two results documents: the change of each median with its interval, a Mann-Whitney U test adjusted across rows, a verdict')
    .argument('<files...>', 'results.json of the baseline (one run, or several runs of it) and, last, the results.json to judge against it')
    .addOption(
      new Option('--threshold <percent>', 'noise threshold: smaller changes are never a regression')
        .default(DEFAULT_THRESHOLD_PERCENT)
        .argParser(percent('--threshold')),
    )
    .addOption(new Option('--alpha <p>', 'significance level of the Mann-Whitney U test').default(DEFAULT_ALPHA).argParser(probability('--alpha')))
    .addOption(
      new Option('--correction <method>', 'adjust the p-values across rows: holm (family-wise error) or bh (Benjamini-Hochberg, false discovery rate)')
        .choices(CORRECTIONS)
        .default(DEFAULT_CORRECTION),
    )
    .addOption(
      new Option('--test <test>', "blocks: Welch's t-test on the log block medians, where both sides were sampled in blocks (the spread between blocks and runs is in it); samples: Mann-Whitney U on the pooled samples")
        .choices(TESTS)
        .default('blocks'),
    )
    .option('--noise-floor <file>', "add a host's run-to-run spread (runbench calibrate) to the block test's error; default: the head host's floor when calibrate stored one")
    .option('--no-noise-floor', "leave the run-to-run spread out, even where this host's noise floor is stored")
    .option('--allow-env-change', 'compare even when base and head ran in environments that can move the figures (kernel, host, CPU, runtime versions...)')
    .addOption(new Option('--markdown', 'print the comparison as Markdown (for a pull request)').conflicts('json'))
    .option('--json', 'print the comparison as JSON')
    .option('--no-step-summary', 'do not append the verdicts to $GITHUB_STEP_SUMMARY (GitHub Actions; appended whenever it is set)')
    .addHelpText(
      'after',
      `
First, what differs between the environments of base and head: host, kernel, CPU, cgroup layout,
runtime versions and features, runbench version. A difference that can move the figures makes
compare exit 2 without judging any row, unless --allow-env-change says it is expected.

Verdicts, one a row:
  regressed / improved  the adjusted p < alpha and the median moved by more than the threshold
  no change             the interval of the change lies within ± the threshold
  inconclusive          neither: too few samples or too noisy; says about how many samples a side would decide
The test: where both sides were sampled in blocks (run --blocks), each block is one unit and
Welch's t-test on the logarithms of the block medians judges the row (its change: the ratio of
the geometric means of the block medians), so the drift between blocks (and, with
several base files, between runs) is in the test; elsewhere the Mann-Whitney U test on the pooled
samples. Where runbench calibrate stored this host's noise floor, the run-to-run spread it
learned (beyond what blocks predict) is added to that test's error: one base run and one head
run cannot show it otherwise. The threshold: --threshold (5%).
Each runtime configuration's failure rate (failed or hung attempts) is compared too: Fisher's
exact test in the same family of p-values, the threshold read in percentage points.
Exits 3 when any measurement or failure rate regressed.`,
    )
    .action((files: string[], flags: CompareFlags, cmd: Command) => {
      if (files.length < 2) throw new UserError('compare needs a base and a head results.json', ExitCode.usage);
      const docs = files.map((f) => readResults(f));
      const head = docs[docs.length - 1] as ResultsDocument;
      const bases = docs.slice(0, -1);
      const runVarianceFor = noiseFloorVariance(flags, [...bases, head]);
      const c = compareDocuments(bases, head, {
        thresholdPercent: flags.threshold,
        alpha: flags.alpha,
        correction: flags.correction,
        test: flags.test,
        ...(runVarianceFor ? { runVarianceFor } : {}),
      });
      const moved = unexpected(c.environment);
      if (moved.length > 0 && !flags.allowEnvChange) {
        // show what differs where the comparison would have gone (a CI job summary), then refuse
        if (flags.json) process.stdout.write(`${JSON.stringify({ base: c.base, head: c.head, environment: c.environment, compared: false }, null, 2)}\n`);
        else process.stdout.write(flags.markdown ? `## runbench compare\n\n${environmentToMarkdown(c)}` : environmentToText(c));
        const why = `base and head ran in different environments (${moved.map((d) => d.what).join(', ')}): pass --allow-env-change if that is the change being measured`;
        if (flags.stepSummary) appendStepSummary(`## runbench compare\n\n${environmentToMarkdown(c)}\n**Not compared:** ${mdCell(why)}.\n`);
        throw new UserError(why, ExitCode.usage);
      }
      if (flags.json) process.stdout.write(`${JSON.stringify(c, null, 2)}\n`);
      else if (flags.markdown) process.stdout.write(comparisonToMarkdown(c));
      else process.stdout.write(comparisonToText(c));
      if (flags.stepSummary) appendStepSummary(comparisonToMarkdown(c));
      setExit(c.regressions > 0 ? ExitCode.regression : ExitCode.ok);
    });
};
