/**
 * Two readers of OpenMetrics text for the exporter's tests: a strict hand check of the grammar
 * (OpenMetrics 1.0's ABNF, and what the Pushgateway's older text format needs besides), which
 * always runs; and prometheus_client's own parsers, OpenMetrics and the older Prometheus text,
 * run in Python where Debian's python3-prometheus-client is installed.
 */
import { spawnSync } from 'node:child_process';

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const NUMBER = /^(NaN|[+-]Inf|[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?)$/;
const SUFFIXES: Record<string, string[]> = { gauge: [''], summary: ['', '_sum', '_count', '_created'], unknown: [''] };

export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedFamily {
  name: string;
  type: string;
  unit: string;
  help: string;
  samples: ParsedSample[];
}

function parseValue(text: string): number {
  if (!NUMBER.test(text)) throw new Error(`not a number: ${JSON.stringify(text)}`);
  return text === 'NaN' ? Number.NaN : text === '+Inf' ? Infinity : text === '-Inf' ? -Infinity : Number(text);
}

/** `{a="x",b="y\"z"} 1.5` after the name: the labels, unescaped, and the value text. */
function parseLabels(rest: string): { labels: Record<string, string>; tail: string } {
  const labels: Record<string, string> = {};
  if (!rest.startsWith('{')) return { labels, tail: rest };
  let i = 1;
  while (rest[i] !== '}') {
    const eq = rest.indexOf('=', i);
    if (eq < 0) throw new Error(`label without '=': ${rest}`);
    const name = rest.slice(i, eq);
    if (!LABEL.test(name)) throw new Error(`bad label name ${JSON.stringify(name)}`);
    if (name in labels) throw new Error(`label ${name} twice`);
    if (rest[eq + 1] !== '"') throw new Error(`label value not quoted: ${rest}`);
    let value = '';
    let j = eq + 2;
    for (;;) {
      const c = rest[j];
      if (c === undefined) throw new Error(`unterminated label value: ${rest}`);
      if (c === '"') break;
      if (c === '\\') {
        const e = rest[j + 1];
        if (e === '\\') value += '\\';
        else if (e === '"') value += '"';
        else if (e === 'n') value += '\n';
        else throw new Error(`invalid escape \\${e ?? ''} in a label value`);
        j += 2;
      } else {
        if (c === '\n') throw new Error('raw line feed in a label value');
        value += c;
        j++;
      }
    }
    labels[name] = value;
    i = j + 1;
    if (rest[i] === ',') i++;
    else if (rest[i] !== '}') throw new Error(`expected ',' or '}' after a label: ${rest}`);
  }
  return { labels, tail: rest.slice(i + 1) };
}

/**
 * Parses and checks the exposition, throwing at the first line that breaks a rule: metadata
 * before samples and families never interleaved, UNIT a suffix of the name, each sample's name
 * one its family's type allows, label sets unique, summaries' quantiles in [0, 1] and never
 * negative, counts whole and sums neither negative nor NaN, HELP escaped with no double quote
 * (the older format has no escape for one there), one `# EOF` closing the text.
 */
export function checkOpenMetrics(text: string): ParsedFamily[] {
  if (!text.endsWith('# EOF\n')) throw new Error('does not end with "# EOF" and a line feed');
  const lines = text.slice(0, -1).split('\n');
  const families: ParsedFamily[] = [];
  const done = new Set<string>();
  let f: ParsedFamily | null = null;
  const seen = new Set<string>();
  lines.forEach((line, n) => {
    const at = `line ${n + 1}: ${line}`;
    if (n === lines.length - 1) {
      if (line !== '# EOF') throw new Error(`${at}: the last line is not # EOF`);
      return;
    }
    if (line === '') throw new Error(`${at}: blank line`);
    if (line === '# EOF') throw new Error(`${at}: # EOF before the end`);
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE|UNIT) (\S+) (.*)$/.exec(line) ?? /^# (HELP) (\S+)()$/.exec(line);
      if (!m) throw new Error(`${at}: a comment is HELP, TYPE, UNIT or EOF`);
      const [, kind, name = '', rest = ''] = m;
      if (!NAME.test(name)) throw new Error(`${at}: bad metric name`);
      if (!f || f.name !== name) {
        if (f) done.add(f.name);
        if (done.has(name)) throw new Error(`${at}: family ${name} again after others`);
        f = { name, type: 'unknown', unit: '', help: '', samples: [] };
        families.push(f);
      } else if (f.samples.length > 0) throw new Error(`${at}: metadata after samples`);
      if (kind === 'TYPE') {
        if (!(rest in SUFFIXES)) throw new Error(`${at}: type ${rest} is not one the Pushgateway reads`);
        f.type = rest;
      } else if (kind === 'UNIT') {
        if (!name.endsWith(`_${rest}`)) throw new Error(`${at}: the name does not end in _${rest}`);
        f.unit = rest;
      } else {
        if (/\\(?!n)/.test(rest.replace(/\\\\/g, ''))) throw new Error(`${at}: HELP escapes only \\\\ and \\n`);
        if (rest.includes('"')) throw new Error(`${at}: a double quote in HELP`);
        f.help = rest.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
      }
      return;
    }
    const name = /^[^{ ]+/.exec(line)?.[0] ?? '';
    if (!NAME.test(name)) throw new Error(`${at}: bad metric name`);
    const { labels, tail } = parseLabels(line.slice(name.length));
    const value = /^ (\S+)$/.exec(tail)?.[1];
    if (value === undefined) throw new Error(`${at}: expected one space and a value (no timestamp)`);
    if (!f || !(SUFFIXES[f.type] ?? ['']).some((s) => `${f?.name}${s}` === name)) throw new Error(`${at}: a sample outside its family's metadata`);
    const v = parseValue(value);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(key)) throw new Error(`${at}: the same series twice`);
    seen.add(key);
    if (f.type === 'summary') {
      if (name === f.name) {
        const q = labels.quantile;
        if (q === undefined || !NUMBER.test(q) || !(Number(q) >= 0 && Number(q) <= 1)) throw new Error(`${at}: quantile label missing or outside [0, 1]`);
        if (v < 0) throw new Error(`${at}: a negative quantile value`);
      } else {
        if ('quantile' in labels) throw new Error(`${at}: quantile label on ${name}`);
        if (Number.isNaN(v) || v < 0) throw new Error(`${at}: a count or sum that is NaN or negative`);
        if (name.endsWith('_count') && !Number.isInteger(v)) throw new Error(`${at}: a count that is not whole`);
      }
    } else if ('quantile' in labels) throw new Error(`${at}: quantile label outside a summary`);
    f.samples.push({ name, labels, value: v });
  });
  return families;
}

const PYTHON_SCRIPT = `
import json, math, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families as openmetrics
from prometheus_client.parser import text_string_to_metric_families as prometheus
text = sys.stdin.read()
def families(parse):
    return [{'name': f.name, 'type': f.type, 'unit': getattr(f, 'unit', ''), 'help': f.documentation,
             'samples': [{'name': s.name, 'labels': s.labels, 'value': repr(float(s.value))} for s in f.samples]}
            for f in parse(text)]
print(json.dumps({'openmetrics': families(openmetrics), 'prometheus': families(prometheus)}))
`;

/** A Python that imports prometheus_client: Debian's /usr/bin/python3 (python3-prometheus-client), or python3 on PATH. */
export function prometheusPython(): { python: string | null; why: string | null } {
  for (const python of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(python, ['-c', 'import prometheus_client.openmetrics.parser'], { encoding: 'utf8' });
    if (r.status === 0) return { python, why: null };
  }
  return { python: null, why: 'no python3 with prometheus_client (apt-get install python3-prometheus-client; scripts/setup.sh installs it)' };
}

/** The text as prometheus_client reads it in OpenMetrics and in the older Prometheus format; throws what the parser says. */
export function parseWithPrometheusClient(python: string, text: string): { openmetrics: ParsedFamily[]; prometheus: ParsedFamily[] } {
  const r = spawnSync(python, ['-c', PYTHON_SCRIPT], { input: text, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`prometheus_client refused the text: ${r.stderr.trim().split('\n').pop() ?? r.stderr}`);
  const out = JSON.parse(r.stdout) as Record<
    'openmetrics' | 'prometheus',
    (Omit<ParsedFamily, 'samples'> & { samples: (Omit<ParsedSample, 'value'> & { value: string })[] })[]
  >;
  const conv = (fs: (typeof out)['openmetrics']): ParsedFamily[] =>
    fs.map((fam) => ({
      ...fam,
      samples: fam.samples.map((s) => ({
        ...s,
        value: s.value === 'nan' ? Number.NaN : s.value === 'inf' ? Infinity : s.value === '-inf' ? -Infinity : Number(s.value),
      })),
    }));
  return { openmetrics: conv(out.openmetrics), prometheus: conv(out.prometheus) };
}
