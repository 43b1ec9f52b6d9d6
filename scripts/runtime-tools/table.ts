/**
 * The runtime-tools cross-check table: for each of runtime-tools' validation programs and
 * each runtime, runtime-tools' verdict beside runbench's for the checks that judge the
 * same rule, with every disagreement marked and explained (notes.ts), and the verdicts a
 * known defect of runtime-tools decides (defects.ts) set apart, not counted.
 *
 *   npx tsx scripts/runtime-tools/table.ts --runtime-tools build/runtime-tools/results.json \
 *     --runbench build/runtime-tools/runbench.json [--runtime runc,crun@1.0.2,runsc] [--json rows.json]
 *
 * prints the Markdown on stdout. runbench's document is the one `runbench conformance
 * --json` prints; only its `oci` layer results are read.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ResultsDocument } from '../../core/schema.ts';
import type { RuntimeToolsResults } from './collect.ts';
import { DEFECTS } from './defects.ts';
import { NOTES, type CellStatus, type Note, type NoteKind } from './notes.ts';
import { AREAS, PROGRAMS, type Area, type ProgramMapping } from './programs.ts';
import type { Verdict } from './tap.ts';

/** runtime-tools' runtime names -> the runbench runtime they are compared with (`runsc/oci-seccomp` is one of runbench's). */
export function runbenchRuntimeOf(rtRuntime: string): string {
  return rtRuntime.replace(/@.*$/, '');
}

export type { CellStatus } from './notes.ts';

export interface Cell {
  runtime: string;
  rt: { verdict: Verdict; voidedBy: string | null; failing: string[] } | null;
  /** runbench's verdict over the mapped checks, and each check's own. */
  rb: { verdict: Verdict; checks: { id: string; verdict: Verdict; reason: string | null }[] } | null;
  status: CellStatus;
  note: { kind: NoteKind; text: string } | null;
}

export interface Row {
  area: Area;
  program: string;
  checks: readonly string[];
  what: string;
  cells: Cell[];
}

export interface Table {
  runtimes: string[];
  rows: Row[];
  /** Disagreements without a note: each needs one before the table is published. */
  unexplained: { program: string; runtime: string }[];
  /** runbench checks no runtime-tools program is tied to. */
  runbenchOnly: string[];
}

const RB_VERDICT: Record<string, Verdict> = { passed: 'pass', failed: 'fail', skipped: 'skip', errored: 'error' };

/** One verdict for several checks: a failure or error wins, skips count only when all skip. */
export function combine(verdicts: readonly Verdict[]): Verdict | null {
  if (verdicts.length === 0) return null;
  if (verdicts.includes('fail')) return 'fail';
  if (verdicts.includes('error')) return 'error';
  if (verdicts.every((v) => v === 'skip')) return 'skip';
  return 'pass';
}

const counted = (v: Verdict) => v === 'pass' || v === 'fail';

/**
 * How closely a note's runtime names a cell's: the runtime itself (2), the runtime a
 * configuration of it is named after (`runsc` for `runsc/oci-seccomp`, 1), any (0).
 */
function runtimeFit(noteRuntime: string, runtime: string): number | null {
  if (noteRuntime === runtime) return 2;
  if (runtime.startsWith(`${noteRuntime}/`)) return 1;
  return noteRuntime === '*' ? 0 : null;
}

function noteFor(notes: readonly Note[], program: string, runtime: string, cell: Omit<Cell, 'note' | 'status'>, status: CellStatus): Cell['note'] {
  const fitting = notes
    .map((x, i) => ({ x, i, fit: runtimeFit(x.runtime, runtime) }))
    .filter(
      ({ x, fit }) =>
        fit !== null &&
        (x.program === program || x.program === '*') &&
        (x.status ?? 'disagree') === status &&
        (!x.match || x.match(cell.rt?.failing ?? [], cell.rb?.checks ?? [])),
    )
    // a note for the runtime itself wins over one for the runtime it configures; otherwise list order
    .sort((a, b) => ((a.fit === 2) !== (b.fit === 2) ? (a.fit === 2 ? -1 : 1) : a.i - b.i));
  const n = fitting[0]?.x;
  return n ? { kind: n.kind, text: n.text } : null;
}

export function buildTable(
  rt: RuntimeToolsResults,
  rb: ResultsDocument,
  programs: readonly ProgramMapping[] = PROGRAMS,
  notes: readonly Note[] = NOTES,
  only?: readonly string[],
): Table {
  const runtimes = [...new Set(rt.results.map((r) => r.runtime))].filter((r) => !only || only.includes(r));
  const rbResults = rb.conformance.filter((c) => c.labels.layer === 'oci');
  const rows: Row[] = [];
  const unexplained: Table['unexplained'] = [];
  const ordered = [...programs].sort((a, b) => AREAS.indexOf(a.area) - AREAS.indexOf(b.area));
  for (const p of ordered) {
    const cells: Cell[] = [];
    for (const runtime of runtimes) {
      const r = rt.results.find((x) => x.program === p.program && x.runtime === runtime);
      const rbRuntime = runbenchRuntimeOf(runtime);
      const checks = p.checks
        .map((id) => rbResults.find((c) => c.checkId === id && c.labels.runtime === rbRuntime))
        .filter((c) => c !== undefined)
        .map((c) => ({ id: c.checkId, verdict: RB_VERDICT[c.outcome.status]!, reason: c.outcome.reason }));
      const rbVerdict = combine(checks.map((c) => c.verdict));
      const base = {
        runtime,
        rt: r ? { verdict: r.verdict, voidedBy: r.voidedBy, failing: r.failing } : null,
        rb: rbVerdict ? { verdict: rbVerdict, checks } : null,
      };
      let status: CellStatus;
      if (base.rt?.voidedBy) status = 'defect';
      else if (p.checks.length === 0) status = 'runtime-tools only';
      else if (!base.rt || !base.rb || !counted(base.rt.verdict) || !counted(base.rb.verdict)) status = 'not compared';
      else status = base.rt.verdict === base.rb.verdict ? 'agree' : 'disagree';
      const note = noteFor(notes, p.program, runtime, base, status);
      if (status === 'disagree' && !note) unexplained.push({ program: p.program, runtime });
      cells.push({ ...base, status, note });
    }
    rows.push({ area: p.area, program: p.program, checks: p.checks, what: p.what, cells });
  }
  const mapped = new Set(programs.flatMap((p) => p.checks));
  const runbenchOnly = [...new Set(rbResults.map((c) => c.checkId))].filter((id) => !mapped.has(id) && !id.startsWith('wasi.'));
  return { runtimes, rows, unexplained, runbenchOnly };
}

const MARK: Record<CellStatus, string> = {
  agree: '',
  disagree: ' **≠**',
  defect: ' †',
  'runtime-tools only': '',
  'not compared': '',
};

function cellText(c: Cell): string {
  const rt = c.rt ? (c.rt.voidedBy ? `(${c.rt.verdict})` : c.rt.verdict) : '—';
  const rb = c.rb ? c.rb.verdict : '—';
  return `${rt} / ${rb}${MARK[c.status]}`;
}

export function renderMarkdown(t: Table): string {
  const out: string[] = [];
  out.push(`| area | runtime-tools program | runbench checks | ${t.runtimes.join(' | ')} |`);
  out.push(`|---|---|---|${t.runtimes.map(() => '---|').join('')}`);
  for (const r of t.rows) {
    const checks = r.checks.length ? r.checks.map((c) => `\`${c}\``).join(', ') : '—';
    out.push(`| ${r.area} | \`${r.program}\` | ${checks} | ${r.cells.map(cellText).join(' | ')} |`);
  }
  out.push('');
  out.push('Each cell: runtime-tools / runbench. **≠** the two disagree; † a known defect of the runtime-tools');
  out.push('program decides its verdict (in parentheses), so it is not counted; — nothing to compare.');
  const dis = t.rows.flatMap((r) => r.cells.filter((c) => c.status === 'disagree').map((c) => ({ r, c })));
  if (dis.length) {
    out.push('');
    out.push('Disagreements:');
    out.push('');
    for (const { r, c } of dis) {
      const why = c.note ? `${c.note.kind}: ${c.note.text}` : 'UNEXPLAINED';
      out.push(`- \`${r.program}\` × ${c.runtime} (runtime-tools ${c.rt?.verdict}, runbench ${c.rb?.verdict}) — ${why}`);
    }
  }
  const voided = new Map<string, string[]>();
  for (const r of t.rows) for (const c of r.cells) if (c.rt?.voidedBy) voided.set(c.rt.voidedBy, [...(voided.get(c.rt.voidedBy) ?? []), c.runtime]);
  const tally = (runtimes: string[]) =>
    [...new Set(runtimes)].map((rt) => {
      const n = runtimes.filter((x) => x === rt).length;
      return n > 1 ? `${rt} ×${n}` : rt;
    });
  out.push('');
  out.push('Known defects of runtime-tools’ own tests (file:line in the module):');
  out.push('');
  for (const d of DEFECTS) {
    const who = voided.get(d.id);
    const effect = d.voids ? `decides ${d.voids}${who ? ` (here: ${tally(who).join(', ')})` : ''}` : 'does not decide the verdict';
    const who2 = d.program === '*' ? 'runtimetest, in every program that runs it' : `\`${d.program}\``;
    out.push(`- ${who2} — ${d.reason} (\`${d.where}\`; ${effect})`);
  }
  const others = t.rows.flatMap((r) => r.cells.filter((c) => c.status !== 'disagree' && c.note).map((c) => ({ r, c })));
  if (others.length) {
    out.push('');
    out.push('Other notes:');
    out.push('');
    for (const { r, c } of others) out.push(`- \`${r.program}\` × ${c.runtime}: ${c.note!.kind}: ${c.note!.text}`);
  }
  if (t.runbenchOnly.length) {
    out.push('');
    out.push(`runbench checks with no runtime-tools counterpart: ${t.runbenchOnly.map((c) => `\`${c}\``).join(', ')}.`);
  }
  return `${out.join('\n')}\n`;
}

function main(argv: string[]): void {
  const arg = (name: string, dflt: string | null) => {
    const i = argv.indexOf(name);
    return i >= 0 && argv[i + 1] ? argv[i + 1]! : dflt;
  };
  const rt = JSON.parse(readFileSync(resolve(arg('--runtime-tools', 'build/runtime-tools/results.json')!), 'utf8')) as RuntimeToolsResults;
  const rb = JSON.parse(readFileSync(resolve(arg('--runbench', 'build/runtime-tools/runbench.json')!), 'utf8')) as ResultsDocument;
  const only = arg('--runtime', null)?.split(',');
  const table = buildTable(rt, rb, PROGRAMS, NOTES, only);
  const json = arg('--json', null);
  if (json) writeFileSync(resolve(json), `${JSON.stringify(table, null, 2)}\n`);
  process.stdout.write(renderMarkdown(table));
  for (const u of table.unexplained) process.stderr.write(`unexplained disagreement: ${u.program} × ${u.runtime}\n`);
  process.exitCode = table.unexplained.length > 0 ? 3 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) main(process.argv.slice(2));
