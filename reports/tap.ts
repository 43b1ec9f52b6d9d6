/**
 * TAP 14 for conformance results: `ok N - id`, `not ok N - id` with a YAML block giving the
 * reason, and `ok N - id # SKIP reason`. A pure function of the documents.
 */
import { layerName } from '../core/format.ts';
import type { ConformanceResult, ResultsDocument } from '../core/schema.ts';

/** TAP escapes '#' and '\' in descriptions; a description is one line. */
function desc(s: string): string {
  return s
    .replace(/\r?\n|\r/g, ' ')
    .replace(/\\/g, '\\\\')
    .replace(/#/g, '\\#');
}

function yamlString(s: string): string {
  return JSON.stringify(s);
}

function line(n: number, c: ConformanceResult): string[] {
  const id = desc(`${c.checkId} ${c.labels.runtime} ${layerName(c.labels)} ${c.labels.workloadKind} ${c.labels.arch}${c.labels.emulated ? ' emulated' : ''}`);
  const o = c.outcome;
  switch (o.status) {
    case 'passed':
      return [`ok ${n} - ${id}`];
    case 'skipped':
      return [`ok ${n} - ${id} # SKIP ${desc(o.reason)}`];
    case 'failed':
    case 'errored':
      return [
        `not ok ${n} - ${id}`,
        '  ---',
        `  message: ${yamlString(o.reason)}`,
        `  severity: ${o.status === 'failed' ? 'fail' : 'error'}`,
        `  level: ${c.level}`,
        `  specRef: ${yamlString(c.specRef)}`,
        `  title: ${yamlString(c.title)}`,
        `  host: ${yamlString(c.labels.host)}`,
        '  ...',
      ];
  }
}

export function toTap(docs: readonly ResultsDocument[]): string {
  const results = docs.flatMap((d) => d.conformance);
  if (results.length === 0) return 'TAP version 14\n1..0 # SKIP no conformance results in these documents\n';
  const out = ['TAP version 14', `1..${results.length}`];
  results.forEach((c, i) => out.push(...line(i + 1, c)));
  return `${out.join('\n')}\n`;
}
