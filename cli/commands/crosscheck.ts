/** `runbench crosscheck`: does runbench's `run` figure agree with hyperfine's for the same command? */
import { Option } from 'commander';
import { crosscheck } from '../../runners/oci/crosscheck.ts';
import { ExitCode, UserError } from '../../core/errors.ts';
import { formatValue } from '../../core/format.ts';
import { hostFacts } from '../../core/host.ts';
import { parseRuntimeSpec, probeRuntime } from '../../core/runtimes.ts';
import { list, positiveInt } from './run.ts';
import type { RegisterCommand } from './types.ts';

export const registerCrosscheck: RegisterCommand = (program, { setExit }) => {
  program
    .command('crosscheck')
    .description("time each runtime's `run` of hello with runbench and with hyperfine -N on the same bundle, in alternating blocks")
    .option('--runtime <names>', 'runtimes, comma-separated (default runc,crun)', list)
    .addOption(new Option('--runs <n>', 'samples per tool').default(60).argParser(positiveInt('--runs')))
    .addOption(new Option('--blocks <n>', 'alternating blocks (rounds); which tool goes first swaps every round').default(10).argParser(positiveInt('--blocks')))
    .option('--json', 'print the samples as JSON on stdout')
    .action(async (flags: { runtime?: string[]; runs: number; blocks: number; json?: boolean }) => {
      const host = hostFacts();
      const results = [];
      for (const spec of flags.runtime ?? ['runc', 'crun']) {
        const info = await probeRuntime(parseRuntimeSpec(spec));
        if (info.status !== 'ok') throw new UserError(`${info.name} is ${info.status}: ${info.reason ?? ''}`, ExitCode.error);
        const r = await crosscheck(info, host, { runs: flags.runs, blocks: flags.blocks });
        results.push(r);
        const p = r.pairedRatio;
        const rounds = p ? `; round by round ${p.ratio.toFixed(3)} [${p.ratioCi[0].toFixed(3)} … ${p.ratioCi[1].toFixed(3)}] over ${p.rounds} rounds` : '';
        process.stderr.write(
          `${r.runtime}: runbench ${formatValue(r.runbenchMedianNs, 'ns')}, hyperfine ${formatValue(r.hyperfineMedianNs, 'ns')}, ratio ${r.ratio.toFixed(3)}${rounds} (n=${r.runbenchNs.length}/${r.hyperfineNs.length})\n  ${r.command}\n`,
        );
      }
      if (flags.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
      setExit(ExitCode.ok);
    });
};
