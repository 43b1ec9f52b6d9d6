/**
 * Where a results document came from: the command line that made it and the runbench source
 * that ran, so a reader can run the same thing again. The git commit is asked of git once per
 * process; outside a checkout (an npm install) it is null, never guessed.
 */
import { execFileSync } from 'node:child_process';
import { packageRoot } from './paths.ts';
import type { Invocation } from './schema.ts';

let commit: string | null | undefined;

function git(args: string[]): string {
  return execFileSync('git', ['-C', packageRoot, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
}

/** The commit of the checkout runbench runs from, with `-dirty` when tracked files were changed; null when it is not a git checkout. */
export function runbenchCommit(): string | null {
  if (commit !== undefined) return commit;
  try {
    const head = git(['rev-parse', '--verify', 'HEAD']);
    const dirty = git(['status', '--porcelain', '--untracked-files=no']) !== '';
    commit = /^[0-9a-f]{7,64}$/.test(head) ? `${head}${dirty ? '-dirty' : ''}` : null;
  } catch {
    commit = null;
  }
  return commit;
}

/** The invocation of this process: `npx runbench` when npm ran it (npm sets npm_command), else `runbench`. */
export function currentInvocation(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Invocation {
  return { program: env.npm_command === 'exec' ? 'npx runbench' : 'runbench', argv: [...argv], cwd };
}

/** A POSIX shell word for `s`: bare when it is safe, single-quoted otherwise. */
export function shellQuote(s: string): string {
  if (s !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The command line to paste into a shell: `npx runbench run --runtime runc,crun --runs 5`. */
export function commandLine(inv: Invocation): string {
  return [inv.program, ...inv.argv.map(shellQuote)].join(' ');
}
