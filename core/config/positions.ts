/**
 * Reading a config file with positions: YAML (or JSON, which is YAML) parsed into data plus
 * a way to turn a key path into line:column, so every error is one `file:line:col:` line.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { ExitCode, UserError } from '../errors.ts';

export type KeyPath = readonly (string | number)[];

export function formatPath(path: KeyPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out || '(top level)';
}

/** A parsed config file: its data plus a way to turn a key path into line:column. */
export interface ConfigSource {
  path: string;
  /** As the user wrote it, for messages. */
  display: string;
  data: unknown;
  locate(path: KeyPath, key?: boolean): { line: number; col: number } | null;
}

/** An error in a config file, pinned to a key path; printed `file:line:col: path: message`. */
export function configError(src: ConfigSource | null, path: KeyPath, message: string, key = false): UserError {
  if (!src) return new UserError(`${formatPath(path)}: ${message}`, ExitCode.usage);
  const pos = src.locate(path, key);
  const where = pos ? `${src.display}:${pos.line}:${pos.col}` : src.display;
  return new UserError(`${where}: ${formatPath(path)}: ${message}`, ExitCode.usage);
}

export function parseConfigText(text: string, display: string, path = display): ConfigSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    const pos = err.linePos?.[0];
    const msg = err.message.split('\n')[0] ?? err.message;
    throw new UserError(`${display}${pos ? `:${pos.line}:${pos.col}` : ''}: ${msg.replace(/ at line \d+, column \d+.*$/, '')}`, ExitCode.usage);
  }
  const data: unknown = doc.toJS() ?? {};
  return { path, display, data, locate: (p, key) => locateIn(doc, lineCounter, p, key ?? false) };
}

export function readConfigFile(file: string): ConfigSource {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read config file ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, ExitCode.usage);
  }
  return parseConfigText(text, file, resolve(file));
}

function locateIn(doc: Document, lc: LineCounter, path: KeyPath, wantKey: boolean): { line: number; col: number } | null {
  let node: unknown = doc.contents;
  let best: [number, number, number] | undefined = (node as { range?: [number, number, number] } | null)?.range;
  let keyRange: [number, number, number] | undefined;
  for (const seg of path) {
    keyRange = undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      keyRange = (pair.key as { range?: [number, number, number] }).range;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
    } else {
      break;
    }
    const r = (node as { range?: [number, number, number] } | null)?.range;
    if (r) best = r;
    else if (keyRange) best = keyRange;
  }
  const range = wantKey && keyRange ? keyRange : best;
  if (!range) return null;
  return lc.linePos(range[0]);
}
