/**
 * The HTML report model, as plain data the page script draws: sections of figures (a chart
 * and the table beside it) and tables. Also what a section is built from.
 */
import type { Measurement, ResultsDocument } from '../../core/schema.ts';
import type { MeasurementGroup } from '../groups.ts';
import type { SummaryMatrix } from '../summary-matrix.ts';
import type { Configuration } from '../configurations.ts';

export type Tone = 'good' | 'bad' | 'warn' | 'muted';
export type Cell =
  | string
  | {
      text: string;
      tone?: Tone;
      /** A mark after the text, e.g. "best" or "tied best". */
      badge?: { text: string; tone: Tone };
      /** A second, smaller line, e.g. the ratio to the best. */
      sub?: string;
      /** Text to copy as it is (a command line), set in a monospace font. */
      code?: boolean;
    };

export interface TableModel {
  caption: string;
  columns: string[];
  /** Columns whose cells are figures (right-aligned). */
  numeric: boolean[];
  rows: Cell[][];
  /** A heading row drawn before row `before` (e.g. each layer of the summary matrix). */
  groups?: { before: number; title: string }[];
  /** The first cell of each row names the row (a configuration): drawn as its header. */
  rowHeaders?: boolean;
  /** How the page styles it: the summary's matrix keeps its configuration names on one line. */
  style?: 'matrix';
}

/** A colour and what it stands for, in a chart's legend. */
export interface LegendEntry {
  label: string;
  color: string;
}

/**
 * How a value axis is drawn: linear from zero, so a length compares with a length, or
 * logarithmic when the values span more than LOG_SPAN (a ratio then compares with a ratio).
 */
export type AxisScale = 'zero' | 'log';

export type ChartModel =
  /** Lines over a linear x axis (a count), one per dataset; `labels` names the datasets. */
  | { type: 'xy'; xAxis: string; axis: string; labels: string[]; datasets: { label: string; points: { x: number; y: number }[] }[] }
  | {
      type: 'boxplot';
      axis: string;
      scale: AxisScale;
      labels: string[];
      /** One colour per label: its kind (native) or way of running Wasm; a dataset's own colour wins. */
      colors: string[];
      legend: LegendEntry[];
      datasets: { label: string; data: number[][]; color?: string }[];
    }
  | { type: 'line'; axis: string; scale: AxisScale; labels: string[]; datasets: { label: string; data: (number | null)[]; flagged: boolean[] }[] }
  | {
      type: 'bar';
      axis: string;
      scale: AxisScale;
      labels: string[];
      stacked: boolean;
      /** tone colours a whole dataset; tones colours each bar; colors gives each bar its colour. */
      datasets: { label: string; data: number[]; tone?: Tone; tones?: Tone[]; colors?: string[] }[];
      legend?: LegendEntry[];
    }
  | {
      /** A change per row with its interval as a whisker, and the band of ± the threshold that counts as no change. */
      type: 'change';
      axis: string;
      labels: string[];
      change: number[];
      interval: [number, number][];
      tones: Tone[];
      thresholdPercent: number;
      legend: LegendEntry[];
    };

/** Content of a section beside its figures and tables: text to copy as it is (a command line). */
export type Block = { type: 'code'; caption: string; text: string };

export interface Figure {
  id: string;
  title: string;
  chart: ChartModel;
  table: TableModel;
}

/** A section draws its paragraphs, its blocks, its lead tables and their notes, its figures, then its other tables. */
export interface Section {
  id: string;
  title: string;
  paragraphs: string[];
  blocks?: Block[];
  /** Tables drawn before the figures. */
  lead?: TableModel[];
  /** Paragraphs that explain the lead tables, drawn under them. */
  notes?: string[];
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

/** What a figure needs to know of the documents beyond its group. */
export interface FigureContext {
  /** The configuration of a measurement's (or a fact's) labels. */
  configurationOf(m: Pick<Measurement, 'labels'>): Configuration;
  /** Configurations of the group's layer and arch that have no figure in it because their series errored or failed. */
  missing(g: MeasurementGroup): { configuration: Configuration; status: 'errored' | 'failed'; reason: string }[];
}

/** What every section is built from: the documents, their measurement groups and the options, defaults applied. */
export interface SectionContext {
  docs: readonly ResultsDocument[];
  /** groupMeasurements(docs), computed once for every section. */
  groups: readonly MeasurementGroup[];
  /** summaryMatrix(docs): its rows are the report's configurations, in the report's order. */
  summary: SummaryMatrix;
  /** How a measurement's figure finds its configuration and the configurations that errored. */
  figures: FigureContext;
  baseline?: ResultsDocument;
  history?: readonly ResultsDocument[];
  thresholdPercent: number;
  alpha: number;
}

/** One entry of the section list: its section(s), or null when it has nothing to show for these documents. */
export type SectionBuilder = (ctx: SectionContext) => Section | Section[] | null;
