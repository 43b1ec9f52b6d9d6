/**
 * The runtime-tools cross-check table on fixture inputs: programs tied to runbench checks,
 * verdicts combined, disagreements marked and explained, defect-decided verdicts set apart;
 * and the TAP reading the verdicts come from.
 */
import { describe, expect, it } from 'vitest';
import type { ResultsDocument } from '../../core/schema.ts';
import type { ProgramResult, RuntimeToolsResults } from '../../scripts/runtime-tools/collect.ts';
import { voidingDefect } from '../../scripts/runtime-tools/defects.ts';
import type { Note } from '../../scripts/runtime-tools/notes.ts';
import type { ProgramMapping } from '../../scripts/runtime-tools/programs.ts';
import { buildTable, combine, renderMarkdown, runbenchRuntimeOf } from '../../scripts/runtime-tools/table.ts';
import { parseTap, verdictOf, type Verdict } from '../../scripts/runtime-tools/tap.ts';

const PROGRAMS: ProgramMapping[] = [
  { program: 'linux_seccomp', area: 'security', checks: ['security.seccomp-errno', 'security.seccomp-kill'], what: 'seccomp' },
  { program: 'pidfile', area: 'lifecycle', checks: ['lifecycle.pid-file'], what: 'pid file' },
  { program: 'process_user', area: 'process', checks: ['process.user'], what: 'user' },
  { program: 'linux_mount_label', area: 'filesystem', checks: [], what: 'selinux' },
];

function rtResult(program: string, runtime: string, verdict: Verdict, extra: Partial<ProgramResult> = {}): ProgramResult {
  return {
    area: 'lifecycle',
    program,
    runtime,
    verdict,
    voidedBy: null,
    failing: verdict === 'fail' ? [`not ok 1 - ${program} failed`] : [],
    counts: { passed: 1, failed: 0, skipped: 0 },
    note: null,
    exitCode: 0,
    seconds: 1,
    timedOut: false,
    ...extra,
  };
}

function rtDoc(results: ProgramResult[]): RuntimeToolsResults {
  return { schema: 1, module: 'm', version: 'v', date: 'd', kernel: 'k', timeoutSeconds: 60, runtimes: [], results };
}

function rbDoc(entries: [string, string, 'passed' | 'failed' | 'skipped' | 'errored', string?][]): ResultsDocument {
  return {
    conformance: entries.map(([checkId, runtime, status, layer]) => ({
      checkId,
      area: checkId.split('.')[0]!,
      title: checkId,
      specRef: '',
      level: 'MUST',
      labels: { runtime, layer: layer ?? 'oci' },
      outcome: { status, reason: status === 'passed' ? null : `${checkId} ${status}` },
    })),
  } as unknown as ResultsDocument;
}

const NOTES: Note[] = [
  { program: 'linux_seccomp', runtime: 'runsc', kind: 'runtime-tools wrong', text: 'its seccomp check only ever skips' },
  { program: 'process_user', runtime: '*', status: 'not compared', kind: 'different check', text: 'runbench skipped it' },
];

describe('buildTable', () => {
  const rt = rtDoc([
    rtResult('linux_seccomp', 'runc', 'pass'),
    rtResult('linux_seccomp', 'runsc', 'pass'),
    rtResult('pidfile', 'runc', 'fail', { voidedBy: 'pidfile:race' }),
    rtResult('pidfile', 'runsc', 'fail'),
    rtResult('process_user', 'runc', 'pass'),
    rtResult('process_user', 'runsc', 'pass'),
    rtResult('linux_mount_label', 'runc', 'fail'),
    rtResult('linux_mount_label', 'runsc', 'pass'),
  ]);
  const rb = rbDoc([
    ['security.seccomp-errno', 'runc', 'passed'],
    ['security.seccomp-kill', 'runc', 'passed'],
    ['security.seccomp-errno', 'runsc', 'failed'],
    ['security.seccomp-kill', 'runsc', 'passed'],
    // another layer's verdict is not read
    ['security.seccomp-kill', 'runsc', 'passed', 'containerd'],
    ['lifecycle.pid-file', 'runc', 'passed'],
    ['lifecycle.pid-file', 'runsc', 'passed'],
    ['process.user', 'runc', 'passed'],
    ['process.user', 'runsc', 'skipped'],
    ['process.hostname', 'runc', 'passed'],
  ]);
  const table = buildTable(rt, rb, PROGRAMS, NOTES);
  const cell = (program: string, runtime: string) => table.rows.find((r) => r.program === program)!.cells.find((c) => c.runtime === runtime)!;

  it('orders rows by area and keeps the runtimes as runtime-tools named them', () => {
    expect(table.runtimes).toEqual(['runc', 'runsc']);
    expect(table.rows.map((r) => r.program)).toEqual(['pidfile', 'process_user', 'linux_seccomp', 'linux_mount_label']);
  });

  it('combines the mapped checks: one failing check fails the row', () => {
    expect(cell('linux_seccomp', 'runc').rb?.verdict).toBe('pass');
    expect(cell('linux_seccomp', 'runsc').rb?.verdict).toBe('fail');
    expect(cell('linux_seccomp', 'runsc').rb?.checks.map((c) => `${c.id}=${c.verdict}`)).toEqual(['security.seccomp-errno=fail', 'security.seccomp-kill=pass']);
  });

  it('marks agreement and disagreement, and attaches the note that explains it', () => {
    expect(cell('linux_seccomp', 'runc').status).toBe('agree');
    const d = cell('linux_seccomp', 'runsc');
    expect(d.status).toBe('disagree');
    expect(d.note).toEqual({ kind: 'runtime-tools wrong', text: 'its seccomp check only ever skips' });
  });

  it('sets a defect-decided verdict apart instead of comparing it', () => {
    expect(cell('pidfile', 'runc').status).toBe('defect');
    expect(cell('pidfile', 'runc').rt?.voidedBy).toBe('pidfile:race');
  });

  it('lists a disagreement without a note as unexplained', () => {
    expect(cell('pidfile', 'runsc').status).toBe('disagree');
    expect(cell('pidfile', 'runsc').note).toBeNull();
    expect(table.unexplained).toEqual([{ program: 'pidfile', runtime: 'runsc' }]);
  });

  it('does not compare a skip, and a program without runbench checks is runtime-tools only', () => {
    expect(cell('process_user', 'runsc').status).toBe('not compared');
    expect(cell('process_user', 'runsc').note?.text).toBe('runbench skipped it');
    expect(cell('linux_mount_label', 'runc').status).toBe('runtime-tools only');
    expect(cell('linux_mount_label', 'runc').rb).toBeNull();
  });

  it('lists the runbench checks no program is tied to', () => {
    expect(table.runbenchOnly).toEqual(['process.hostname']);
  });

  it('renders both verdicts per cell with the marks, and a line per disagreement', () => {
    const md = renderMarkdown(table);
    expect(md).toContain('| security | `linux_seccomp` | `security.seccomp-errno`, `security.seccomp-kill` | pass / pass | pass / fail **≠** |');
    expect(md).toContain('| lifecycle | `pidfile` | `lifecycle.pid-file` | (fail) / pass † | fail / pass **≠** |');
    expect(md).toContain('- `linux_seccomp` × runsc (runtime-tools pass, runbench fail) — runtime-tools wrong: its seccomp check only ever skips');
    expect(md).toContain('- `pidfile` × runsc (runtime-tools fail, runbench pass) — UNEXPLAINED');
  });

  it("compares a runtime's configuration with runbench's of the same name, under the runtime's notes unless one names it", () => {
    expect(runbenchRuntimeOf('runsc/oci-seccomp')).toBe('runsc/oci-seccomp');
    const rtd = rtDoc([rtResult('linux_seccomp', 'runsc/oci-seccomp', 'pass'), rtResult('pidfile', 'runsc/oci-seccomp', 'fail')]);
    const rbd = rbDoc([
      ['security.seccomp-errno', 'runsc/oci-seccomp', 'failed'],
      ['security.seccomp-errno', 'runsc', 'passed'],
      ['lifecycle.pid-file', 'runsc/oci-seccomp', 'passed'],
    ]);
    const own: Note = { program: 'pidfile', runtime: 'runsc/oci-seccomp', kind: 'different check', text: 'its own' };
    const general: Note = { program: 'pidfile', runtime: 'runsc', kind: 'runtime-tools wrong', text: 'the runtime’s' };
    const t = buildTable(rtd, rbd, PROGRAMS, [...NOTES, general, own]);
    const c = (program: string) => t.rows.find((r) => r.program === program)!.cells[0]!;
    expect(c('linux_seccomp')).toMatchObject({ runtime: 'runsc/oci-seccomp', status: 'disagree', rb: { verdict: 'fail' } });
    expect(c('linux_seccomp').note?.text).toBe('its seccomp check only ever skips');
    expect(c('pidfile').note?.text).toBe('its own');
    // a note for another runtime whose name merely begins the same does not apply
    const other = buildTable(rtDoc([rtResult('pidfile', 'runscx', 'fail')]), rbDoc([['lifecycle.pid-file', 'runscx', 'passed']]), PROGRAMS, [general]);
    expect(other.rows.find((r) => r.program === 'pidfile')!.cells[0]!.note).toBeNull();
  });

  it('compares a relabelled runtime with the runbench runtime it stands for', () => {
    expect(runbenchRuntimeOf('crun@1.0.2')).toBe('crun');
    const t = buildTable(rtDoc([rtResult('pidfile', 'crun@1.0.2', 'pass')]), rbDoc([['lifecycle.pid-file', 'crun', 'passed']]), PROGRAMS, []);
    expect(t.rows.find((r) => r.program === 'pidfile')!.cells[0]).toMatchObject({ runtime: 'crun@1.0.2', status: 'agree' });
  });

  it('combines verdicts: fail over error over pass, skip only when all skip', () => {
    expect(combine([])).toBeNull();
    expect(combine(['pass', 'skip'])).toBe('pass');
    expect(combine(['skip', 'skip'])).toBe('skip');
    expect(combine(['pass', 'error'])).toBe('error');
    expect(combine(['error', 'fail'])).toBe('fail');
  });
});

describe('verdicts from TAP', () => {
  const run = (stdout: string, extra: Partial<{ stderr: string; exitCode: number; timedOut: boolean }> = {}) =>
    verdictOf({ stdout, stderr: '', exitCode: 0, timedOut: false, ...extra });

  it('counts only test points at the start of a line, not runtimetest output embedded in YAML', () => {
    const tap =
      'TAP version 13\n  ---\n  {\n    "stdout": "not ok 3 - inner"\n  }\n  ...\nok 1 - outer\nnot ok 2 - second # TODO later\nok 3 # SKIP no\n1..3\n';
    expect(parseTap(tap).points.map((p) => [p.ok, p.directive])).toEqual([
      [true, null],
      [false, 'todo'],
      [true, 'skip'],
    ]);
    expect(run(tap)).toMatchObject({ verdict: 'pass', counts: { passed: 1, failed: 0, skipped: 1 } });
  });

  it('gives a failing point the inner runtimetest failures of the stdout block written before it', () => {
    const tap =
      'TAP version 13\n  ---\n  {\n    "stderr": "panic: runtime error: index out of range [-1]\\n",\n    "stdout": "ok 1 - a\\nnot ok 2 - mounts[0] (/proc) found\\n"\n  }\n  ...\nnot ok 1 - check masked paths\n1..1\n';
    expect(run(tap).failing).toEqual([
      'not ok 1 - check masked paths [runtimetest: mounts[0] (/proc) found; runtimetest panic: runtime error: index out of range [-1]]',
    ]);
  });

  it('reads a failure reported only as a YAML error block (hooks, poststart, …)', () => {
    const tap = 'TAP version 13\n  ---\n  {\n    "error": "Hooks MUST be called in the listed order\\nRefer to: x"\n  }\n  ...\n1..0\n';
    expect(run(tap)).toMatchObject({ verdict: 'fail', failing: ['error: Hooks MUST be called in the listed order Refer to: x'] });
    expect(run('TAP version 13\n1..0\n')).toMatchObject({ verdict: 'pass' });
  });

  it('a non-zero exit without a failing point fails with the stderr reason; a timeout or panic is an error', () => {
    expect(run('', { exitCode: 1, stderr: 'failed to create the container\nunknown version specified\nexit status 1\n' })).toMatchObject({
      verdict: 'fail',
      failing: ['exit 1: failed to create the container | unknown version specified | exit status 1'],
    });
    expect(run('TAP version 13\nok 1 - a\n', { exitCode: 124, timedOut: true }).verdict).toBe('error');
    expect(run('', { exitCode: 2, stderr: 'panic: runtime error: index out of range [-1]\n\ngoroutine 1 [running]:\n' }).verdict).toBe('error');
  });

  it('the pids programs fail whatever the runtime does: that failure is voided', () => {
    const stdout = 'TAP version 13\nok 1 - find pids cgroup\nok 2 - get pids cgroup data\nnot ok 3 - pids limit is set correctly\n1..3\n';
    const r = { stdout, stderr: '', exitCode: 0, timedOut: false };
    const v = verdictOf(r);
    expect(v.verdict).toBe('fail');
    expect(voidingDefect('linux_cgroups_pids', v.verdict, r, v.failing)?.id).toBe('linux_cgroups_pids:pointer-compare');
    expect(voidingDefect('linux_cgroups_pids', 'pass', r, [])).toBeNull();
  });

  it('killsig: a signal that came before the trap (the delete then refused) is voided when another signal got through', () => {
    const refused = (n: number) =>
      `not ok ${n} - \`kill\` operation MUST send the specified signal to the container process\n  ---\n  {\n    "error": "exit status 1",\n    "stderr": "the container \`x\` is not in \`created\` or \`stopped\` state\\n"\n  }\n  ...\n`;
    const ok = (n: number) => `ok ${n} - \`kill\` operation MUST send the specified signal to the container process\n`;
    const one = { stdout: `TAP version 13\n${refused(1)}${ok(2)}${ok(3)}1..3\n`, stderr: '', exitCode: 0, timedOut: false };
    const v = verdictOf(one);
    expect(v.verdict).toBe('fail');
    expect(voidingDefect('killsig', v.verdict, one, v.failing)?.id).toBe('killsig:trap-race');
    const all = { stdout: `TAP version 13\n${refused(1)}${refused(2)}${refused(3)}1..3\n`, stderr: '', exitCode: 0, timedOut: false };
    expect(voidingDefect('killsig', 'fail', all, verdictOf(all).failing)).toBeNull();
  });
});
