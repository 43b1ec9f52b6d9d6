/** The suite registry: adding a suite is one file and one line here. */
import { critestSuite } from './critest.ts';
import { densitySuite } from './density.ts';
import { memorySuite } from './memory.ts';
import { startupSuite } from './startup.ts';
import { throughputSuite } from './throughput.ts';
import type { Suite } from '../core/suite.ts';

export const SUITES: readonly Suite[] = [startupSuite, memorySuite, throughputSuite, densitySuite, critestSuite];
