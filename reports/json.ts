/** The results document as JSON, and reading one back through the schema. */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { ExitCode, InternalError, UserError } from '../core/errors.ts';
import { mendLegacyDocument } from '../core/legacy.ts';
import { ResultsDocument } from '../core/schema.ts';

/**
 * The document as JSON, checked against the schema first: every reader checks it the same way,
 * so a document that fails is runbench's own bug and must not reach a file, whole or in part.
 */
export function toJson(doc: ResultsDocument): string {
  const checked = ResultsDocument.safeParse(doc);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new InternalError(`the results document breaks its schema at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return `${JSON.stringify(checked.data, null, 2)}\n`;
}

/**
 * Files written together or not at all: each to a temporary name first, then all renamed, so
 * a reader never sees half a document, and a full disk or a missing directory leaves no file
 * behind (one clear error line, exit 1).
 */
export function writeAtomic(path: string, content: string): void;
export function writeAtomic(files: ReadonlyArray<readonly [path: string, content: string]>): void;
export function writeAtomic(pathOrFiles: string | ReadonlyArray<readonly [string, string]>, content = ''): void {
  const files = typeof pathOrFiles === 'string' ? [[pathOrFiles, content] as const] : pathOrFiles;
  const written: string[] = [];
  try {
    for (const [path, text] of files) {
      const tmp = `${path}.partial-${process.pid}`;
      written.push(tmp);
      writeFileSync(tmp, text);
    }
    files.forEach(([path], i) => renameSync(written[i] as string, path));
  } catch (e) {
    for (const tmp of written) rmSync(tmp, { force: true });
    const err = e as NodeJS.ErrnoException;
    const where = files.map(([p]) => p).join(', ');
    throw new UserError(
      `cannot write ${where}: ${err.code === 'ENOSPC' ? 'no space left on the device' : (err.code ?? err.message)}; nothing was written`,
      ExitCode.error,
    );
  }
}

export function readResults(path: string): ResultsDocument {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read results file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${path} is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const parsed = ResultsDocument.safeParse(mendLegacyDocument(raw));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.join('.') || '(root)' : '(root)';
    throw new UserError(`${path} is not a runbench results document: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
