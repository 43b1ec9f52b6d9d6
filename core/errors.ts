/** Documented exit codes and the error classes that map onto them. */
export const ExitCode = {
  ok: 0,
  /** A measurement failed or a runtime errored. */
  error: 1,
  /** Bad flags, config or input file. */
  usage: 2,
  /** A regression or a threshold breach. */
  regression: 3,
  /** A conformance MUST check failed. */
  conformance: 4,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the user can fix: printed as one line, no stack trace. */
export class UserError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode = ExitCode.usage) {
    super(message);
    this.name = 'UserError';
    this.exitCode = exitCode;
  }
}

/** How the layers say an operation ran out of time: rb-exec's kill, a gRPC deadline, a pod wait. */
const HANG = /hung and was killed|deadline exceeded|timed out|not [a-z]+ within \d+ ms/i;

/** A runtime misbehaved (crashed, hung, printed garbage): recorded against that runtime. */
export class RuntimeFailure extends Error {
  /** The operation did not end by its deadline and was killed (a hang), rather than failing by itself. */
  readonly hung: boolean;
  /** The session cannot run anything any more (its containerd exited): no later attempt can succeed. */
  readonly sessionLost: boolean;
  constructor(
    readonly runtime: string,
    message: string,
    opts: { hung?: boolean; sessionLost?: boolean } = {},
  ) {
    super(message);
    this.name = 'RuntimeFailure';
    this.hung = opts.hung ?? HANG.test(message);
    this.sessionLost = opts.sessionLost ?? false;
  }
}

/** runbench's own bug, not the user's nor a runtime's: e.g. a results document that breaks its schema. */
export class InternalError extends Error {
  constructor(message: string) {
    super(`internal error: ${message}`);
    this.name = 'InternalError';
  }
}

export class Interrupted extends Error {
  constructor(readonly signal: string) {
    super(`interrupted by ${signal}`);
    this.name = 'Interrupted';
  }
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
