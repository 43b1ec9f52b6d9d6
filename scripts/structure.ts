/**
 * The tree's structure, checked: `npm run structure`. Each source folder says here which
 * others it may import; an import outside that list, an import cycle (type-only imports
 * count: they tie the files together as much as any other), or a source file over the
 * line limit is a violation. test/structure.test.ts runs the same check in CI.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Folder -> the folders it may import besides itself. Inner layers first: core owns the
 * interfaces, the middle layers implement or use them, the CLI wires everything together.
 */
export const IMPORT_RULES: Readonly<Record<string, readonly string[]>> = {
  core: [],
  runners: ['core'],
  suites: ['core'],
  checks: ['core'],
  reports: ['core'],
  schema: ['core'],
  cli: ['core', 'runners', 'suites', 'checks', 'reports'],
  bin: ['cli'],
  scripts: ['core', 'reports'],
};

export const MAX_LINES = 400;

const SOURCE = /\.(ts|js|mjs)$/;
const IMPORT = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

export interface Violation {
  kind: 'import' | 'cycle' | 'size';
  message: string;
}

function walk(root: string, dir: string, out: string[]): void {
  for (const e of readdirSync(join(root, dir))) {
    if (e === 'node_modules' || e.startsWith('.')) continue;
    const rel = join(dir, e);
    const st = statSync(join(root, rel));
    if (st.isDirectory()) walk(root, rel, out);
    else if (SOURCE.test(e)) out.push(rel);
  }
}

/** The source files of every ruled folder, as paths relative to root. */
export function sourceFiles(root: string): string[] {
  const out: string[] = [];
  for (const folder of Object.keys(IMPORT_RULES)) {
    try {
      if (statSync(join(root, folder)).isDirectory()) walk(root, folder, out);
    } catch {
      /* a folder the tree does not have */
    }
  }
  return out.sort();
}

/** The relative imports of one file's text, resolved to paths relative to root. */
export function importsOf(file: string, text: string): string[] {
  const out: string[] = [];
  // comments may quote import lines; they tie nothing together
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  for (const m of code.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2];
    if (!spec || !spec.startsWith('.')) continue;
    out.push(normalize(join(dirname(file), spec)));
  }
  return out;
}

const top = (path: string) => path.split('/')[0] ?? path;

/** Strongly connected components of more than one file, or a file importing itself (Tarjan). */
export function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v) as number, idx.get(w) as number));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(comp.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return found;
}

export function checkStructure(root: string): Violation[] {
  const files = sourceFiles(root);
  const graph = new Map<string, string[]>();
  const violations: Violation[] = [];
  for (const f of files) {
    const text = readFileSync(join(root, f), 'utf8');
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    if (lines > MAX_LINES) violations.push({ kind: 'size', message: `${f} has ${lines} lines (at most ${MAX_LINES}): split it by job` });
    const deps = importsOf(f, text);
    graph.set(f, deps);
    const allowed = IMPORT_RULES[top(f)] ?? [];
    for (const d of deps) {
      const to = top(d);
      if (to === top(f) || allowed.includes(to)) continue;
      violations.push({
        kind: 'import',
        message: `${f} imports ${d}: ${top(f)}/ may import ${allowed.length ? allowed.map((a) => `${a}/`).join(', ') : 'nothing outside itself'}`,
      });
    }
  }
  for (const c of cycles(graph)) violations.push({ kind: 'cycle', message: `import cycle: ${c.join(' -> ')}` });
  return violations;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const v = checkStructure(root);
  for (const x of v) console.error(`${x.kind}: ${x.message}`);
  console.error(v.length === 0 ? `structure: ${sourceFiles(root).length} files, no violation` : `structure: ${v.length} violation(s)`);
  process.exit(v.length === 0 ? 0 : 1);
}
