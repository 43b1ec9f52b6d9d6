/**
 * The sections of the HTML report, in page order: the summary and what did not run first,
 * then the comparison or history when asked for, the environment, and the details. Adding a
 * section is one file in this directory and one line here; a section with nothing to show for
 * the documents returns null.
 */
import type { SectionBuilder } from '../types.ts';
import { buildComparison } from './comparison.ts';
import { buildConformance } from './conformance.ts';
import { buildDensity } from './density.ts';
import { buildEmulated } from './emulated.ts';
import { buildEngines } from './engines.ts';
import { buildEnvironment } from './environment.ts';
import { buildFacts } from './facts.ts';
import { buildHarness } from './harness.ts';
import { buildHistory } from './history.ts';
import { buildMethod } from './method.ts';
import { buildNativeVsWasm } from './native-vs-wasm.ts';
import { buildPodTimeline } from './pod-timeline.ts';
import { buildReliability } from './reliability.ts';
import { buildSuites } from './suites.ts';
import { buildProblems, buildSummary } from './summary.ts';
import { buildWasmWays } from './wasm-ways.ts';

export const SECTIONS: readonly SectionBuilder[] = [
  buildSummary,
  buildProblems,
  buildComparison,
  buildHistory,
  buildEnvironment,
  buildSuites,
  buildPodTimeline,
  buildNativeVsWasm,
  buildWasmWays,
  buildDensity,
  buildEngines,
  buildEmulated,
  buildReliability,
  buildConformance,
  buildHarness,
  buildFacts,
  buildMethod,
];
