/**
 * The sample nightly workflow (docs/nightly-workflow.yml, shown in the README and written by
 * `runbench init`): it parses, its exports are formats runbench has, and its shell steps run as
 * written on a results document, the Pushgateway push included (against a stand-in server on
 * the loopback address that records what curl sends).
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { sampleWorkflow, WORKFLOW_SOURCE } from '../../cli/commands/init.ts';
import { packageRoot } from '../../core/paths.ts';
import { isExporterName } from '../../reports/index.ts';
import { checkOpenMetrics } from '../helpers/openmetrics.ts';
import { needs } from '../helpers/require.ts';
import { lazyTempDir } from '../helpers/tmp.ts';
import { fixturePath } from '../reports/fixtures.ts';

interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string | number | boolean>;
}

const text = readFileSync(WORKFLOW_SOURCE, 'utf8');
const workflow = parse(text) as { jobs: { bench: { steps: Step[] } } };
const steps = workflow.jobs.bench.steps;
const step = (name: string): Step => {
  const s = steps.find((x) => x.name === name);
  if (!s) throw new Error(`no step ${name}`);
  return s;
};
const tmp = lazyTempDir('runbench-workflow-');

describe('the nightly workflow', () => {
  it('is what runbench init writes and what the README shows', () => {
    expect(sampleWorkflow()).toBe(text);
    const readme = readFileSync(join(packageRoot, 'README.md'), 'utf8');
    expect(readme).toContain(`\`\`\`yaml\n${text}\`\`\``);
  });

  it('exports only formats runbench has, and feeds each github-action-benchmark step its own direction', () => {
    const formats = [...(step('Reports and exports').run ?? '').matchAll(/--format (\S+)/g)].map((m) => m[1] ?? '');
    expect(formats).toEqual(['md', 'github-benchmark-smaller', 'github-benchmark-bigger', 'openmetrics']);
    for (const f of formats) expect(isExporterName(f), f).toBe(true);
    const charts = steps.filter((s) => s.uses?.startsWith('benchmark-action/github-action-benchmark@'));
    expect(charts.map((s) => [s.with?.tool, s.with?.['output-file-path']])).toEqual([
      ['customSmallerIsBetter', 'published/benchmark-smaller.json'],
      ['customBiggerIsBetter', 'published/benchmark-bigger.json'],
    ]);
    // two names: one chart page each, never mixed
    expect(new Set(charts.map((s) => s.with?.name)).size).toBe(2);
  });
});

const tools = ['jq', 'curl'].filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
needs(tools, tools.length > 0 ? `${tools.join(' and ')} not installed (scripts/setup.sh installs them)` : null).describe(
  'the nightly workflow, its shell steps run',
  () => {
    it('writes every export, compares, appends only the verdicts to the job summary and PUTs the OpenMetrics file', async () => {
      const ws = join(tmp(), 'workspace');
      mkdirSync(join(ws, 'results'), { recursive: true });
      mkdirSync(join(ws, 'previous'), { recursive: true });
      copyFileSync(fixturePath('single-host.json'), join(ws, 'results', 'results.json'));
      copyFileSync(fixturePath('single-host.json'), join(ws, 'previous', 'results.json'));
      // `npx runbench` of this checkout
      const bin = join(tmp(), 'bin');
      mkdirSync(bin, { recursive: true });
      writeFileSync(join(bin, 'npx'), `#!/bin/sh\n[ "$1" = runbench ] && shift\nexec node ${join(packageRoot, 'bin', 'runbench.js')} "$@"\n`);
      chmodSync(join(bin, 'npx'), 0o755);
      const output = join(tmp(), 'github-output');
      const summary = join(tmp(), 'step-summary.md');

      const pushes: { method: string; url: string; type: string; body: string }[] = [];
      const server = createServer((req: IncomingMessage, res) => {
        let body = '';
        req.on('data', (b: Buffer) => (body += b.toString()));
        req.on('end', () => {
          pushes.push({ method: req.method ?? '', url: req.url ?? '', type: req.headers['content-type'] ?? '', body });
          res.writeHead(202).end();
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        for (const name of ['Reports and exports', 'Compare with the previous night', 'Push to a Prometheus Pushgateway']) {
          const script = (step(name).run ?? '').replaceAll('${{ vars.PUSHGATEWAY_URL }}', url);
          expect(script).not.toContain('${{');
          const r = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
            const child = spawn('bash', ['-e', '-c', script], {
              cwd: ws,
              env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary },
            });
            let stderr = '';
            child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
            child.on('close', (status) => resolve({ status, stderr }));
          });
          expect(r.status, `${name}: ${r.stderr}`).toBe(0);
        }
      } finally {
        server.close();
      }
      const published = (f: string) => readFileSync(join(ws, 'published', f), 'utf8');
      expect(published('report.html').startsWith('<!doctype html>')).toBe(true);
      expect(published('report.md').startsWith('# runbench results')).toBe(true);
      expect((JSON.parse(published('benchmark-smaller.json')) as unknown[]).length).toBe(7);
      expect((JSON.parse(published('benchmark-bigger.json')) as unknown[]).length).toBe(4);
      expect(readFileSync(output, 'utf8')).toBe('smaller=7\nbigger=4\ncode=0\n');
      // the report steps pass --no-step-summary: the job summary holds the comparison alone
      const md = readFileSync(summary, 'utf8');
      expect(md).toContain('## runbench compare');
      expect(md).not.toContain('### runbench:');
      expect(pushes).toHaveLength(1);
      expect(pushes[0]).toMatchObject({ method: 'PUT', url: `/metrics/job/runbench/instance/${hostname()}`, type: 'text/plain; version=0.0.4' });
      expect(pushes[0]?.body).toBe(published('metrics.txt'));
      expect(checkOpenMetrics(pushes[0]?.body ?? '').length).toBeGreaterThan(5);
    }, 240_000);
  },
);
