/**
 * The HTML report model, as plain data the page script draws: sections of figures (a chart
 * and the table beside it) and tables. Also what a section is built from.
 */
import type { ResultsDocument } from '../../core/schema.ts';
import type { MeasurementGroup } from '../groups.ts';

export type Tone = 'good' | 'bad' | 'warn' | 'muted';
export type Cell = string | { text: string; tone: Tone };

export interface TableModel {
  caption: string;
  columns: string[];
  /** Columns whose cells are figures (right-aligned). */
  numeric: boolean[];
  rows: Cell[][];
}

export type ChartModel =
  | { type: 'boxplot'; axis: string; labels: string[]; datasets: { label: string; data: number[][] }[] }
  | { type: 'line'; axis: string; labels: string[]; datasets: { label: string; data: (number | null)[]; flagged: boolean[] }[] }
  /** Lines over a linear x axis (a count), one per dataset; `labels` names the datasets. */
  | { type: 'xy'; xAxis: string; axis: string; labels: string[]; datasets: { label: string; points: { x: number; y: number }[] }[] }
  | {
      type: 'bar';
      axis: string;
      labels: string[];
      stacked: boolean;
      /** tone colours a whole dataset; tones colours each bar. */
      datasets: { label: string; data: number[]; tone?: Tone; tones?: Tone[] }[];
    };

export interface Figure {
  id: string;
  title: string;
  chart: ChartModel;
  table: TableModel;
}

export interface Section {
  id: string;
  title: string;
  paragraphs: string[];
  figures: Figure[];
  tables: TableModel[];
}

export interface ReportModel {
  title: string;
  subtitle: string;
  sections: Section[];
}

export interface HtmlOptions {
  /** A baseline document: adds a comparison of the (first) document against it. */
  baseline?: ResultsDocument;
  /** Nightly documents for trend charts; sorted by startedAt here. */
  history?: readonly ResultsDocument[];
  thresholdPercent?: number;
  alpha?: number;
}

/** What every section is built from: the documents, their measurement groups and the options, defaults applied. */
export interface SectionContext {
  docs: readonly ResultsDocument[];
  /** groupMeasurements(docs), computed once for every section. */
  groups: readonly MeasurementGroup[];
  baseline?: ResultsDocument;
  history?: readonly ResultsDocument[];
  thresholdPercent: number;
  alpha: number;
}

/** One entry of the section list: its section(s), or null when it has nothing to show for these documents. */
export type SectionBuilder = (ctx: SectionContext) => Section | Section[] | null;
