/**
 * critest's verdicts from the JUnit report ginkgo writes (`--ginkgo.junit-report`): one
 * conformance row per spec that ran. Specs the run did not select (critest skips its
 * benchmarks during validation; a focus skips the rest) are not rows; a spec critest skipped
 * itself is, with its reason. The XML is parsed, then checked against a schema of what this
 * code reads, so a report of another shape is an error, not a silent empty matrix.
 */
import { XMLParser } from 'fast-xml-parser';
import { z } from 'zod';
import type { SuiteVerdict } from '../../core/conformance.ts';
import type { Outcome } from '../../core/schema.ts';

const Text = z.union([z.string(), z.number()]).transform(String);
const MessageObject = z.object({ '@_message': Text.optional(), '@_type': Text.optional(), '#text': Text.optional() });
const Message = MessageObject.or(Text.transform((t): z.infer<typeof MessageObject> => ({ '#text': t })));

const TestCase = z.object({
  '@_name': Text,
  '@_status': z.string(),
  '@_time': z.coerce.number().nonnegative().optional(),
  skipped: Message.optional(),
  failure: Message.optional(),
  error: Message.optional(),
});
const one = <T extends z.ZodTypeAny>(t: T) => z.union([t, z.array(t)]).transform((v) => (Array.isArray(v) ? v : [v]) as z.infer<T>[]);
const Property = z.object({ '@_name': Text, '@_value': Text.optional() });
const TestSuite = z.object({
  '@_name': Text,
  properties: z.object({ property: one(Property).optional() }).or(z.literal('')).optional(),
  testcase: one(TestCase).optional(),
});
export const JunitReport = z.object({ testsuites: z.object({ testsuite: one(TestSuite) }) });
export type JunitCase = z.infer<typeof TestCase>;

/** critest's top-level Describe blocks (framework.KubeDescribe), longest first: a spec's area. */
const AREAS = [
  'Multiple Containers [Conformance]',
  'Container Mount Propagation',
  'Container Mount Readonly',
  'Container OOM',
  'Security Context',
  'Image Manager',
  'Runtime info',
  'Idempotence',
  'Networking',
  'PodSandbox',
  'Streaming',
  'Container',
  'AppArmor',
  'SELinux',
  'Image',
];

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/\[conformance\]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** `[It] [k8s.io] Image Manager public image …` -> area `Image Manager`, title, id `cri.image-manager.public-image-…`. */
export function specName(name: string): { area: string; title: string; id: string; conformance: boolean } {
  const title = name.replace(/^\[It\]\s+/, '').replace(/^\[k8s\.io\]\s+/, '');
  const area = AREAS.find((a) => title === a || title.startsWith(`${a} `)) ?? title.split(' ')[0] ?? 'critest';
  const rest = title.slice(area.length).trim();
  return { area, title, id: `cri.${slug(area)}.${slug(rest) || 'spec'}`, conformance: name.includes('[Conformance]') };
}

/**
 * What a failure says, in one line: gomega's own text before "Unexpected error:", else the
 * error itself (the line after its Go type), never the Go dump that follows.
 */
export function failureReason(m: { '@_message'?: string; '#text'?: string } | undefined, fallback: string): string {
  const text = m?.['@_message'] ?? m?.['#text'] ?? '';
  const [before = '', after] = text.split(/^\s*Unexpected error:\s*$/m);
  let line = before.trim();
  if (!line && after !== undefined) {
    const lines = after.split('\n').map((l) => l.trim()).filter(Boolean);
    line = lines.find((l) => !/^<\*.*>:?$/.test(l) && l !== '{') ?? '';
  }
  const flat = line.replace(/\s+/g, ' ');
  if (!flat) return fallback;
  return flat.length > 400 ? `${flat.slice(0, 397)}...` : flat;
}

function outcomeOf(c: JunitCase): Outcome | null {
  switch (c['@_status']) {
    case 'passed':
      return { status: 'passed', reason: null };
    case 'failed':
      return { status: 'failed', reason: failureReason(c.failure, 'failed (no message)') };
    case 'skipped': {
      const m = c.skipped?.['@_message'] ?? '';
      // a spec the run did not select carries the bare "skipped"; one critest skipped says why
      if (m === 'skipped' || m === '') return null;
      return { status: 'skipped', reason: m.replace(/^skipped\s*-\s*/, '') };
    }
    case 'pending':
      return { status: 'skipped', reason: 'pending in critest' };
    default:
      // panicked, interrupted, timedout, aborted: critest did not reach a verdict
      return { status: 'errored', reason: `${c['@_status']}: ${failureReason(c.failure ?? c.error, 'no message')}` };
  }
}

export interface ParsedReport {
  verdicts: SuiteVerdict[];
  /** A suite-level node (BeforeSuite, AfterSuite, …) that did not pass: the run as a whole is in doubt. */
  suiteFailure: string | null;
}

export function parseJunit(xml: string, specRef: string): ParsedReport {
  // htmlEntities: ginkgo writes newlines and quotes as numeric references (&#xA; &#34;)
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, parseAttributeValue: false, trimValues: false, htmlEntities: true });
  const report = JunitReport.parse(parser.parse(xml));
  const verdicts: SuiteVerdict[] = [];
  let suiteFailure: string | null = null;
  for (const suite of report.testsuites.testsuite) {
    // ginkgo names why a suite stopped early ("Interrupted by User" on SIGTERM): the specs it did not reach are no rows
    const props = typeof suite.properties === 'object' ? (suite.properties.property ?? []) : [];
    const special = props.find((p) => p['@_name'] === 'SpecialSuiteFailureReason')?.['@_value']?.trim();
    if (special) suiteFailure = `critest stopped before the end: ${special}`;
    for (const c of suite.testcase ?? []) {
      const name = c['@_name'];
      if (!name.startsWith('[It]')) {
        if (c['@_status'] !== 'passed' && c['@_status'] !== 'skipped' && !suiteFailure)
          suiteFailure = `${name} ${c['@_status']}: ${failureReason(c.failure ?? c.error, 'no message')}`;
        continue;
      }
      if (/\bbenchmark\b/.test(name) && c['@_status'] === 'skipped') continue;
      const outcome = outcomeOf(c);
      if (!outcome) continue;
      const s = specName(name);
      verdicts.push({ id: s.id, area: s.area, title: s.title, specRef, level: s.conformance ? 'MUST' : 'SHOULD', outcome });
    }
  }
  return { verdicts, suiteFailure };
}
