/**
 * Reading what one runtime-tools validation program printed: its TAP 13 on stdout, its
 * stderr and exit code, into a verdict and the lines that failed.
 *
 * The programs report in three ways, and a verdict has to read all three:
 *  - test points (`ok` / `not ok`), the usual case;
 *  - no test point at all and a top-level YAML block with an `error:` key: hooks,
 *    poststart, poststop, prestart and their *_fail variants only ever print the block
 *    when something went wrong, and print a bare `1..0` when all was well;
 *  - nothing on stdout and an exit code: the *_fail programs and util.Fatal() exit 1 with
 *    the reason on stderr, and exit 0 when the runtime did what they expected.
 * Only test points at the start of a line count: RuntimeInsideValidate embeds runtimetest's
 * own TAP, indented, in a YAML `stdout:` field.
 */

export type Verdict = 'pass' | 'fail' | 'skip' | 'error';

export interface TestPoint {
  ok: boolean;
  n: number | null;
  description: string;
  directive: 'skip' | 'todo' | null;
  /** The `stderr` (else `error`) of the YAML block that follows the point, if any. */
  detail: string | null;
}

export interface ParsedTap {
  points: TestPoint[];
  /** The `1..N` plan, when printed. */
  plan: number | null;
  /**
   * `error:` texts of top-level YAML blocks that do not follow a test point (at the start, or
   * after another block): the only way some programs report a failure.
   */
  looseErrors: string[];
  bailOut: string | null;
}

const POINT = /^(not ok|ok)\b\s*(\d+)?\s*(?:-\s*)?(.*)$/;
const PLAN = /^1\.\.(\d+)/;

/** A string field of a YAML block that tap-go writes as indented JSON (`  ---`, `  {...}`, `  ...`). */
function blockField(lines: string[], key: 'error' | 'stderr' | 'stdout'): string | null {
  const text = lines.map((l) => l.replace(/^ {2}/, '')).join('\n');
  try {
    const v = JSON.parse(text) as Record<string, unknown> | null;
    const f = v && typeof v === 'object' ? v[key] : undefined;
    return typeof f === 'string' && f.trim() ? f : null;
  } catch {
    const m = new RegExp(`^\\s*"?${key}"?\\s*:\\s*(.+)$`, 'm').exec(text);
    return m ? m[1]!.replace(/^"|",?$/g, '') : null;
  }
}

/** What runtimetest reported inside the container: its failing points, or how it died. */
function innerDetail(stdout: string, stderr: string): string | null {
  const failed = stdout
    .split('\n')
    .filter((l) => l.startsWith('not ok'))
    .map((l) => l.replace(/^not ok \d+\s*-?\s*/, ''));
  const panic = /^panic: .*$/m.exec(stderr)?.[0] ?? null;
  const parts = [...(failed.length ? [`runtimetest: ${failed.join('; ')}`] : []), ...(panic ? [`runtimetest ${panic}`] : [])];
  if (parts.length === 0 && stderr.trim()) parts.push(stderr.trim());
  return parts.length ? parts.join('; ') : null;
}

export function parseTap(text: string): ParsedTap {
  const points: TestPoint[] = [];
  const looseErrors: string[] = [];
  let plan: number | null = null;
  let bailOut: string | null = null;
  let afterPoint = false;
  let pending: string | null = null;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '  ---') {
      const block: string[] = [];
      let j = i + 1;
      while (j < lines.length && lines[j] !== '  ...') block.push(lines[j++]!);
      i = j;
      const inner = blockField(block, 'stdout');
      if (inner !== null || (blockField(block, 'stderr') !== null && /^\s*"stdout"/m.test(block.join('\n')))) {
        // RuntimeInsideValidate writes runtimetest's output *before* its own test point
        pending = innerDetail(inner ?? '', blockField(block, 'stderr') ?? '');
      } else if (!afterPoint) {
        const e = blockField(block, 'error');
        if (e !== null) looseErrors.push(e);
      } else {
        const last = points[points.length - 1]!;
        last.detail = blockField(block, 'stderr') ?? blockField(block, 'error');
      }
      afterPoint = false;
      continue;
    }
    const p = POINT.exec(line);
    if (p) {
      const rest = p[3] ?? '';
      const d = /#\s*(SKIP|TODO)\b\s*(.*)$/i.exec(rest);
      points.push({
        ok: p[1] === 'ok',
        n: p[2] ? Number(p[2]) : null,
        description: (d ? rest.slice(0, d.index).trim() || d[2]!.trim() : rest).trim(),
        directive: d ? (d[1]!.toLowerCase() as 'skip' | 'todo') : null,
        detail: pending,
      });
      pending = null;
      afterPoint = true;
      continue;
    }
    const pl = PLAN.exec(line);
    if (pl) {
      plan = Number(pl[1]);
      continue;
    }
    if (line.startsWith('Bail out!')) bailOut = line.slice('Bail out!'.length).trim();
  }
  return { points, plan, looseErrors, bailOut };
}

export interface ProgramRun {
  stdout: string;
  stderr: string;
  exitCode: number;
  timedOut: boolean;
}

export interface ProgramVerdict {
  verdict: Verdict;
  /** The failing assertions (`not ok` lines, loose errors, the exit reason), one per line. */
  failing: string[];
  /** Test points counted: passed, failed, skipped. */
  counts: { passed: number; failed: number; skipped: number };
  /** Why the verdict is what it is, when the TAP alone does not say. */
  note: string | null;
}

const oneLine = (s: string, max = 300): string => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

/** The last meaningful stderr lines: util.Fatal's message, a runtime's complaint. */
function stderrReason(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^Clean: /.test(l));
  return oneLine(lines.slice(-3).join(' | ') || 'no message');
}

export function verdictOf(run: ProgramRun): ProgramVerdict {
  const tap = parseTap(run.stdout);
  const failedPoints = tap.points.filter((p) => !p.ok && p.directive !== 'todo');
  const skippedPoints = tap.points.filter((p) => p.ok && p.directive === 'skip');
  const counts = {
    passed: tap.points.filter((p) => p.ok && p.directive !== 'skip').length,
    failed: failedPoints.length,
    skipped: skippedPoints.length,
  };
  const failing = [
    ...failedPoints.map((p) => {
      const detail = p.detail && oneLine(p.detail) !== oneLine(p.description) ? ` [${oneLine(p.detail, 200)}]` : '';
      return `not ok ${p.n ?? ''} - ${oneLine(p.description)}${detail}`.replace('  ', ' ');
    }),
    ...tap.looseErrors.map((e) => `error: ${oneLine(e)}`),
  ];
  // what the program itself said on stderr (a runtime's complaint, util.Fatal's reason)
  if (failing.length > 0 && run.exitCode === 0 && run.stderr.trim()) failing.push(`stderr: ${stderrReason(run.stderr)}`);
  if (run.timedOut) return { verdict: 'error', failing: [...failing, 'timed out'], counts, note: 'killed at the per-program timeout' };
  if (/^panic: |^goroutine \d+ \[/m.test(run.stderr)) {
    return {
      verdict: 'error',
      failing: [...failing, `panic: ${stderrReason(run.stderr.slice(run.stderr.indexOf('panic:')).split('\n')[0] ?? '')}`],
      counts,
      note: 'the program panicked',
    };
  }
  if (tap.bailOut !== null) return { verdict: 'error', failing: [...failing, `Bail out! ${tap.bailOut}`], counts, note: null };
  if (failing.length > 0) return { verdict: 'fail', failing, counts, note: null };
  if (run.exitCode !== 0) {
    return {
      verdict: 'fail',
      failing: [`exit ${run.exitCode}: ${stderrReason(run.stderr)}`],
      counts,
      note: 'no failing test point: the program exited non-zero',
    };
  }
  if (tap.points.length === 0) {
    return { verdict: 'pass', failing: [], counts, note: 'no test point: this program reports only failures, and reported none' };
  }
  if (counts.passed === 0) return { verdict: 'skip', failing: [], counts, note: 'every test point was skipped' };
  return { verdict: 'pass', failing: [], counts, note: null };
}
