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
import { defaultNoiseFloorPath, floorLookup, learnNoiseFloor, type NoiseFloor } from '../../core/noise-floor.ts';
import type { ResultsDocument } from '../../core/schema.ts';
import { readResults, writeAtomic } from '../../reports/json.ts';
import { addRunOptions, givenFlags, positiveInt, runCommand, type RunFlags } from './run.ts';
import type { RegisterCommand } from './types.ts';

interface CalibrateFlags extends RunFlags {
  repeats: number;
  floor?: string;
}

/** How the A/A pairs of consecutive runs compare, with the default threshold and with the floor. */
function aaLines(runs: readonly ResultsDocument[], floor: NoiseFloor): string[] {
  const lines: string[] = [];
  for (let i = 1; i < runs.length; i++) {
    const base = runs[i - 1] as ResultsDocument;
    const head = runs[i] as ResultsDocument;
    const plain = compareDocuments(base, head, { thresholdPercent: 5, alpha: DEFAULT_ALPHA });
    const floored = compareDocuments(base, head, { thresholdPercent: 5, alpha: DEFAULT_ALPHA, thresholdFor: floorLookup(floor) });
    const flagged = (c: typeof plain) => c.regressions + c.improvements + c.changed;
    lines.push(
      `  run ${i} → run ${i + 1}: ${flagged(plain)} of ${plain.rows.length} rows flagged at the 5% threshold, ${flagged(floored)} at this floor`,
    );
  }
  return lines;
}

function summary(floor: NoiseFloor, path: string, runs: readonly ResultsDocument[]): string {
  const rows = [...floor.entries].sort((a, b) => b.floorPercent - a.floorPercent);
  const width = Math.max(10, ...rows.map((e) => describeKey(e.key).length));
  const out = [
    `noise floor of ${floor.host.hostname} from ${floor.runs.length} runs: ${path}`,
    `  ${'measurement'.padEnd(width)}  spread  floor`,
    ...rows.map((e) => `  ${describeKey(e.key).padEnd(width)}  ${e.spreadPercent.toFixed(1).padStart(5)}%  ${e.floorPercent.toFixed(1).padStart(5)}%`),
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
      .description("learn this host's noise floor: run the same matrix several times and store each measurement's run-to-run spread, which compare takes as its threshold here"),
  )
    .addOption(new Option('--repeats <n>', 'runs of the matrix (at least 2; more give a tighter floor)').default(3).argParser(positiveInt('--repeats', 2)))
    .option('--floor <file>', 'where to store the floor (default ~/.cache/runbench/noise-floor/<hostname>.json, where compare looks for it)')
    .addHelpText(
      'after',
      `
The runs' results go to --out (default runbench-calibration)/run-N. The floor of each measurement
is the upper 95% prediction bound of the difference between two more runs' medians, from the
spread of the log medians over the runs: exp(t(R-1, 0.975) * sqrt(2) * s) - 1, and at least 1%.`,
    )
    .action(async (flags: CalibrateFlags, cmd: Command) => {
      setExit(await calibrateCommand({ ...givenFlags(flags, cmd), repeats: flags.repeats, ...(flags.floor ? { floor: flags.floor } : {}) }));
    });
};
