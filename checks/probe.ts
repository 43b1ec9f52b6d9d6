/** What checks make of a probe run: its report or the outcome that says why there is none, and the readers of what it read back. */
import type { Outcome } from '../core/schema.ts';
import type { ProbeReport, ProbeRun } from '../core/probe-report.ts';
import { errored, failed } from './types.ts';

export { parseProbeOutput, probeRun, ProbeReport, type MountCheck, type PathCheck, type ProbeRun } from '../core/probe-report.ts';

/**
 * The probe's report from a run that was expected to succeed, or the Outcome that says
 * why there is none: a runtime that cannot run the probe at all has errored, not failed
 * the rule the check is about.
 */
export function reportOf(run: ProbeRun): { report: ProbeReport; outcome: null } | { report: null; outcome: Outcome } {
  if (run.report) return { report: run.report, outcome: null };
  const stderr = firstLine(run.stderr);
  if (run.timedOut) return { report: null, outcome: errored(`the probe did not finish in time${stderr ? `: ${stderr}` : ''}`) };
  return {
    report: null,
    outcome: errored(`the probe run exited ${run.exitCode} without a report (${run.reportError ?? 'no output'})${stderr ? `: ${stderr}` : ''}`),
  };
}

/**
 * What the probe read from `path` (`--read-file`), trimmed, or the outcome when it read
 * nothing: errored for a probe too old to read files, failed for a file it could not read
 * (`whenMissing` says what a missing file means, where that is more than "not readable").
 */
export function fileText(report: ProbeReport, path: string, whenMissing?: string): { text: string } | { outcome: Outcome } {
  if (!report.files) return { outcome: errored('the probe does not report file contents: rebuild it with scripts/build-fixtures.sh') };
  const f = report.files.find((x) => x.path === path);
  if (f?.content === null || f?.content === undefined) {
    return { outcome: failed(f?.errno === 'ENOENT' && whenMissing ? whenMissing : `${path} is not readable (${f?.errno ?? 'not read'})`) };
  }
  return { text: f.content.trim() };
}

export function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find(Boolean) ?? ''
  ).slice(0, 200);
}

/** A failure that lists what differed, capped so a reason stays one readable line. */
export function mismatch(what: string, diffs: string[]): Outcome {
  const shown = diffs.slice(0, 4).join('; ');
  return failed(`${what}: ${shown}${diffs.length > 4 ? `; and ${diffs.length - 4} more` : ''}`);
}
