/**
 * `runbench calibrate`: runs the same matrix several times back to back (an A/A repeat) and
 * stores each measurement's run-to-run spread as this host's noise floor, which `compare`
 * then takes as its threshold on this host.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Option, type Command } from 'commander';
import { compareDocuments, DEFAULT_ALPHA, describeKey } from '../../core/compare.ts';
import { ExitCode } from '../../core/errors.ts';
import { hostFacts } from '../../core/host.ts';
import { defaultNoiseFloorPath, learnNoiseFloor, type NoiseFloor, runVarianceLookup } from '../../core/noise-floor.ts';
import type { ResultsDocument } from '../../core/schema.ts';
import { readResults, writeAtomic } from '../../reports/json.ts';
import { addRunOptions, givenFlags, positiveInt, runCommand, type RunFlags } from './run.ts';
import type { RegisterCommand } from './types.ts';

interface CalibrateFlags extends RunFlags {
  repeats: number;
  floor?: string;
}

/** How the A/A pairs of consecutive runs compare, without the floor and with it (the floor was learned from these very runs). */
function aaLines(runs: readonly ResultsDocument[], floor: NoiseFloor): string[] {
  const lines: string[] = [];
  for (let i = 1; i < runs.length; i++) {
    const base = runs[i - 1] as ResultsDocument;
    const head = runs[i] as ResultsDocument;
    const plain = compareDocuments(base, head, { thresholdPercent: 5, alpha: DEFAULT_ALPHA });
    const floored = compareDocuments(base, head, { thresholdPercent: 5, alpha: DEFAULT_ALPHA, runVarianceFor: runVarianceLookup(floor) });
    const flagged = (c: typeof plain) => c.regressions + c.improvements + c.changed;
    lines.push(
      `  run ${i} → run ${i + 1}: ${flagged(plain)} of ${plain.rows.length} rows flagged without the floor, ${flagged(floored)} with it (5% threshold)`,
    );
  }
  return lines;
}

function summary(floor: NoiseFloor, path: string, runs: readonly ResultsDocument[]): string {
  const rows = [...floor.entries].sort((a, b) => b.runSpreadLog - a.runSpreadLog || b.spreadPercent - a.spreadPercent);
  const width = Math.max(10, ...rows.map((e) => describeKey(e.key).length));
  const out = [
    `noise floor of ${floor.host.hostname} from ${floor.runs.length} runs: ${path}`,
    `  (spread: standard deviation of the runs' levels; run-level: the part of it the blocks within a run do not explain, which compare adds to its error)`,
    `  ${'measurement'.padEnd(width)}  spread  run-level`,
    ...rows.map((e) => `  ${describeKey(e.key).padEnd(width)}  ${e.spreadPercent.toFixed(1).padStart(5)}%  ${(e.runSpreadLog * 100).toFixed(1).padStart(8)}%`),
    'A/A comparisons of consecutive runs:',
    ...aaLines(runs, floor),
    '',
  ];
  return `${out.join('\n')}\n`;
}

export async function calibrateCommand(flags: CalibrateFlags): Promise<number> {
  const { repeats, floor: floorPath, ...run } = flags;
  const dir = run.out ?? 'runbench-calibration';
  const docs: ResultsDocument[] = [];
  for (let i = 1; i <= repeats; i++) {
    process.stderr.write(`\n== calibrate: run ${i} of ${repeats}\n`);
    const out = join(dir, `run-${i}`);
    const code = await runCommand({ ...run, out });
    if (code === ExitCode.interrupted || code === 143) return code;
    if (code === ExitCode.usage) return code;
    docs.push(readResults(join(out, 'results.json')));
  }
  const floor = learnNoiseFloor(docs);
  const path = floorPath ?? defaultNoiseFloorPath(hostFacts().hostname);
  mkdirSync(dirname(path), { recursive: true });
  writeAtomic(path, `${JSON.stringify(floor, null, 2)}\n`);
  process.stderr.write(`\n${summary(floor, path, docs)}`);
  return ExitCode.ok;
}

export const registerCalibrate: RegisterCommand = (program, { setExit }) => {
  addRunOptions(
    program
      .command('calibrate')
      .description("learn this host's noise floor: run the same matrix several times and store each measurement's run-to-run spread, which compare adds to its test's error here"),
  )
    .addOption(new Option('--repeats <n>', 'runs of the matrix (at least 2; more give a tighter floor)').default(3).argParser(positiveInt('--repeats', 2)))
    .option('--floor <file>', 'where to store the floor (default ~/.cache/runbench/noise-floor/<hostname>.json, where compare looks for it)')
    .addHelpText(
      'after',
      `
The runs' results go to --out (default runbench-calibration)/run-N. For each measurement the floor
is the run-level spread: the variance of the runs' levels (the mean log block median of each run)
less the part the blocks within a run explain, with R-1 degrees of freedom. compare adds it to
the block test's error on this host.`,
    )
    .action(async (flags: CalibrateFlags, cmd: Command) => {
      setExit(await calibrateCommand({ ...givenFlags(flags, cmd), repeats: flags.repeats, ...(flags.floor ? { floor: flags.floor } : {}) }));
    });
};
