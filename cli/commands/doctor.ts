/** `runbench doctor`: what can be measured here, and what is wrong. */
import { doctor } from '../../core/doctor.ts';
import { ExitCode } from '../../core/errors.ts';
import { parseRuntimeSpec } from '../../core/runtimes.ts';
import { ociRunner } from '../../runners/oci/index.ts';
import { renderDoctor } from '../doctor.ts';
import type { RegisterCommand } from './types.ts';

export const registerDoctor: RegisterCommand = (program, { setExit }) => {
  program
    .command('doctor')
    .description('find the runtimes, their versions and features, host facts and known problems')
    .argument('[runtimes...]', 'extra runtimes as NAME=PATH')
    .option('--json', 'print the report as JSON on stdout')
    .option('--no-smoke', 'do not run a hello container with each runtime')
    .action(async (extra: string[], opts: { json?: boolean; smoke: boolean }) => {
      const report = await doctor(extra.map(parseRuntimeSpec), { smoke: opts.smoke ? ociRunner : null });
      if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else process.stdout.write(renderDoctor(report));
      setExit(ExitCode.ok);
    });

};
