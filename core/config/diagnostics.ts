/**
 * Validation messages: a parsed file checked against the schema, reported as one located
 * line naming the first problem in file order, with a hint for a misspelt key.
 */
import { z } from 'zod';
import { configError, formatPath, type ConfigSource, type KeyPath } from './positions.ts';
import { ConfigFile } from './schema.ts';

type Issue = z.core.$ZodIssue;

function valueAt(data: unknown, path: KeyPath): unknown {
  let v: unknown = data;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return typeof v;
}

const EXPECTED_NAMES: Record<string, string> = { object: 'a mapping', record: 'a mapping', array: 'a list' };

/** Flattens union failures into the branch that got furthest, so the message is concrete. */
function flattenIssue(issue: Issue, base: KeyPath): { path: KeyPath; issue: Issue }[] {
  const path = [...base, ...(issue.path as (string | number)[])];
  if (issue.code !== 'invalid_union') return [{ path, issue }];
  const branches = issue.errors as Issue[][];
  const deep = branches.filter((b) => !b.every((i) => i.code === 'invalid_type' && i.path.length === 0));
  if (deep.length > 0) return (deep[deep.length - 1] ?? []).flatMap((i) => flattenIssue(i, path));
  const expected = branches.flatMap((b) => b.map((i) => (i.code === 'invalid_type' ? (EXPECTED_NAMES[i.expected] ?? i.expected) : '')));
  const synthetic = { code: 'invalid_type', expected: [...new Set(expected.filter(Boolean))].join(' or '), path: [], message: '', input: undefined };
  return [{ path, issue: synthetic as unknown as Issue }];
}

function describeIssue(issue: Issue, data: unknown, path: KeyPath): { path: KeyPath; message: string; key: boolean } {
  const value = valueAt(data, path);
  switch (issue.code) {
    case 'invalid_type': {
      const expected = EXPECTED_NAMES[issue.expected] ?? issue.expected;
      if (value === undefined) return { path, message: `required (${expected})`, key: false };
      return { path, message: `expected ${expected}, got ${typeName(value)}`, key: false };
    }
    case 'unrecognized_keys': {
      const k = issue.keys[0] ?? '?';
      const allowed = keysAt(ConfigFile, path);
      const near = allowed.find((a) => editDistance(a.toLowerCase(), k.toLowerCase()) <= 2);
      const hint = near ? ` (did you mean '${near}'?)` : allowed.length ? ` (keys here: ${allowed.join(', ')})` : '';
      return { path: [...path, k], message: `unknown key '${k}'${hint}`, key: true };
    }
    case 'invalid_value':
      return { path, message: `expected one of ${issue.values.map((v) => String(v)).join(', ')}, got '${String(value)}'`, key: false };
    case 'too_small':
      return {
        path,
        message:
          issue.origin === 'array'
            ? `needs at least ${String(issue.minimum)} item(s)`
            : `must be ${issue.inclusive === false ? 'more than' : 'at least'} ${String(issue.minimum)}, got ${String(value)}`,
        key: false,
      };
    case 'invalid_format':
      return { path, message: `${issue.message.replace(/^Invalid string: /, '')}, got '${String(value)}'`, key: false };
    default:
      return { path, message: issue.message, key: false };
  }
}

/** The keys a strict object in the schema accepts at `path`, for hints. */
function keysAt(schema: z.ZodType, path: KeyPath): string[] {
  let node: z.ZodType | undefined = schema;
  const unwrap = (n: z.ZodType | undefined): z.ZodType | undefined => {
    while (n instanceof z.ZodOptional) n = n.unwrap() as z.ZodType;
    return n;
  };
  for (const seg of path) {
    node = unwrap(node);
    if (node instanceof z.ZodObject && typeof seg === 'string') node = node.shape[seg] as z.ZodType | undefined;
    else if (node instanceof z.ZodArray && typeof seg === 'number') node = node.element as z.ZodType;
    else return [];
    node = unwrap(node);
    if (node instanceof z.ZodUnion) node = (node.options as z.ZodType[]).find((o) => o instanceof z.ZodObject || o instanceof z.ZodArray);
  }
  node = unwrap(node);
  return node instanceof z.ZodObject ? Object.keys(node.shape) : [];
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] ?? 0;
      row[j] = Math.min(cur + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length] ?? 0;
}

/** Validates parsed data against ConfigFile; throws one located line on the first problem. */
export function validateConfig(src: ConfigSource): ConfigFile {
  const parsed = ConfigFile.safeParse(src.data);
  if (parsed.success) return parsed.data;
  let all = parsed.error.issues.flatMap((i) => flattenIssue(i, [])).map(({ path, issue }) => describeIssue(issue, src.data, path));
  // A misspelt key also leaves the right one missing: name the misspelling, not the absence.
  const parentOf = (p: KeyPath) => formatPath(p.slice(0, -1));
  const misspelt = new Set(all.filter((d) => d.key).map((d) => parentOf(d.path)));
  all = all.filter((d) => !(d.message.startsWith('required') && misspelt.has(parentOf(d.path))));
  // The first problem in the file, not in schema order.
  const offset = (d: (typeof all)[number]) => {
    const p = src.locate(d.path, d.key);
    return p ? p.line * 1e6 + p.col : Number.MAX_SAFE_INTEGER;
  };
  all.sort((a, b) => offset(a) - offset(b));
  const first = all[0];
  if (!first) throw configError(src, [], 'invalid configuration');
  throw configError(src, first.path, first.message, first.key);
}
