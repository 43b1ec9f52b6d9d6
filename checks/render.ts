/**
 * The terminal view of conformance results: a matrix with checks as rows and runtimes
 * (× layer, when more than one) as columns, then the reason of every cell that did not
 * pass. A pure function of the results document.
 */
import { layerName, pad } from '../core/format.ts';
import type { ConformanceResult, Outcome, ResultsDocument } from '../core/schema.ts';

const CELL: Record<Outcome['status'], string> = { passed: 'PASS', failed: 'FAIL', skipped: 'SKIP', errored: 'ERR' };

interface Dims {
  multiLayer: boolean;
  multiArch: boolean;
}

/** runtime[@layer][:arch, with `~` for an emulated arch] */
function columnOf(r: ConformanceResult, d: Dims): string {
  const layer = d.multiLayer ? `@${layerName(r.labels)}` : '';
  const arch = d.multiArch || r.labels.emulated ? `:${r.labels.arch}${r.labels.emulated ? '~' : ''}` : '';
  return `${r.labels.runtime}${layer}${arch}`;
}

export function conformanceMatrix(doc: ResultsDocument, opts: { reasons?: boolean } = {}): string {
  const rs = doc.conformance;
  if (rs.length === 0) return 'no conformance results\n';
  const multiLayer: Dims = { multiLayer: new Set(rs.map((r) => layerName(r.labels))).size > 1, multiArch: new Set(rs.map((r) => r.labels.arch)).size > 1 };
  const columns = [...new Set(rs.map((r) => columnOf(r, multiLayer)))];
  const rows = [...new Map(rs.map((r) => [r.checkId, r])).values()];
  const cell = new Map(rs.map((r) => [`${r.checkId}\u0000${columnOf(r, multiLayer)}`, r]));
  const idWidth = Math.max(5, ...rows.map((r) => r.checkId.length)) + 4;
  const colWidth = Math.max(6, ...columns.map((c) => c.length)) + 2;
  const lines = [`${pad('check', idWidth)}${pad('level', 8)}${columns.map((c) => pad(c, colWidth)).join('')}`];
  let area = '';
  for (const row of rows) {
    if (row.area !== area) {
      area = row.area;
      lines.push(`${area}`);
    }
    // a check a column never ran (runbench's checks at the cri layer, critest's elsewhere): '-'
    const cells = columns.map((c) => {
      const r = cell.get(`${row.checkId}\u0000${c}`);
      return pad(r ? CELL[r.outcome.status] : '-', colWidth);
    });
    lines.push(`${pad(`  ${row.checkId}`, idWidth)}${pad(row.level, 8)}${cells.join('')}`);
  }
  const count = (s: Outcome['status']) => rs.filter((r) => r.outcome.status === s).length;
  const mustFailed = rs.filter((r) => r.level === 'MUST' && r.outcome.status === 'failed').length;
  if (rs.some((r) => r.labels.emulated))
    lines.push('', '~ emulated: the arch ran under qemu-user on this host; its results say what the runtime does there, not how fast');
  lines.push('', `${count('passed')} passed, ${count('failed')} failed (${mustFailed} MUST), ${count('skipped')} skipped, ${count('errored')} errored`);
  if (opts.reasons !== false) {
    const notPassed = rs.filter((r) => r.outcome.status === 'failed' || r.outcome.status === 'errored');
    if (notPassed.length) {
      lines.push('', 'failures and errors');
      for (const r of notPassed) lines.push(`  ${pad(columnOf(r, multiLayer), 12)} ${pad(r.checkId, idWidth)} ${CELL[r.outcome.status]}: ${r.outcome.reason}`);
    }
    const skips = new Map<string, string[]>();
    for (const r of rs.filter((x) => x.outcome.status === 'skipped')) {
      const key = `${columnOf(r, multiLayer)}: ${r.outcome.reason}`;
      skips.set(key, [...(skips.get(key) ?? []), r.checkId]);
    }
    if (skips.size) {
      lines.push('', 'skipped');
      for (const [reason, ids] of skips) lines.push(`  ${reason} (${ids.length === 1 ? ids[0] : `${ids.length} checks`})`);
    }
  }
  return `${lines.join('\n')}\n`;
}
