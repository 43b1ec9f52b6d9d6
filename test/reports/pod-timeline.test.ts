/** The "Pod startup, stage by stage" section, on a document measured on the local cluster (runc and crun, node events read). */
import { describe, expect, it } from 'vitest';
import { buildReportModel } from '../../reports/html/model.ts';
import { podTimelineSection } from '../../reports/html/sections/pod-timeline.ts';
import { toMarkdown } from '../../reports/markdown.ts';
import { toTable } from '../../reports/table.ts';
import { loadFixture } from './fixtures.ts';

const doc = loadFixture('kubernetes-pod-timeline.json');

describe('podTimelineSection', () => {
  const s = podTimelineSection([doc]);

  it('stacks the median of each stage per RuntimeClass, and lists P50/P95/P99 with where the timestamps come from', () => {
    expect(s?.figures).toHaveLength(1);
    const chart = s?.figures[0]?.chart;
    expect(chart?.type).toBe('bar');
    if (chart?.type !== 'bar') return;
    expect(chart.stacked).toBe(true);
    expect(chart.labels).toEqual(['crun', 'runc']);
    expect(chart.datasets.map((d) => d.label)).toEqual(['API server + scheduler', 'kubelet + CRI', 'CRI + shim + OCI runtime', 'workload', 'kubelet notices exit']);
    for (const d of chart.datasets) for (const v of d.data) expect(Number.isFinite(v)).toBe(true);
    const stages = s?.tables[0];
    expect(stages?.columns).toEqual(['runtime', 'stage', 'P50', 'P95', 'P99', 'n', 'timestamps from']);
    const runtimeRow = stages?.rows.find((r) => r[0] === 'runc' && r[1] === 'CRI + shim + OCI runtime');
    expect(runtimeRow?.[6]).toMatch(/containerd events/);
    const phases = s?.tables[1];
    expect(phases?.rows.map((r) => r[0])).toContain('taskCreated');
    expect(phases?.rows.every((r) => typeof r[6] === 'string' && r[6] !== '')).toBe(true);
    expect(s?.paragraphs.join(' ')).toMatch(/Clock offset uncertainty/);
  });

  it('is in the HTML model, the Markdown and the terminal summary', () => {
    expect(buildReportModel([doc]).sections.some((x) => x.id === 'pod-timeline')).toBe(true);
    expect(toMarkdown([doc])).toContain('## Pod startup, stage by stage');
    expect(toTable(doc)).toContain('pod startup, stage by stage');
  });

  it('is absent for documents without kubernetes-layer phases', () => {
    expect(podTimelineSection([{ ...doc, measurements: [] }])).toBeNull();
  });
});
