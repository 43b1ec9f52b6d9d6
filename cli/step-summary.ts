/**
 * GitHub Actions' job summary: when $GITHUB_STEP_SUMMARY names a file, run, report and compare
 * append their Markdown summary to it. The summary is an extra: a file that cannot be written
 * costs one warning line on stderr, never the command's result or exit code. The same summary
 * is not appended twice to one file (a step that runs report for several formats).
 */
import { appendFileSync, readFileSync, statSync } from 'node:fs';
import { textSeed } from '../core/stats.ts';

export const STEP_SUMMARY_ENV = 'GITHUB_STEP_SUMMARY';

/** GitHub shows at most 1 MiB of summary a step; a larger file is not searched for an earlier copy. */
const MAX_READ = 4 * 1024 * 1024;

/** Appends `markdown` to $GITHUB_STEP_SUMMARY if set; returns whether it did. */
export function appendStepSummary(
  markdown: string,
  env: NodeJS.ProcessEnv = process.env,
  warn: (line: string) => void = (l) => process.stderr.write(l),
): boolean {
  const path = env[STEP_SUMMARY_ENV];
  if (!path) return false;
  // GitHub renders an HTML comment as nothing; it marks this summary so a second append can see it
  const marker = `<!-- runbench summary ${textSeed(markdown).toString(16).padStart(8, '0')} -->`;
  try {
    let existing = '';
    try {
      // only a regular file of a summary's size is read: a device such as /dev/zero never ends
      const st = statSync(path);
      if (st.isFile() && st.size <= MAX_READ) existing = readFileSync(path, 'utf8');
    } catch {
      /* not there yet: appending creates it */
    }
    if (existing.includes(marker)) return false;
    appendFileSync(path, `${existing === '' || existing.endsWith('\n\n') ? '' : existing.endsWith('\n') ? '\n' : '\n\n'}${marker}\n${markdown.trimEnd()}\n`);
    return true;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    warn(`runbench: warning: the job summary was not written to $${STEP_SUMMARY_ENV} (${path}): ${err.code ?? err.message}\n`);
    return false;
  }
}
