/**
 * The terminal summary: for each metric, every runtime's median with its 95% CI, its rank
 * (shared with the runtimes it cannot be told apart from) and its ratio to the best with
 * that ratio's interval. A pure function of the results document.
 */
import { noiseWarning } from './noise.ts';
import { alignRows, formatInterval, formatValue, pad } from '../core/format.ts';
import { rankingNote, rankLabel, ratioText } from '../core/ranking.ts';
import type { ResultsDocument } from '../core/schema.ts';
import { densityRows, densityText } from './density.ts';
import { engineText } from './engines-text.ts';
import { groupMeasurements, noValue, samplesText } from './groups.ts';
import { podTimelineSection } from './html/sections/pod-timeline.ts';
import { reliabilityLines } from './reliability.ts';

export function toTable(doc: ResultsDocument): string {
  const lines: string[] = [];
  const groups = groupMeasurements([doc]);
  for (const g of groups) {
    const arch = g.emulated ? `${g.arch}, emulated: not comparable with native figures` : g.arch;
    lines.push(`${g.layer} · ${g.suite} · ${g.metric} (${g.workload}, ${arch})`);
    const cells = g.entries.map((e) => {
      const s = e.measurement.stats;
      return s ? { ci: formatInterval(s.ci95Median[0], s.ci95Median[1], g.unit, s.ci95MedianCoverage, true), ratio: ratioText(e.ranked) } : null;
    });
    const width = (k: 'ci' | 'ratio') => Math.max(0, ...cells.map((c) => (c ? [...c[k]].length : 0)));
    g.entries.forEach((e, i) => {
      const m = e.measurement;
      const s = m.stats;
      const c = cells[i];
      const name = pad(e.label, 32);
      if (!s || !c) {
        lines.push(`  ${name} ${noValue(m)}`);
        return;
      }
      const outliers = s.outliers.length > 0 ? `  ${s.outliers.length} outlier${s.outliers.length > 1 ? 's' : ''}` : '';
      lines.push(
        `  ${name} ${pad(formatValue(s.median, m.unit), 12, true)}  ${pad(c.ci, width('ci'))}  ${pad(rankLabel(e.ranked), 3, true)}  ${pad(c.ratio, width('ratio'))}  n=${samplesText(m)}${outliers}`,
      );
    });
    lines.push('');
  }
  if (groups.length > 0) lines.push(rankingNote(), '');
  const pods = podTimelineSection([doc]);
  if (pods) {
    lines.push(pods.title.toLowerCase());
    for (const t of pods.tables) {
      lines.push(`  ${t.caption}`);
      const text = t.rows.map((r) => r.map((c) => (typeof c === 'string' ? c : c.text)));
      lines.push(...alignRows([t.columns, ...text], t.numeric, '    '));
    }
    lines.push(...pods.paragraphs.map((p) => `  ${p}`), '');
  }
  lines.push(...reliabilityLines(doc));
  lines.push(...densityText(densityRows([doc])));
  lines.push(...engineText(doc));
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
  const noisy = noiseWarning(doc);
  if (noisy) lines.push(`warning: ${noisy}`, '');
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
