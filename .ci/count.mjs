#!/usr/bin/env node
// The closing lines of a CI run, from what vitest left:
//   node .ci/count.mjs REPORT LOG EXIT_CODE [FAILURE...]
// REPORT is vitest's JSON report, LOG what its default reporter printed (stdout and stderr),
// EXIT_CODE vitest's exit code; each FAILURE is one failure outside vitest (a failed set-up). Prints the skip reasons grouped (count, reason), every failure
// (failed tests by name, then the rest), and last one line "N passed, N failed, N skipped".
// Exits 1 when anything failed.
//
// Counted as a failure, besides each failed test:
//   - a test file whose status is failed with an error of its own (a beforeAll or afterAll
//     that threw, an import that failed), whatever its tests' statuses: when a beforeAll
//     throws, vitest reports the file's tests as skipped;
//   - a failed file or suite that no failed test accounts for;
//   - each unhandled error or rejection: vitest prints "Vitest caught N unhandled error(s)"
//     and exits 1, but its JSON report says nothing of them (success may even be true);
//   - a run whose exit code is not 0, or whose report is missing or says success: false,
//     while nothing above was counted: one failure, with the reason.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';

const ANSI = /\u001b\[[0-9;?]*[ -\/]*[@-~]/g;

/** Why a skipped test did not run, as the suite says it: a reason the test recorded, or its title's "(skipped: …)". */
function skipReason(t) {
  if (t.status === 'todo') return 'todo';
  const recorded = t.meta?.skipReason;
  if (typeof recorded === 'string' && recorded) return recorded;
  for (const title of [t.title, ...[...(t.ancestorTitles ?? [])].reverse()]) {
    const m = /[(;] ?skipped: (.*)\)\s*$/.exec(title ?? '');
    if (m) return m[1];
  }
  return 'no reason given';
}

/** Counts a vitest run. `report` is the parsed JSON report or null, `log` the console text. */
export function count(report, log, exitCode, outside = []) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const reasons = new Map();
  const failures = [];
  const skip = (reason) => {
    skipped++;
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  };

  if (!report || !Array.isArray(report.testResults)) {
    failures.push('vitest wrote no JSON report: the run did not finish');
    failed++;
  } else {
    for (const f of report.testResults) {
      const name = relative(process.cwd(), f.name ?? '?') || f.name;
      const tests = f.assertionResults ?? [];
      const fileError = f.status === 'failed' && (Boolean(f.message) || !tests.some((t) => t.status === 'failed'));
      for (const t of tests) {
        if (t.status === 'passed') passed++;
        else if (t.status === 'failed') {
          failed++;
          const why = (t.failureMessages?.[0] ?? '').split('\n')[0];
          failures.push(`${name}: ${t.fullName ?? t.title}${why ? `: ${why}` : ''}`);
        }
        else skip(fileError ? `did not run: ${name} failed (${f.message || 'no message'})` : skipReason(t));
      }
      if (fileError) {
        failed++;
        failures.push(`${name}: the file failed: ${(f.message || 'no message').split('\n')[0]}`);
      }
    }
    if (failed === 0 && (report.numFailedTestSuites ?? 0) > 0) {
      failed++;
      failures.push(`vitest counted ${report.numFailedTestSuites} failed suite(s) that no failed test or file accounts for`);
    }
  }

  const text = (log ?? '').replace(ANSI, '');
  const caught = /Vitest caught (\d+) unhandled errors?/.exec(text) ?? /^\s*Errors\s+(\d+) errors?\s*$/m.exec(text);
  if (caught) {
    const n = Number(caught[1]);
    failed += n;
    failures.push(`${n} unhandled error(s) during the run (vitest's "Unhandled Errors" above)`);
  }

  if (failed === 0 && report && report.success === false) {
    failed++;
    failures.push('vitest reported success: false although no test or file failed');
  }
  if (failed === 0 && exitCode !== 0) {
    failed++;
    failures.push(`vitest exited ${exitCode} although no test, file or unhandled error was counted as failed`);
  }
  for (const f of outside) {
    failed++;
    failures.push(f);
  }
  return { passed, failed, skipped, reasons, failures };
}

export function render({ passed, failed, skipped, reasons, failures }) {
  const lines = [];
  if (reasons.size > 0) {
    lines.push('skipped, by reason:');
    const width = String(Math.max(...reasons.values())).length;
    for (const [reason, n] of [...reasons].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
      lines.push(`  ${String(n).padStart(width)}  ${reason}`);
    }
  }
  if (failures.length > 0) {
    lines.push('failures:');
    for (const f of failures) lines.push(`  ${f}`);
  }
  lines.push(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  return lines.join('\n');
}

function readIf(path) {
  return path && existsSync(path) ? readFileSync(path, 'utf8') : '';
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const [reportPath, logPath, code, ...outside] = process.argv.slice(2);
  let report = null;
  try {
    report = JSON.parse(readIf(reportPath));
  } catch {
    report = null;
  }
  const exitCode = Number.parseInt(code ?? '', 10);
  const result = count(report, readIf(logPath), Number.isNaN(exitCode) ? 1 : exitCode, outside);
  console.log(render(result));
  process.exitCode = result.failed > 0 ? 1 : 0;
}
