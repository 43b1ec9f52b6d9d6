/**
 * The exporter registry: adding a format is one file and one line here. Every exporter is a
 * pure function of results documents, so any report can be rebuilt later from the JSON.
 */
import type { ResultsDocument } from '../core/schema.ts';
import { toCsvMany } from './csv.ts';
import { toBenchmarkBigger, toBenchmarkSmaller } from './github-benchmark.ts';
import { toHtml } from './html.ts';
import type { HtmlOptions } from './html/types.ts';
import { toJunit } from './junit.ts';
import { toMarkdown } from './markdown.ts';
import { toReliabilityCsv } from './reliability.ts';
import { toMarkdownSummary } from './markdown-summary.ts';
import { toOpenMetrics } from './openmetrics.ts';
import { toTap } from './tap.ts';

export type ExportOptions = HtmlOptions;

export interface Exporter {
  extension: string;
  description: string;
  render: (docs: readonly ResultsDocument[], options?: ExportOptions) => string;
}

export const EXPORTERS = {
  html: { extension: 'html', description: 'self-contained HTML report with charts (works offline)', render: toHtml },
  md: {
    extension: 'md',
    description: 'Markdown to paste into a pull request: summary matrix, failures, environment, versions, every figure',
    render: toMarkdown,
  },
  summary: {
    extension: 'md',
    description: 'the concise Markdown summary $GITHUB_STEP_SUMMARY gets: best per metric, matrix, failures, hosts',
    render: toMarkdownSummary,
  },
  csv: { extension: 'csv', description: 'long-format CSV, one row per sample', render: toCsvMany },
  'reliability-csv': { extension: 'csv', description: 'CSV of attempts, failures and hangs, one row per series', render: toReliabilityCsv },
  junit: { extension: 'xml', description: 'JUnit XML: suite runs and conformance results as test cases', render: toJunit },
  tap: { extension: 'tap', description: 'TAP 14 of the conformance results', render: toTap },
  'github-benchmark-smaller': {
    extension: 'json',
    description: "github-action-benchmark's customSmallerIsBetter JSON: the median of every time and size",
    render: toBenchmarkSmaller,
  },
  'github-benchmark-bigger': {
    extension: 'json',
    description: "github-action-benchmark's customBiggerIsBetter JSON: the median of every rate and ratio",
    render: toBenchmarkBigger,
  },
  openmetrics: {
    extension: 'txt',
    description: 'OpenMetrics text for a Prometheus Pushgateway: quantiles, counts and statuses in base units',
    render: toOpenMetrics,
  },
} as const satisfies Record<string, Exporter>;

export type ExporterName = keyof typeof EXPORTERS;

export function isExporterName(name: string): name is ExporterName {
  return Object.hasOwn(EXPORTERS, name);
}
