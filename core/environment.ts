/**
 * What differs between the environments two results documents were measured in. A faster
 * median means little when the kernel, the runtime's version or the host changed with it:
 * compare shows these first, and refuses to judge across one that can move the figures
 * unless told the change is expected.
 */
import { formatValue } from './format.ts';
import type { ResultsDocument, RuntimeInfo } from './schema.ts';

export interface EnvironmentDifference {
  /** What differs: `kernel`, `runtime crun version`, `runbench version`. */
  what: string;
  base: string;
  head: string;
  /** Whether it can move the figures; the others (Node's version, a runtime's path) are shown for the record. */
  affectsFigures: boolean;
}

function list(xs: readonly string[] | undefined): string {
  return xs && xs.length > 0 ? [...xs].sort().join(' ') : '(none)';
}

function runtimeFacts(r: RuntimeInfo): [string, string, boolean][] {
  return [
    ['version', r.version ?? '(unknown)', true],
    ['features', list(r.features), true],
    ['status', r.status, true],
    ['driven as', r.kind, true],
    ['global arguments', list(r.globalArgs), true],
    ['Wasm handlers', list(r.wasmHandlers), true],
    ['path', r.path ?? '(none)', false],
  ];
}

export function environmentDifferences(base: ResultsDocument, head: ResultsDocument): EnvironmentDifference[] {
  const out: EnvironmentDifference[] = [];
  const add = (what: string, b: string, h: string, affectsFigures = true) => {
    if (b !== h) out.push({ what, base: b, head: h, affectsFigures });
  };
  const bh = base.host;
  const hh = head.host;
  add('host', bh.hostname, hh.hostname);
  add('kernel', bh.kernel, hh.kernel);
  add('os', bh.os, hh.os);
  add('arch', bh.arch, hh.arch);
  add('CPU', bh.cpuModel, hh.cpuModel);
  add('cores', String(bh.cores), String(hh.cores));
  // the memory a kernel reports moves by a few MiB between boots and versions of one machine
  const memory = Math.abs(bh.memoryBytes - hh.memoryBytes) > 0.02 * Math.max(bh.memoryBytes, hh.memoryBytes);
  if (memory) out.push({ what: 'memory', base: formatValue(bh.memoryBytes, 'bytes'), head: formatValue(hh.memoryBytes, 'bytes'), affectsFigures: true });
  add('cgroup layout', bh.cgroupLayout, hh.cgroupLayout);
  add('cgroup2 controllers', list(bh.cgroup2Controllers), list(hh.cgroup2Controllers));
  add('root', String(bh.root), String(hh.root));
  add('AppArmor', String(bh.apparmor), String(hh.apparmor));
  add('runbench version', base.tool.version, head.tool.version);
  // every figure is timed by rb-exec: Node only schedules the samples
  add('Node version', bh.nodeVersion, hh.nodeVersion, false);
  add('concurrency', String(base.parameters.concurrency), String(head.parameters.concurrency));
  add('churn containers', String(base.parameters.churnContainers), String(head.parameters.churnContainers));
  add('warmup runs', String(base.parameters.warmup), String(head.parameters.warmup));
  // more samples narrow the intervals; they do not move the medians
  add('runs', String(base.parameters.runs), String(head.parameters.runs), false);
  // a shorter deadline counts as hung what a longer one waits for: the failure rates move (absent in older documents)
  const bp = base.parameters;
  const hp = head.parameters;
  if (bp.timeoutMs !== undefined && hp.timeoutMs !== undefined) add('timeout', `${bp.timeoutMs} ms`, `${hp.timeoutMs} ms`);
  const hang = (d: NonNullable<typeof bp.hangDeadline>) => (d.factor > 0 ? `${d.factor} × the median, at least ${d.floorMs} ms, after ${d.afterSuccesses} good` : 'off');
  if (bp.hangDeadline && hp.hangDeadline) add('hang deadline', hang(bp.hangDeadline), hang(hp.hangDeadline));
  const headRuntimes = new Map(head.runtimes.map((r) => [r.name, r]));
  const baseNames = new Set(base.runtimes.map((r) => r.name));
  for (const b of base.runtimes) {
    const h = headRuntimes.get(b.name);
    if (!h) {
      add(`runtime ${b.name}`, 'present', 'absent', false);
      continue;
    }
    const hf = runtimeFacts(h);
    runtimeFacts(b).forEach(([what, value, affects], i) => add(`runtime ${b.name} ${what}`, value, hf[i]?.[1] ?? '', affects));
  }
  for (const h of head.runtimes) if (!baseNames.has(h.name)) add(`runtime ${h.name}`, 'absent', 'present', false);
  return out;
}

/** Differences that can move the figures: compare refuses to judge across them unless allowed. */
export function unexpected(diffs: readonly EnvironmentDifference[]): EnvironmentDifference[] {
  return diffs.filter((d) => d.affectsFigures);
}
