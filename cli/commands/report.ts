/** `runbench report`: rebuild any report from results documents, without re-running anything. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Option } from 'commander';
import { DEFAULT_ALPHA, DEFAULT_THRESHOLD_PERCENT } from '../../core/compare.ts';
import { ExitCode, UserError } from '../../core/errors.ts';
import type { ResultsDocument } from '../../core/schema.ts';
import { EXPORTERS, isExporterName } from '../../reports/index.ts';
import { readResults, writeAtomic } from '../../reports/json.ts';
import { toMarkdownSummary } from '../../reports/markdown-summary.ts';
import { toTable } from '../../reports/table.ts';
import { appendStepSummary } from '../step-summary.ts';
import { percent, probability } from './compare.ts';
import type { RegisterCommand } from './types.ts';

interface ReportFlags {
  html?: string;
  format?: string;
  out?: string;
  baseline?: string;
  history?: string;
  threshold: number;
  alpha: number;
  stepSummary: boolean;
}

/** Every *.json under dir (nightly runs usually sit one directory each), read through the schema. */
export function readHistory(dir: string): ResultsDocument[] {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(dir);
  } catch {
    throw new UserError(`history directory ${dir} does not exist`);
  }
  if (!st.isDirectory()) throw new UserError(`--history needs a directory, ${dir} is not one`);
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.endsWith('.json')) files.push(p);
    }
  };
  walk(dir);
  if (files.length === 0) throw new UserError(`no results documents (*.json) under ${dir}`);
  return files.map(readResults).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

export function reportCommand(paths: string[], flags: ReportFlags): number {
  if (paths.length === 0 && !flags.history) throw new UserError('name at least one results file, or --history DIR');
  if (flags.baseline && paths.length === 0) throw new UserError('--baseline needs a results file to compare against it');
  if (flags.out && !flags.format) throw new UserError('--out goes with --format (or use --html FILE)');
  const format = flags.format;
  if (format !== undefined && !isExporterName(format)) {
    throw new UserError(`unknown format '${format}': formats are ${Object.keys(EXPORTERS).join(', ')}`);
  }
  const docs = paths.map(readResults);
  const options = {
    ...(flags.baseline ? { baseline: readResults(flags.baseline) } : {}),
    ...(flags.history ? { history: readHistory(flags.history) } : {}),
    thresholdPercent: flags.threshold,
    alpha: flags.alpha,
  };
  if (flags.html) {
    writeAtomic(flags.html, EXPORTERS.html.render(docs, options));
    process.stderr.write(`report: ${flags.html}\n`);
  }
  if (format !== undefined && isExporterName(format)) {
    if (format !== 'html' && docs.length === 0) throw new UserError(`--format ${format} needs results files (--history is drawn only in HTML)`);
    const text = EXPORTERS[format].render(docs, options);
    if (flags.out) {
      writeAtomic(flags.out, text);
      process.stderr.write(`report: ${flags.out}\n`);
    } else process.stdout.write(text);
  }
  if (!flags.html && format === undefined) for (const d of docs) process.stdout.write(toTable(d));
  if (flags.stepSummary && docs.length > 0) appendStepSummary(toMarkdownSummary(docs));
  return ExitCode.ok;
}

export const registerReport: RegisterCommand = (program, { setExit }) => {
  program
    .command('report')
    .description('build reports from results documents: HTML (charts, offline), Markdown, CSV, JUnit XML, TAP, github-action-benchmark JSON, OpenMetrics')
    .argument('[results...]', 'results.json files; several (hosts, architectures) merge into one report')
    .option('--html <file>', 'write the self-contained HTML report to FILE')
    .addOption(new Option('--format <name>', 'export format').choices(Object.keys(EXPORTERS)))
    .option('--out <file>', 'file for --format (default stdout)')
    .option('--baseline <file>', 'add a comparison of the first results file against this baseline (HTML)')
    .option('--history <dir>', 'trend charts over every results document under DIR, by startedAt (HTML)')
    .addOption(
      new Option('--threshold <percent>', 'noise threshold for --baseline and --history').default(DEFAULT_THRESHOLD_PERCENT).argParser(percent('--threshold')),
    )
    .addOption(new Option('--alpha <p>', 'significance level for --baseline and --history').default(DEFAULT_ALPHA).argParser(probability('--alpha')))
    .option('--no-step-summary', 'do not append the summary to $GITHUB_STEP_SUMMARY (GitHub Actions; appended whenever it is set)')
    .action((paths: string[], flags: ReportFlags) => {
      setExit(reportCommand(paths, flags));
    });
};
