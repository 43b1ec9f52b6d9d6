import { describe, expect, it } from 'vitest';
import { jsonForScript } from '../../reports/escape.ts';
import { toHtml } from '../../reports/html.ts';
import { scaleFor } from '../../reports/html/figures.ts';
import { buildReportModel } from '../../reports/html/model.ts';
import type { Section } from '../../reports/html/types.ts';
import { loadFixture, nightlies } from './fixtures.ts';
import { HOSTILE, hostileDoc } from './hostile.ts';

const section = (sections: Section[], id: string) => {
  const s = sections.find((x) => x.id === id);
  if (!s) throw new Error(`no section ${id}`);
  return s;
};

describe('HTML report model', () => {
  const doc = loadFixture('single-host.json');
  const emulated = loadFixture('arm64-emulated.json');

  it('has every section, and every figure has a table beside its chart', () => {
    const model = buildReportModel([doc]);
    expect(model.sections.map((s) => s.id)).toEqual([
      'environment',
      'suite-startup',
      'suite-memory',
      'suite-throughput',
      'native-vs-wasm',
      'engines',
      'conformance',
      'harness',
      'facts',
      'method',
    ]);
    for (const s of model.sections) for (const f of s.figures) expect(f.table.rows.length).toBeGreaterThan(0);
  });

  it('each figure ranks the runtimes: "best" only for a runtime apart from the next, a shared rank for a tie', () => {
    const model = buildReportModel([doc]);
    const table = (id: string, metric: string) => section(model.sections, id).figures.find((f) => f.title.includes(metric))?.table;
    const lifecycle = table('suite-startup', 'lifecycle');
    expect(lifecycle?.columns).toEqual(['runtime', 'median', '95% CI', 'p95', 'rank', 'ratio to best (95% CI)', 'n', 'outliers']);
    expect(lifecycle?.rows.map((r) => [r[0], r[4], r[5]])).toEqual([
      ['crun (native)', { text: '1', tone: 'good' }, { text: '1.00× best', tone: 'good' }],
      ['crun (wasm)', '2', '1.66× [1.58 … 1.73]'],
      ['runc (native)', '3', expect.stringMatching(/^1\.93× \[/)],
    ]);
    const cpu = table('suite-throughput', 'cpuIntOpsPerSec');
    expect(cpu?.rows.map((r) => r[4])).toEqual([
      { text: '=1', tone: 'muted' },
      { text: '=1', tone: 'muted' },
    ]);
    expect(cpu?.rows.map((r) => r[5])).toEqual(['1.00×', expect.stringMatching(/^1\.00× \[0\.\d\d … 1\.\d\d\]$/)]);
  });

  it('startup distributions are box plots of the raw samples, per runtime', () => {
    const startup = section(buildReportModel([doc]).sections, 'suite-startup');
    const lifecycle = startup.figures.find((f) => f.title.includes('lifecycle'));
    expect(lifecycle?.chart.type).toBe('boxplot');
    if (lifecycle?.chart.type !== 'boxplot') return;
    expect(lifecycle.chart.axis).toBe('ms');
    expect(lifecycle.chart.labels).toEqual(['crun (native)', 'crun (wasm)', 'runc (native)']);
    expect(lifecycle.chart.datasets[0]?.data[0]).toEqual([21.3, 20.8, 22.9, 21.1, 20.5, 21.7]);
  });

  it('native vs Wasm pairs the same runtime on the same host', () => {
    const s = section(buildReportModel([doc]).sections, 'native-vs-wasm');
    expect(s.figures.length).toBe(1);
    expect(s.figures[0]?.table.rows).toEqual([['crun', '21.20 ms', '35.25 ms', '1.66× [1.58 … 1.73]']]);
  });

  it('merged hosts: emulated figures stay in their own section with the reason', () => {
    const model = buildReportModel([doc, emulated]);
    const emu = section(model.sections, 'emulated');
    expect(emu.paragraphs[0]).toContain('never compared');
    expect(emu.figures.every((f) => f.title.includes('arm64, emulated'))).toBe(true);
    for (const id of ['suite-startup', 'suite-memory', 'suite-throughput', 'native-vs-wasm']) {
      for (const f of section(model.sections, id).figures) expect(f.title).not.toContain('emulated');
    }
    expect(section(model.sections, 'environment').tables[0]?.rows.map((r) => r[0])).toEqual(['ci-x86', 'build-02']);
  });

  it('an empty conformance list says so', () => {
    const s = section(buildReportModel([emulated]).sections, 'conformance');
    expect(s.paragraphs[0]).toMatch(/^No conformance results/);
    expect(s.tables).toEqual([]);
  });

  it('the conformance matrix has a cell per check and runtime, with the reason', () => {
    const s = section(buildReportModel([doc]).sections, 'conformance');
    const matrix = s.tables[0];
    expect(matrix?.columns).toEqual(['check', 'level', 'spec', 'runc (oci, native)', 'crun (oci, native)']);
    expect(matrix?.rows[1]).toEqual([
      'linux.sysctl: applies linux.sysctl',
      'MUST',
      'config-linux.md#sysctl',
      { text: 'failed: net.ipv4.ip_forward is 0, want 1', tone: 'bad' },
      { text: 'errored: probe exited 2 before reporting', tone: 'bad' },
    ]);
    expect(matrix?.rows[2]?.[4]).toEqual({ text: 'not run', tone: 'muted' });
  });

  it('baseline: a comparison section comes first', () => {
    const model = buildReportModel([doc], { baseline: doc });
    expect(model.sections[0]?.id).toBe('comparison');
    expect(model.sections[0]?.paragraphs[1]).toMatch(/^0 regressed, 0 improved, 7 no change, 4 inconclusive of 11 compared/);
  });

  it('history: one trend per metric, the regressed night flagged', () => {
    const model = buildReportModel([], { history: nightlies() });
    const h = section(model.sections, 'history');
    const fig = h.figures.find((f) => f.title.startsWith('oci · startup · lifecycle (hello, native'));
    expect(fig?.chart.type).toBe('line');
    if (fig?.chart.type !== 'line') return;
    const crun = fig.chart.datasets.find((d) => d.label === 'crun');
    expect(crun?.flagged).toEqual([false, false, true, false]);
    expect(fig.chart.datasets.find((d) => d.label === 'runc')?.flagged).toEqual([false, false, false, false]);
    expect(fig.table.rows[2]?.[1]).toEqual({ text: '29.68 ms ▲ regressed', tone: 'bad' });
    expect(h.paragraphs[0]).toContain('1 flagged');
  });

  it('chart units are chosen once per chart', () => {
    expect(scaleFor('ns', [500, 2_000_000])).toEqual({ factor: 1e-6, axis: 'ms' });
    expect(scaleFor('bytes', [3 * 1024 * 1024])).toEqual({ factor: 1 / (1024 * 1024), axis: 'MiB' });
    expect(scaleFor('containers/s', [12])).toEqual({ factor: 1, axis: 'containers/s' });
  });
});

describe('HTML page', () => {
  it('embedded JSON can never close the script element', () => {
    const s = jsonForScript({ a: '</script><script>x</script>', b: '<!-- & -->', c: '\u2028\u2029' });
    expect(s).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(s)).toEqual({ a: '</script><script>x</script>', b: '<!-- & -->', c: '\u2028\u2029' });
  });

  it('a hostile document leaves exactly the four script elements and no markup of its own', () => {
    const html = toHtml([hostileDoc()]);
    expect((html.match(/<script/g) ?? []).length).toBe(4);
    expect((html.match(/<\/script>/g) ?? []).length).toBe(4);
    expect(html).not.toContain('<img');
    expect(html).not.toContain(HOSTILE);
  });

  it('is self-contained: no external URL is loaded, the CSP pins the inline scripts', () => {
    const html = toHtml([loadFixture('single-host.json')]);
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href="(?!data:)/);
    expect(html).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+' 'sha256-[A-Za-z0-9+/=]+' 'sha256-[A-Za-z0-9+/=]+';/);
    expect(html).not.toContain('sourceMappingURL');
  });
});
