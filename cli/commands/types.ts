import type { Command } from 'commander';
import type { Invocation } from '../../core/schema.ts';

/** What every command gets: a way to set the process exit code, and the command line, for the documents it writes. */
export interface CommandContext {
  setExit: (code: number) => void;
  invocation: Invocation | null;
}

/** A command is one file exporting a `register` function, listed once in commands/index.ts. */
export type RegisterCommand = (program: Command, ctx: CommandContext) => void;
