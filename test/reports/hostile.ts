/** A results document whose strings try to break out of every format they are written into. */
import type { ResultsDocument } from '../../core/schema.ts';
import { loadFixture } from './fixtures.ts';

export const IMG = '<img src=x onerror="window.pwned=1">';
export const SCRIPT = '</script><script>window.pwned=1</script>';
export const HOSTILE = `${IMG}${SCRIPT}`;

export function hostileDoc(): ResultsDocument {
  const doc = structuredClone(loadFixture('single-host.json'));
  const rename = (s: string) => (s === 'runc' ? `runc${IMG}` : s === 'crun' ? `crun${SCRIPT}` : s);
  doc.host.hostname = `host${HOSTILE}`;
  doc.invocation = { program: 'npx runbench', argv: ['run', '--runtime', `x=/opt/${HOSTILE}`], cwd: `/tmp/${SCRIPT}` };
  doc.tool.commit = `0123abc${IMG}`;
  doc.host.kernel = `6.1 ${SCRIPT} & "quoted" 'single' \u2028 line\u2029sep`;
  for (const r of doc.runtimes) {
    r.name = rename(r.name);
    r.version = r.version ? `${r.version}${IMG}` : r.version;
    r.features = [...r.features, HOSTILE];
  }
  for (const m of doc.measurements) {
    m.labels.runtime = rename(m.labels.runtime);
    m.labels.host = doc.host.hostname;
    m.notes = { output: HOSTILE };
  }
  for (const f of doc.facts) {
    f.labels.runtime = rename(f.labels.runtime);
    f.labels.host = doc.host.hostname;
    f.detail = `output: ${HOSTILE}`;
  }
  for (const r of doc.suiteRuns) {
    r.runtime = rename(r.runtime);
    if (r.outcome.status !== 'passed') r.outcome = { ...r.outcome, reason: `error: ${HOSTILE} | pipe # hash \\ backslash\nnewline` };
  }
  for (const c of doc.conformance) {
    c.labels.runtime = rename(c.labels.runtime);
    c.labels.host = doc.host.hostname;
    c.title = `title ${HOSTILE}`;
    if (c.outcome.status !== 'passed') c.outcome = { ...c.outcome, reason: `reason ${HOSTILE} # not a directive` };
  }
  return doc;
}
