import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../core/paths.ts';
import { checkStructure, MAX_LINES } from '../scripts/structure.ts';
import { lazyTempDir } from './helpers/tmp.ts';

const tmp = lazyTempDir('rb-structure-');

function tree(files: Record<string, string>): string {
  const root = join(tmp(), String(Math.random()).slice(2));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('structure', () => {
  it('the tree keeps its import rules, has no import cycle and no source file over the limit', () => {
    expect(checkStructure(packageRoot).map((v) => `${v.kind}: ${v.message}`)).toEqual([]);
  });

  it('finds an import that runs upward, naming what the folder may import', () => {
    const root = tree({
      'core/a.ts': "import { x } from '../runners/b.ts';\nexport const a = x;\n",
      'runners/b.ts': "export const x = 1;\n// import { y } from '../cli/c.ts' is only a comment\n",
    });
    expect(checkStructure(root)).toEqual([{ kind: 'import', message: 'core/a.ts imports runners/b.ts: core/ may import nothing outside itself' }]);
  });

  it('finds a cycle that only type imports make', () => {
    const root = tree({
      'checks/a.ts': "import type { B } from './b.ts';\nexport type A = B[];\n",
      'checks/b.ts': "import type { A } from './a.ts';\nexport interface B { a: A }\n",
    });
    expect(checkStructure(root)).toEqual([{ kind: 'cycle', message: 'import cycle: checks/a.ts -> checks/b.ts' }]);
  });

  it('finds a source file over the line limit', () => {
    const root = tree({ 'reports/big.ts': 'export const x = 1;\n'.repeat(MAX_LINES + 1) });
    expect(checkStructure(root)).toEqual([{ kind: 'size', message: `reports/big.ts has ${MAX_LINES + 1} lines (at most ${MAX_LINES}): split it by job` }]);
  });
});
