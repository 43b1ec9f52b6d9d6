/**
 * How a failed runtime command reads at the oci layer: the step that failed and how (hung
 * and killed, killed by a signal, exited non-zero or could not run), then the first line
 * the runtime wrote to the container's stderr file.
 */
import { constants } from 'node:os';
import { RuntimeFailure } from '../../core/errors.ts';
import type { SeqReply } from '../../core/timing-helper.ts';
import { readOrEmpty } from '../shared/files.ts';
import type { OciContainerSpec } from './bundle.ts';

function first(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find(Boolean) ?? ''
  );
}

function signalName(signal: number): string {
  return Object.entries(constants.signals).find(([, n]) => n === signal)?.[0] ?? `signal ${signal}`;
}

/** A step sequence that failed: the first step that went wrong (else the last), as `<runtime> <what>: <detail>`. */
export function stepFailure(runtime: string, c: OciContainerSpec, reply: SeqReply, what: string): RuntimeFailure {
  const bad = reply.steps.find((s) => s.timedOut || s.exitCode !== 0 || s.error) ?? reply.steps[reply.steps.length - 1];
  const stderr = first(readOrEmpty(c.stderr));
  const detail = bad?.timedOut
    ? `'${bad.label}' hung and was killed`
    : bad && bad.signal !== 0 && bad.kind === 'EXEC'
      ? `'${bad.label}' was killed by ${signalName(bad.signal)}`
      : bad
        ? `'${bad.label}' ${bad.error ?? `exited ${bad.exitCode}`}`
        : (reply.error ?? 'no reply');
  return new RuntimeFailure(runtime, `${runtime} ${what}: ${detail}${stderr ? `: ${stderr}` : ''}`, { hung: bad?.timedOut === true });
}

/** The runtime's own process for `step` killed by a signal. */
export function crashed(runtime: string, c: OciContainerSpec, step: string, signal: number): RuntimeFailure {
  const stderr = first(readOrEmpty(c.stderr));
  return new RuntimeFailure(runtime, `${runtime} ${step} was killed by ${signalName(signal)}${stderr ? `: ${stderr}` : ''}`);
}
