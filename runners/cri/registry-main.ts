/**
 * The registry's own process: `node --import tsx registry-main.ts LAYOUT PORTFILE`, started
 * inside the CRI's network namespace (runners/cri/node.ts). Writes the port it listens on
 * to PORTFILE (in the run's scratch directory, which also names this process for
 * `runbench clean`), and exits when its stdin closes (the run that started it is gone).
 */
import { writeFileSync } from 'node:fs';
import { serveLayout } from './registry.ts';

const [layout, portFile] = process.argv.slice(2);
if (!layout || !portFile) {
  process.stderr.write('usage: registry-main.ts LAYOUT PORTFILE\n');
  process.exit(2);
}
const { server, port } = await serveLayout(layout);
writeFileSync(portFile, `${port}\n`);
const stop = () => server.close(() => process.exit(0));
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
