import type { Command } from 'commander';

/** What every command gets: a way to set the process exit code. */
export interface CommandContext {
  setExit: (code: number) => void;
}

/** A command is one file exporting a `register` function, listed once in commands/index.ts. */
export type RegisterCommand = (program: Command, ctx: CommandContext) => void;
