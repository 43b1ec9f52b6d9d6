/**
 * Turns what scripts/runtime-tools-crosscheck.sh left in its --out directory (runs.tsv,
 * run-info.tsv, raw/<runtime>/<program>.{tap,stderr}, a '/' in a runtime's name being a '+'
 * in its directory) into results.json and results.tsv:
 * one row per program × runtime with its area, verdict and failing assertion lines, and
 * whether a known defect of the program voids that verdict.
 *
 *   npx tsx scripts/runtime-tools/collect.ts --out build/runtime-tools
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFECTS, voidingDefect } from './defects.ts';
import { mappingOf, type Area } from './programs.ts';
import { verdictOf, type ProgramVerdict, type Verdict } from './tap.ts';

export interface ProgramResult {
  area: Area | 'unmapped';
  program: string;
  runtime: string;
  verdict: Verdict;
  /** The id of a known defect of the program that decides this verdict whatever the runtime does. */
  voidedBy: string | null;
  failing: string[];
  counts: ProgramVerdict['counts'];
  note: string | null;
  exitCode: number;
  seconds: number;
  timedOut: boolean;
}

export interface RuntimeToolsResults {
  schema: 1;
  module: string;
  version: string;
  date: string;
  kernel: string;
  timeoutSeconds: number;
  runtimes: { name: string; path: string; version: string }[];
  results: ProgramResult[];
}

function tsv(text: string): string[][] {
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.split('\t'));
}

export function collect(outDir: string): RuntimeToolsResults {
  const info = tsv(readFileSync(join(outDir, 'run-info.tsv'), 'utf8'));
  const field = (k: string) => info.find((r) => r[0] === k)?.[1] ?? '';
  const runs = tsv(readFileSync(join(outDir, 'runs.tsv'), 'utf8')).slice(1);
  const read = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8') : '');
  const results: ProgramResult[] = runs.map(([program = '', runtime = '', exit = '0', seconds = '0', timedOut = '0']) => {
    const raw = join(outDir, 'raw', runtime.replaceAll('/', '+'), program);
    const run = { stdout: read(`${raw}.tap`), stderr: read(`${raw}.stderr`), exitCode: Number(exit), timedOut: timedOut === '1' };
    const v = verdictOf(run);
    return {
      area: mappingOf(program)?.area ?? 'unmapped',
      program,
      runtime,
      verdict: v.verdict,
      voidedBy: voidingDefect(program, v.verdict, run, v.failing, runtime)?.id ?? null,
      failing: v.failing,
      counts: v.counts,
      note: v.note,
      exitCode: run.exitCode,
      seconds: Number(seconds),
      timedOut: run.timedOut,
    };
  });
  return {
    schema: 1,
    module: field('module'),
    version: field('version'),
    date: field('date'),
    kernel: field('kernel'),
    timeoutSeconds: Number(field('timeout')),
    runtimes: info.filter((r) => r[0] === 'runtime').map((r) => ({ name: r[1] ?? '', path: r[2] ?? '', version: r[3] ?? '' })),
    results,
  };
}

export function toTsv(doc: RuntimeToolsResults): string {
  const clean = (s: string) => s.replace(/[\t\n]/g, ' ');
  const rows = doc.results.map((r) =>
    [r.area, r.program, r.runtime, r.voidedBy ? `${r.verdict} (void: ${r.voidedBy})` : r.verdict, clean(r.failing.join(' | '))].join('\t'),
  );
  return `${['area', 'program', 'runtime', 'verdict', 'failing'].join('\t')}\n${rows.join('\n')}\n`;
}

function main(argv: string[]): void {
  const i = argv.indexOf('--out');
  const out = resolve(i >= 0 && argv[i + 1] ? argv[i + 1]! : 'build/runtime-tools');
  const doc = collect(out);
  writeFileSync(join(out, 'results.json'), `${JSON.stringify(doc, null, 2)}\n`);
  writeFileSync(join(out, 'results.tsv'), toTsv(doc));
  const by = new Map<string, Record<Verdict, number>>();
  for (const r of doc.results) {
    const c = by.get(r.runtime) ?? { pass: 0, fail: 0, skip: 0, error: 0 };
    c[r.verdict]++;
    by.set(r.runtime, c);
  }
  for (const [rt, c] of by) process.stderr.write(`${rt}: ${c.pass} pass, ${c.fail} fail, ${c.skip} skip, ${c.error} error\n`);
  process.stderr.write(`results: ${join(out, 'results.json')}, ${join(out, 'results.tsv')}\n`);
  for (const d of new Set(doc.results.filter((r) => r.voidedBy).map((r) => r.voidedBy!))) {
    const def = DEFECTS.find((x) => x.id === d);
    if (def) process.stderr.write(`void: ${d}: ${def.reason}\n`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) main(process.argv.slice(2));
