/**
 * Environment and how to reproduce: the exact command line of each run, runbench's version
 * and commit, the config digest, the hosts, each runtime's version and path, how busy the host
 * was while it was measured, and a command that measures one configuration again.
 */
import { formatValue } from '../../../core/format.ts';
import { commandLine, shellQuote } from '../../../core/provenance.ts';
import { KNOWN_RUNTIMES } from '../../../core/runtimes.ts';
import type { ResultsDocument } from '../../../core/schema.ts';
import type { Configuration } from '../../configurations.ts';
import { hostLoadRows } from '../host-load.ts';
import type { Block, Cell, Section, SectionContext, TableModel } from '../types.ts';

function took(d: ResultsDocument): string {
  const ms = Date.parse(d.finishedAt) - Date.parse(d.startedAt);
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

/** A command that measures one configuration again, with the parameters of its run. */
export function configurationCommand(d: ResultsDocument, c: Configuration): string {
  const info = d.runtimes.find((r) => r.name === c.runtime);
  const known = KNOWN_RUNTIMES.some((k) => k.name === c.runtime);
  const spec = known || !info?.path ? c.runtime : `${c.runtime}=${info.path}`;
  const p = d.parameters;
  const suites = p.suites.filter((s) =>
    d.suiteRuns.some((r) => r.suite === s && r.runtime === c.runtime && r.layer === c.layer && r.outcome.status !== 'skipped'),
  );
  const args = [
    'run',
    '--runtime',
    spec,
    '--layer',
    c.layer,
    ...(c.workloadKind ? ['--workload-kind', c.workloadKind] : []),
    ...(c.arch !== d.host.arch ? ['--arch', c.arch] : []),
    ...(suites.length > 0 ? ['--suite', suites.join(',')] : []),
    '--runs',
    String(p.runs),
    '--warmup',
    String(p.warmup),
    ...(p.blocks ? ['--blocks', String(p.blocks)] : []),
    ...(suites.includes('throughput') ? ['--churn', String(p.churnContainers), '--concurrency', String(p.concurrency)] : []),
  ];
  return [d.invocation?.program ?? 'runbench', ...args.map(shellQuote)].join(' ');
}

export function buildEnvironment({ docs, summary }: SectionContext): Section | null {
  if (docs.length === 0) return null;
  const multiHost = new Set(docs.map((d) => d.host.hostname)).size > 1;
  const blocks: Block[] = [];
  const paragraphs: string[] = [];
  for (const d of docs) {
    const where = docs.length > 1 ? ` of run ${d.runId} (${d.host.hostname})` : '';
    if (d.invocation) blocks.push({ type: 'code', caption: `Command line${where}, run in ${d.invocation.cwd}`, text: commandLine(d.invocation) });
    else
      paragraphs.push(
        `The command line${where} was not recorded: the document comes from a runbench that did not record it yet. Its parameters are in the Method section.`,
      );
  }
  const runs: TableModel = {
    caption: 'Runs',
    columns: ['run', 'host', 'runbench', 'commit', 'config digest', 'started', 'took'],
    numeric: [false, false, false, false, false, false, true],
    rows: docs.map((d) => [d.runId, d.host.hostname, d.tool.version, d.tool.commit ?? 'not recorded', d.config.digest, d.startedAt, took(d)]),
  };
  const hosts: TableModel = {
    caption: 'Hosts',
    columns: ['host', 'arch', 'kernel', 'os', 'cpu', 'cores', 'memory', 'cgroups', 'node'],
    numeric: [false, false, false, false, false, true, true, false, false],
    rows: docs.map((d) => [
      d.host.hostname,
      d.host.arch,
      d.host.kernel,
      d.host.os,
      d.host.cpuModel,
      String(d.host.cores),
      formatValue(d.host.memoryBytes, 'bytes'),
      `${d.host.cgroupLayout}${d.host.cgroup2Controllers.length > 0 ? ` (v2: ${d.host.cgroup2Controllers.join(', ')})` : ''}`,
      d.host.nodeVersion,
    ]),
  };
  const runtimes: TableModel = {
    caption: 'Runtimes: version, and the binary with the arguments it was run with',
    columns: [...(multiHost ? ['host'] : []), 'runtime', 'version', 'path and arguments', 'driven as', 'features', 'Wasm handlers', 'status'],
    numeric: [...(multiHost ? [false] : []), false, false, false, false, false, false, false],
    rows: docs.flatMap((d) =>
      d.runtimes.map((r): Cell[] => [
        ...(multiHost ? [d.host.hostname] : []),
        r.name,
        r.version ?? '—',
        [r.path ?? '—', ...r.globalArgs].join(' '),
        r.kind,
        r.features.join(' ') || '—',
        r.wasmHandlers.join(', ') || '—',
        r.status === 'ok' ? { text: 'ok', tone: 'good' } : { text: `${r.status}${r.reason ? `: ${r.reason}` : ''}`, tone: 'warn' },
      ]),
    ),
  };
  const load: TableModel = {
    caption: 'Host load while measuring, per layer: smallest … median … largest of the readings taken around every turn of sampling',
    columns: [...(multiHost ? ['host'] : []), 'layer', 'turns', 'load average (1 min)', 'CPU busy', 'CPU stolen', 'clock', 'verdict'],
    numeric: [...(multiHost ? [false] : []), false, true, true, true, true, true, false],
    rows: docs.flatMap((d) => hostLoadRows(d).map((r) => [...(multiHost ? [d.host.hostname] : []), ...r])),
  };
  const again: TableModel = {
    caption: 'One configuration again: the same parameters, that configuration alone',
    columns: ['configuration', 'command'],
    numeric: [false, false],
    rows: summary.rows.flatMap((row) => {
      const d = docs.find((x) => x.host.hostname === row.host);
      return d ? [[`${row.label}${multiHost ? ` @${row.host}` : ''}, ${row.layer}`, { text: configurationCommand(d, row), code: true }]] : [];
    }),
  };
  return {
    id: 'environment',
    title: 'Environment and how to reproduce',
    paragraphs,
    blocks,
    figures: [],
    tables: [runs, hosts, runtimes, ...(load.rows.length > 0 ? [load] : []), ...(again.rows.length > 0 ? [again] : [])],
  };
}
