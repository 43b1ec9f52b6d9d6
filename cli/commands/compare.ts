/** `runbench compare BASE HEAD`: what changed between two results documents, and whether it regressed. */
import { InvalidArgumentError, Option } from 'commander';
import { compareDocuments, DEFAULT_ALPHA, DEFAULT_CORRECTION, DEFAULT_THRESHOLD_PERCENT } from '../../core/compare.ts';
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
  markdown?: boolean;
  json?: boolean;
  stepSummary: boolean;
}

export const registerCompare: RegisterCommand = (program, { setExit }) => {
  program
    .command('compare')
    .description('compare two results documents: the change of each median with its interval, a Mann-Whitney U test adjusted across rows, a verdict')
    .argument('<base>', 'results.json of the baseline')
    .argument('<head>', 'results.json to judge against it')
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
Exits 3 when any measurement regressed.`,
    )
    .action((basePath: string, headPath: string, flags: CompareFlags) => {
      const base = readResults(basePath);
      const head = readResults(headPath);
      const c = compareDocuments(base, head, { thresholdPercent: flags.threshold, alpha: flags.alpha, correction: flags.correction });
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
