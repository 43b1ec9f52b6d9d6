/** The environments of a comparison's base and head side by side: every fact, the ones that differ marked. */
import type { Comparison } from '../../core/compare.ts';
import { formatValue } from '../../core/format.ts';
import { commandLine } from '../../core/provenance.ts';
import type { ResultsDocument } from '../../core/schema.ts';
import type { Cell, TableModel } from './types.ts';

function facts(d: ResultsDocument): [string, string][] {
  const h = d.host;
  const noise = d.noise?.summary;
  return [
    ['run', `${d.runId} (${d.startedAt})`],
    ['command line', d.invocation ? commandLine(d.invocation) : 'not recorded'],
    ['runbench', `${d.tool.version}${d.tool.commit ? ` at ${d.tool.commit}` : ''}`],
    ['config digest', d.config.digest],
    ['runs × warmup, blocks', `${d.parameters.runs} × ${d.parameters.warmup}, ${d.parameters.blocks ?? 1}`],
    ['host', h.hostname],
    ['kernel', h.kernel],
    ['os', h.os],
    ['CPU', `${h.cpuModel}, ${h.cores} cores`],
    ['memory', formatValue(h.memoryBytes, 'bytes')],
    ['cgroups', `${h.cgroupLayout}${h.cgroup2Controllers.length > 0 ? ` (v2: ${h.cgroup2Controllers.join(', ')})` : ''}`],
    ['Node', h.nodeVersion],
    [
      'host load',
      noise
        ? `${noise.noisy ? 'noisy' : 'quiet'}: load average up to ${noise.maxLoadAvg1?.toFixed(2) ?? '—'}, steal up to ${noise.maxStealPct ?? '—'}%`
        : 'not recorded',
    ],
    ...d.runtimes.map((r): [string, string] => [
      `runtime ${r.name}`,
      `${r.version ?? '(unknown version)'} · ${[r.path ?? '—', ...r.globalArgs].join(' ')} · ${r.status}`,
    ]),
  ];
}

/** compare's names of the facts a row of this table holds besides its own name. */
const ALSO: Readonly<Record<string, readonly string[]>> = {
  CPU: ['cores'],
  cgroups: ['cgroup'],
  'runs × warmup, blocks': ['warmup', 'blocks'],
};

/** What, base, head and whether it differs; a difference compare says can move the figures is marked bad. */
export function environmentSideBySide(c: Comparison, base: ResultsDocument, head: ResultsDocument): TableModel {
  const b = new Map(facts(base));
  const h = new Map(facts(head));
  const keys = [...new Set([...b.keys(), ...h.keys()])];
  const moving = c.environment.filter((d) => d.affectsFigures).map((d) => d.what);
  return {
    caption: 'Base and head side by side',
    columns: ['', 'base', 'head', 'same?'],
    numeric: [false, false, false, false],
    rows: keys.map((k): Cell[] => {
      const bv = b.get(k) ?? '—';
      const hv = h.get(k) ?? '—';
      const same = bv === hv;
      const moves = moving.some((w) => w === k || w.startsWith(`${k} `) || ALSO[k]?.some((a) => w.startsWith(a)));
      const verdict: Cell = same
        ? { text: 'same', tone: 'muted' }
        : k === 'run'
          ? { text: 'two runs', tone: 'muted' }
          : { text: moves ? 'differs: can move the figures' : 'differs', tone: moves ? 'bad' : 'warn' };
      return [k, bv, hv, verdict];
    }),
  };
}
