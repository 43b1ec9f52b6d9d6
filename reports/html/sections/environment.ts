/** Environment: the hosts the documents come from and the runtimes each one found. */
import { formatValue } from '../../../core/format.ts';
import { noiseWarning } from '../../noise.ts';
import type { Cell, Section, SectionContext, TableModel } from '../types.ts';

export function buildEnvironment({ docs }: SectionContext): Section | null {
  if (docs.length === 0) return null;
  const hosts: TableModel = {
    caption: 'hosts',
    columns: ['host', 'arch', 'kernel', 'os', 'cpu', 'cores', 'memory', 'cgroups', 'node', 'run', 'started'],
    numeric: [false, false, false, false, false, true, true, false, false, false, false],
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
      d.runId,
      d.startedAt,
    ]),
  };
  const runtimes: TableModel = {
    caption: 'runtimes',
    columns: ['host', 'runtime', 'driven as', 'version', 'status', 'features', 'Wasm handlers', 'path'],
    numeric: [false, false, false, false, false, false, false, false],
    rows: docs.flatMap((d) =>
      d.runtimes.map((r): Cell[] => [
        d.host.hostname,
        r.name,
        r.kind,
        r.version ?? '—',
        r.status === 'ok' ? { text: 'ok', tone: 'good' } : { text: `${r.status}${r.reason ? `: ${r.reason}` : ''}`, tone: 'warn' },
        r.features.join(' ') || '—',
        r.wasmHandlers.join(', ') || '—',
        [r.path ?? '—', ...r.globalArgs].join(' '),
      ]),
    ),
  };
  const paragraphs = docs
    .map(noiseWarning)
    .filter((w): w is string => w !== null)
    .map((w) => `Warning: ${w}.`);
  return { id: 'environment', title: 'Environment', paragraphs, figures: [], tables: [hosts, runtimes] };
}
