/** The results document as JSON, and reading one back through the schema. */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { InternalError, UserError } from '../core/errors.ts';
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

/** Written to a temporary name and renamed, so a reader never sees half a document. */
export function writeAtomic(path: string, content: string): void {
  const tmp = `${path}.partial-${process.pid}`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
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
