#!/usr/bin/env node
// Entry point: loads the TypeScript sources through tsx, then runs the CLI.
import { register } from 'tsx/esm/api';

register();
// through npx or npm run, a signal sent to npm stops at the shell npm runs this from: watch it
const { watchLauncher } = await import('../cli/launcher.ts');
const stopWatching = watchLauncher();
const { main } = await import('../cli/main.ts');
const code = await main(process.argv.slice(2));
stopWatching();
process.exitCode = code;
