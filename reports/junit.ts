/**
 * JUnit XML for CI test panels: one <testsuite> per runtime × layer (× host), one <testcase> per
 * suite run and per conformance result. failed -> <failure>, errored -> <error>,
 * skipped -> <skipped message=reason>. A pure function of the documents.
 */
import type { Outcome, ResultsDocument } from '../core/schema.ts';
import { layerName } from '../core/format.ts';
import { xmlEscape } from './escape.ts';

interface Case {
  classname: string;
  name: string;
  timeSeconds: number;
  outcome: Outcome;
}

interface Suite {
  name: string;
  host: string;
  runtime: string;
  layer: string;
  cases: Case[];
}

function caseXml(c: Case): string {
  const open = `    <testcase classname="${xmlEscape(c.classname)}" name="${xmlEscape(c.name)}" time="${c.timeSeconds.toFixed(3)}"`;
  const o = c.outcome;
  switch (o.status) {
    case 'passed':
      return o.reason ? `${open}>\n      <system-out>${xmlEscape(o.reason)}</system-out>\n    </testcase>` : `${open}/>`;
    case 'failed':
      return `${open}>\n      <failure message="${xmlEscape(o.reason)}" type="failed">${xmlEscape(o.reason)}</failure>\n    </testcase>`;
    case 'errored':
      return `${open}>\n      <error message="${xmlEscape(o.reason)}" type="errored">${xmlEscape(o.reason)}</error>\n    </testcase>`;
    case 'skipped':
      return `${open}>\n      <skipped message="${xmlEscape(o.reason)}"/>\n    </testcase>`;
  }
}

export function toJunit(docs: readonly ResultsDocument[]): string {
  const suites = new Map<string, Suite>();
  const multiHost = new Set(docs.map((d) => d.host.hostname)).size > 1;
  const suiteFor = (host: string, runtime: string, layer: string): Suite => {
    const k = [host, runtime, layer].join('\u0000');
    let s = suites.get(k);
    if (!s) {
      s = { name: `${runtime} · ${layer}${multiHost ? ` @${host}` : ''}`, host, runtime, layer, cases: [] };
      suites.set(k, s);
    }
    return s;
  };
  for (const d of docs) {
    for (const r of d.suiteRuns) {
      suiteFor(d.host.hostname, r.runtime, r.layer).cases.push({
        classname: `runbench.${r.layer}.${r.runtime}`,
        name: `suite ${r.suite}`,
        timeSeconds: r.durationMs / 1000,
        outcome: r.outcome,
      });
    }
    for (const c of d.conformance) {
      suiteFor(c.labels.host || d.host.hostname, c.labels.runtime, layerName(c.labels)).cases.push({
        classname: `runbench.${c.labels.layer}.${c.labels.runtime}.conformance.${c.area}`,
        name: `${c.checkId} [${c.level}] ${c.title} (${c.labels.workloadKind}, ${c.labels.arch})`,
        timeSeconds: 0,
        outcome: c.outcome,
      });
    }
  }
  const count = (s: Suite, st: Outcome['status']) => s.cases.filter((c) => c.outcome.status === st).length;
  const all = [...suites.values()];
  const total = (st: Outcome['status']) => all.reduce((n, s) => n + count(s, st), 0);
  const tests = all.reduce((n, s) => n + s.cases.length, 0);
  const time = all.reduce((n, s) => n + s.cases.reduce((t, c) => t + c.timeSeconds, 0), 0);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="runbench" tests="${tests}" failures="${total('failed')}" errors="${total('errored')}" skipped="${total('skipped')}" time="${time.toFixed(3)}">`,
  ];
  for (const s of all) {
    const t = s.cases.reduce((n, c) => n + c.timeSeconds, 0);
    lines.push(
      `  <testsuite name="${xmlEscape(s.name)}" hostname="${xmlEscape(s.host)}" tests="${s.cases.length}" failures="${count(s, 'failed')}" errors="${count(s, 'errored')}" skipped="${count(s, 'skipped')}" time="${t.toFixed(3)}">`,
      `    <properties>\n      <property name="runtime" value="${xmlEscape(s.runtime)}"/>\n      <property name="layer" value="${xmlEscape(s.layer)}"/>\n    </properties>`,
      ...s.cases.map(caseXml),
      '  </testsuite>',
    );
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}
