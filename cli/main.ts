/** The runbench command line. Exit codes: see EXIT CODES in --help and the README. */
import { Command, CommanderError } from 'commander';
import { errorMessage, ExitCode, UserError } from '../core/errors.ts';
import { currentInvocation } from '../core/provenance.ts';
import { TOOL_VERSION } from '../core/run-scope.ts';
import type { Invocation } from '../core/schema.ts';
import { COMMANDS } from './commands/index.ts';

export const EXIT_CODES_HELP = `
Exit codes:
  0    success
  1    a measurement failed or a runtime errored (the others were still measured)
  2    usage or config error (bad flag, unknown runtime or suite, unreadable input)
  3    a regression or threshold breach (compare, thresholds)
  4    a conformance MUST check failed
  130  interrupted (Ctrl-C); 143 on SIGTERM. Nothing is left running and no results file is written.`;

export function buildProgram(setExit: (code: number) => void, invocation: Invocation | null = null): Command {
  const program = new Command();
  program
    .name('runbench')
    .description('Benchmark and conformance suite for container runtimes: the same workloads through each runtime, side by side.')
    .version(TOOL_VERSION)
    .addHelpText('after', EXIT_CODES_HELP)
    // One line per user error, in runbench's own voice.
    .configureOutput({ outputError: (str, write) => write(`runbench: ${str.replace(/^error: /, '').replace(/\n(?=.)/g, ' ')}`) })
    .exitOverride();

  for (const register of COMMANDS) register(program, { setExit, invocation });

  return program;
}

export async function main(argv: string[]): Promise<number> {
  let code: number = ExitCode.ok;
  const program = buildProgram((c) => {
    code = c;
  }, currentInvocation(argv));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return ExitCode.ok;
      return ExitCode.usage;
    }
    if (e instanceof UserError) {
      process.stderr.write(`runbench: ${e.message}\n`);
      return e.exitCode;
    }
    process.stderr.write(`runbench: ${errorMessage(e)}\n`);
    if (process.env.RUNBENCH_DEBUG) process.stderr.write(`${e instanceof Error ? e.stack : ''}\n`);
    return ExitCode.error;
  }
}
