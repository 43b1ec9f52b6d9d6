/**
 * The terminal summary: for each metric, every runtime's median with its 95% CI and
 * its ratio to the best. A pure function of the results document.
 */
import { formatInterval, formatValue, lowerIsBetter, pad } from '../core/format.ts';
import type { Measurement, ResultsDocument } from '../core/schema.ts';
import { noValue, samplesText } from './groups.ts';

function groupKey(m: Measurement): string {
  return [m.labels.layer, m.suite, m.metric, m.labels.workload, m.labels.arch, String(m.labels.emulated)].join('\u0000');
}

export function toTable(doc: ResultsDocument): string {
  const lines: string[] = [];
  const groups = new Map<string, Measurement[]>();
  for (const m of doc.measurements) {
    const k = groupKey(m);
    const g = groups.get(k) ?? [];
    g.push(m);
    groups.set(k, g);
  }
  for (const ms of groups.values()) {
    const head = ms[0];
    if (!head) continue;
    const lower = lowerIsBetter(head.unit);
    const medians = ms.flatMap((m) => (m.stats ? [m.stats.median] : []));
    const best = lower ? Math.min(...medians) : Math.max(...medians);
    const arch = head.labels.emulated ? `${head.labels.arch}, emulated: not comparable with native figures` : head.labels.arch;
    lines.push(`${head.labels.layer} · ${head.suite} · ${head.metric} (${head.labels.workload}, ${arch})`);
    const key = (m: Measurement) => (m.stats ? (lower ? m.stats.median : -m.stats.median) : Infinity);
    const sorted = [...ms].sort((a, b) => key(a) - key(b));
    for (const m of sorted) {
      const name = pad(`${m.labels.runtime} (${m.labels.workloadKind})`, 32);
      const s = m.stats;
      if (!s) {
        lines.push(`  ${name} ${noValue(m)}`);
        continue;
      }
      const ratio = lower ? s.median / best : best / s.median;
      const ci = formatInterval(s.ci95Median[0], s.ci95Median[1], m.unit, s.ci95MedianCoverage, true);
      const outliers = s.outliers.length > 0 ? `  ${s.outliers.length} outlier${s.outliers.length > 1 ? 's' : ''}` : '';
      lines.push(
        `  ${name} ${pad(formatValue(s.median, m.unit), 12, true)}  ${pad(ci, 28)} ${pad(`${ratio.toFixed(2)}×`, 7, true)}  n=${samplesText(m)}${outliers}`,
      );
    }
    lines.push('');
  }
  if (doc.facts.length > 0) {
    lines.push('facts');
    for (const f of doc.facts) lines.push(`  ${pad(`${f.labels.runtime} (${f.labels.workloadKind})`, 32)} ${f.name} = ${String(f.value)}: ${f.detail}`);
    lines.push('');
  }
  const notPassed = doc.suiteRuns.filter((r) => r.outcome.status !== 'passed');
  if (notPassed.length > 0) {
    lines.push('not measured');
    // one line per layer, suite and reason, naming every runtime it applies to
    const grouped = new Map<string, string[]>();
    for (const r of notPassed) {
      const key = `${pad(r.layer, 11)} ${pad(r.suite, 11)} ${r.outcome.status}: ${r.outcome.reason}`;
      grouped.set(key, [...(grouped.get(key) ?? []), r.runtime]);
    }
    for (const [key, runtimes] of grouped) lines.push(`  ${key} (${runtimes.join(', ')})`);
    lines.push('');
  }
  if (doc.harness) {
    const h = doc.harness;
    const lifecycle = doc.measurements.flatMap((m) => (m.metric === 'lifecycle' && m.stats ? [m.stats.median] : []));
    const smallest = lifecycle.length > 0 ? Math.min(...lifecycle) : null;
    const own = h.spawnNoopStats?.median ?? Number.NaN;
    const share = smallest && h.spawnNoopStats ? ` = ${((own / smallest) * 100).toFixed(1)}% of the smallest lifecycle median` : '';
    lines.push(
      `harness: timing a static no-op takes ${formatValue(own, 'ns')} through rb-exec${share} (from Node's spawn it would take ${formatValue(h.nodeSpawnNoopStats?.median ?? Number.NaN, 'ns')})`,
    );
  }
  return `${lines.join('\n')}\n`;
}
