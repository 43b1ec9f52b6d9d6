/**
 * The sections of the HTML report, in page order. Adding a section is one file in this
 * directory and one line here; a section with nothing to show for the documents returns null.
 */
import type { SectionBuilder } from '../types.ts';
import { buildComparison } from './comparison.ts';
import { buildConformance } from './conformance.ts';
import { buildEmulated } from './emulated.ts';
import { buildEnvironment } from './environment.ts';
import { buildFacts } from './facts.ts';
import { buildHarness } from './harness.ts';
import { buildHistory } from './history.ts';
import { buildMethod } from './method.ts';
import { buildNativeVsWasm } from './native-vs-wasm.ts';
import { buildPodTimeline } from './pod-timeline.ts';
import { buildSuites } from './suites.ts';
import { buildWasmWays } from './wasm-ways.ts';

export const SECTIONS: readonly SectionBuilder[] = [
  buildComparison,
  buildHistory,
  buildEnvironment,
  buildSuites,
  buildPodTimeline,
  buildNativeVsWasm,
  buildWasmWays,
  buildEmulated,
  buildConformance,
  buildHarness,
  buildFacts,
  buildMethod,
];
