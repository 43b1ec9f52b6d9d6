/** The command registry: adding a command is one file and one line here. */
import { registerCalibrate } from './calibrate.ts';
import { registerClean } from './clean.ts';
import { registerCompare } from './compare.ts';
import { registerConformance } from './conformance.ts';
import { registerCrosscheck } from './crosscheck.ts';
import { registerDoctor } from './doctor.ts';
import { registerInit } from './init.ts';
import { registerList } from './list.ts';
import { registerReport } from './report.ts';
import { registerRun } from './run.ts';
import type { RegisterCommand } from './types.ts';

export const COMMANDS: readonly RegisterCommand[] = [registerDoctor, registerList, registerRun, registerCalibrate, registerCrosscheck, registerInit, registerReport, registerCompare, registerConformance, registerClean];
