import { describe, expect, it } from 'vitest';
import { computeStats } from '../../core/stats.ts';
import { jsonForScript } from '../../reports/escape.ts';
import { toHtml } from '../../reports/html.ts';
import { axisScale, scaleFor } from '../../reports/html/figures.ts';
import { buildReportModel } from '../../reports/html/model.ts';
import { STYLE_COLORS } from '../../reports/html/palette.ts';
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

  it('opens with the summary and what did not run, then the details; every figure has a table beside its chart', () => {
    const model = buildReportModel([doc]);
    expect(model.sections.map((s) => s.id)).toEqual([
      'summary',
      'problems',
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
    expect(model.subtitle).toBe('run 20261101aaaaaa · 1 host (ci-x86) · amd64 · 4 runtime configurations');
  });

  it('the summary: the best of each suite in a sentence, then the matrix by layer with a winner only where significant', () => {
    const s = section(buildReportModel([doc]).sections, 'summary');
    const glance = s.lead?.[0];
    expect(glance?.columns).toEqual(['', 'oci layer · amd64']);
    expect(glance?.rows.map((r) => (typeof r[0] === 'string' ? r[0] : r[0]?.text))).toEqual([
      'Fastest lifecycle (lifecycle)',
      'Smallest runtime process (runtime RSS)',
      'Most containers per second (churn)',
    ]);
    expect(glance?.rows[0]?.[1]).toEqual({ text: expect.stringMatching(/^crun \(native\) 21\.20 ms, ahead of the next by 1\.66× \[/), tone: 'good' });
    const matrix = s.lead?.[1];
    expect(matrix?.columns).toEqual(['configuration', 'lifecycle ↓\nn=6', 'runtime RSS ↓\nn=6', 'churn ↑\nn=6']);
    expect(matrix?.groups).toEqual([{ before: 0, title: 'oci layer · amd64' }]);
    expect(matrix?.rows.map((r) => r[0])).toEqual(['crun (native)', 'runc (native)', 'youki (no figures)', 'crun (Wasm, OCI handler)']);
    expect(matrix?.rows[0]?.[1]).toEqual({ text: '21.20 ms', badge: { text: 'best', tone: 'good' } });
    expect(matrix?.rows[1]?.[1]).toEqual({ text: '40.95 ms', sub: expect.stringMatching(/^1\.93× \(3\)$/) });
    expect(matrix?.rows[2]?.[3]).toEqual({ text: 'errored', tone: 'bad', sub: 'see below' });
  });

  it('what did not run comes right after the summary, errors first, with the reasons', () => {
    const s = section(buildReportModel([doc]).sections, 'problems');
    expect(s.paragraphs).toEqual(['1 errored, 1 failed, 1 skipped, 1 part skipped.']);
    expect(s.tables[0]?.rows.map((r) => [r[0], r[2], r[4]])).toEqual([
      [{ text: 'errored', tone: 'bad' }, 'youki', 'youki create exited 1: "failed to create container"'],
      [{ text: 'failed', tone: 'bad' }, 'crun', 'wasm: cgroup memory.peak not available on this kernel'],
      [{ text: 'skipped', tone: 'muted' }, 'youki', 'youki not found on PATH'],
      [{ text: 'part skipped', tone: 'muted' }, 'runc', 'wasm: runc has no Wasm handler'],
    ]);
  });

  it('every figure lists configurations in the summary order, coloured by kind, with a legend', () => {
    const model = buildReportModel([doc]);
    const lifecycle = section(model.sections, 'suite-startup').figures.find((f) => f.title.startsWith('Startup: create → start → exit → delete'));
    expect(lifecycle?.title).toBe('Startup: create → start → exit → delete · hello, oci layer, amd64');
    expect(lifecycle?.chart.type).toBe('boxplot');
    if (lifecycle?.chart.type !== 'boxplot') return;
    expect(lifecycle.chart.labels).toEqual(['crun (native)', 'runc (native)', 'crun (Wasm, OCI handler)']);
    expect(lifecycle.chart.colors).toEqual([STYLE_COLORS.native, STYLE_COLORS.native, STYLE_COLORS['oci-handler']]);
    expect(lifecycle.chart.legend.map((l) => l.label)).toEqual(['native', 'Wasm, OCI runtime handler']);
    expect(lifecycle.chart.axis).toBe('ms, lower is better');
    expect(lifecycle.chart.scale).toBe('zero');
    expect(lifecycle.chart.datasets[0]?.data[0]).toEqual([21.3, 20.8, 22.9, 21.1, 20.5, 21.7]);
    // no raw ids or "(ns)" over values in ms
    expect(lifecycle.table.caption).not.toMatch(/\(ns\)|lifecycle \(/);
    expect(lifecycle.table.rows.map((r) => [r[0], r[4], r[5]])).toEqual([
      ['crun (native)', { text: '1', tone: 'good' }, { text: '1.00× best', tone: 'good' }],
      ['runc (native)', '3', expect.stringMatching(/^1\.93× \[/)],
      ['crun (Wasm, OCI handler)', '2', '1.66× [1.58 … 1.73]'],
    ]);
  });

  it('a configuration whose series errored keeps its row in the chart and the table, saying so', () => {
    const churn = section(buildReportModel([doc]).sections, 'suite-throughput').figures.find((f) => f.title.startsWith('Churn'));
    expect(churn?.chart.labels).toEqual(['crun (native)', 'runc (native)', 'youki (no figures) — errored']);
    if (churn?.chart.type !== 'boxplot') throw new Error('not a box plot');
    expect(churn.chart.datasets[0]?.data[2]).toEqual([]);
    expect(churn.chart.legend.map((l) => l.label)).toContain('errored: no figure');
    expect(churn.table.rows[2]?.[1]).toEqual({ text: 'errored: youki create exited 1: "failed to create container"', tone: 'bad' });
  });

  it('tied ranks share a rank and no one is "best"', () => {
    const cpu = section(buildReportModel([doc]).sections, 'suite-throughput').figures.find((f) => f.title.startsWith('CPU: integer'));
    expect(cpu?.table.rows.map((r) => r[4])).toEqual([{ text: '=1', tone: 'muted' }, { text: '=1', tone: 'muted' }, '—']);
  });

  it('value axes start at zero, and turn logarithmic past a 20× span', () => {
    expect(axisScale([64.4, 64.8])).toBe('zero');
    expect(axisScale([10, 190])).toBe('zero');
    expect(axisScale([0.016, 1.01])).toBe('log');
    expect(axisScale([0, 5])).toBe('zero');
    const wide = structuredClone(doc);
    for (const m of wide.measurements) {
      if (m.metric === 'lifecycle' && m.labels.runtime === 'runc') {
        m.samples = m.samples.map((x) => x * 30);
        m.stats = computeStats(m.samples);
      }
    }
    const f = section(buildReportModel([wide]).sections, 'suite-startup').figures.find((x) => x.title.startsWith('Startup: create'));
    expect(f?.chart.type === 'boxplot' && [f.chart.scale, f.chart.axis]).toEqual(['log', 's, lower is better (log scale)']);
  });

  it('native vs Wasm pairs the same runtime on the same host', () => {
    const s = section(buildReportModel([doc]).sections, 'native-vs-wasm');
    expect(s.figures.length).toBe(1);
    expect(s.figures[0]?.table.rows).toEqual([['crun', '21.20 ms', '35.25 ms', '1.66× [1.58 … 1.73]']]);
    const chart = s.figures[0]?.chart;
    expect(chart?.type === 'boxplot' && chart.datasets.map((d) => d.color)).toEqual([STYLE_COLORS.native, STYLE_COLORS['oci-handler']]);
  });

  it('merged hosts: emulated figures stay in their own section with the reason', () => {
    const model = buildReportModel([doc, emulated]);
    const emu = section(model.sections, 'emulated');
    expect(emu.paragraphs[0]).toContain('never compared');
    expect(emu.figures.every((f) => f.title.includes('arm64 (emulated)'))).toBe(true);
    for (const id of ['suite-startup', 'suite-memory', 'suite-throughput', 'native-vs-wasm']) {
      for (const f of section(model.sections, id).figures) expect(f.title).not.toContain('emulated');
    }
    expect(section(model.sections, 'environment').tables[1]?.rows.map((r) => r[0])).toEqual(['ci-x86', 'build-02']);
    expect(model.subtitle).toMatch(/^2 results documents · 2 hosts \(ci-x86, build-02\)/);
  });

  it('the environment says how to run it again: command line, commit, digest, versions and paths, host load', () => {
    const recorded = structuredClone(doc);
    recorded.invocation = { program: 'npx runbench', argv: ['run', '--runtime', 'runc,crun', '--runs', '6'], cwd: '/srv/bench' };
    recorded.tool.commit = '0d1e6480000000000000000000000000000000aa';
    recorded.noise = {
      turns: [
        { layer: 'oci', arch: 'amd64', round: 0, runtime: 'runc', loadAvg1: 0.5, stealPct: 0, busyPct: 40, cpuMHz: 2400 },
        { layer: 'oci', arch: 'amd64', round: 0, runtime: 'crun', loadAvg1: 3.1, stealPct: 1.2, busyPct: 60, cpuMHz: 2400 },
      ],
      summary: { maxLoadAvg1: 3.1, maxStealPct: 1.2, noisy: true, reason: 'load average up to 3.10 on 8 cores' },
    };
    const env = section(buildReportModel([recorded]).sections, 'environment');
    expect(env.blocks).toEqual([{ type: 'code', caption: 'Command line, run in /srv/bench', text: 'npx runbench run --runtime runc,crun --runs 6' }]);
    const [runs, , runtimes, load, again] = env.tables;
    expect(runs?.rows[0]?.slice(2, 5)).toEqual(['0.1.0', '0d1e6480000000000000000000000000000000aa', recorded.config.digest]);
    expect(runtimes?.rows[0]?.slice(0, 3)).toEqual(['runc', '1.1.5', '/usr/sbin/runc']);
    expect(load?.rows[0]?.slice(0, 5)).toEqual(['oci', '2', '0.50 … 1.80 … 3.10', '40% … 50% … 60%', '0.0% … 0.6% … 1.2%']);
    expect(again?.rows[0]).toEqual([
      'crun (native), oci',
      { text: 'npx runbench run --runtime crun --layer oci --workload-kind native --suite startup,memory,throughput --runs 6 --warmup 1 --churn 10 --concurrency 2', code: true },
    ]);
    // an older document did not record its command line, and says so
    expect(section(buildReportModel([doc]).sections, 'environment').paragraphs[0]).toMatch(/^The command line was not recorded/);
  });

  it('a comparison puts base and head side by side after the summary, with the change interval and the threshold band', () => {
    const head = structuredClone(doc);
    head.host.kernel = '6.2.0';
    const model = buildReportModel([head], { baseline: doc });
    expect(model.sections.map((s) => s.id).slice(0, 3)).toEqual(['summary', 'problems', 'comparison']);
    expect(model.title).toBe('runbench comparison');
    expect(model.subtitle).toMatch(/^head 20261101aaaaaa against base 20261101aaaaaa · /);
    const c = section(model.sections, 'comparison');
    expect(c.paragraphs[0]).toContain('2 results documents');
    expect(c.paragraphs[1]).toMatch(/^0 regressed, 0 improved, 7 no change, 4 inconclusive of 11 compared/);
    const side = c.lead?.[0];
    expect(side?.columns).toEqual(['', 'base', 'head', 'same?']);
    expect(side?.rows.find((r) => r[0] === 'kernel')).toEqual(['kernel', '6.1.0-13-amd64', '6.2.0', { text: 'differs: can move the figures', tone: 'bad' }]);
    expect(side?.rows.find((r) => r[0] === 'host')?.[3]).toEqual({ text: 'same', tone: 'muted' });
    const chart = c.figures[0]?.chart;
    expect(chart?.type).toBe('change');
    if (chart?.type !== 'change') return;
    expect(chart.thresholdPercent).toBe(5);
    expect(chart.interval.every(([lo, hi], i) => lo <= (chart.change[i] as number) && (chart.change[i] as number) <= hi)).toBe(true);
    expect(chart.legend.map((l) => l.label)).toContain('±5%: no change');
    expect(chart.labels[0]).toBe('lifecycle · crun (native)');
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

  it('history: one trend per metric, the regressed night flagged', () => {
    const model = buildReportModel([], { history: nightlies() });
    expect(model.subtitle).toMatch(/^4 nightly results documents · 1 host/);
    const h = section(model.sections, 'history');
    const fig = h.figures.find((f) => f.title.startsWith('Startup: create → start → exit → delete · hello (native)'));
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

  it('every table and figure is in the page itself: it reads without running a script', () => {
    const html = toHtml([loadFixture('single-host.json')]);
    const body = html.slice(html.indexOf('<main'), html.indexOf('</main>'));
    expect(body).toContain('<h2>Summary</h2>');
    expect(body).toContain('21.20 ms');
    expect(body).toContain('youki create exited 1: &#34;failed to create container&#34;');
    expect(body).toContain('linux.sysctl: applies linux.sysctl');
    expect((body.match(/<table[ >]/g) ?? []).length).toBeGreaterThan(10);
    expect(body).not.toContain('<script');
  });

  it('is self-contained: no external URL is loaded, the CSP pins the inline scripts', () => {
    const html = toHtml([loadFixture('single-host.json')]);
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href="(?!data:)/);
    expect(html).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+' 'sha256-[A-Za-z0-9+/=]+' 'sha256-[A-Za-z0-9+/=]+';/);
    expect(html).toContain("default-src 'none'");
    expect(html).not.toContain('sourceMappingURL');
  });
});
