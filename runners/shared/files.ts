/** Reading what a runtime or a container wrote, where a missing file means nothing was written. */
import { readFileSync } from 'node:fs';

/** A file's text, or '' when it cannot be read. */
export function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
