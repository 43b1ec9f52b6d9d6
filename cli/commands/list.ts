/** `runbench list`: the suites, runtimes, workloads and layers runbench knows. */
import { ExitCode } from '../../core/errors.ts';
import { KNOWN_RUNTIMES } from '../../core/runtimes.ts';
import { Layer } from '../../core/schema.ts';
import { WORKLOADS } from '../../core/workloads.ts';
import { RUNNERS } from '../../runners/index.ts';
import { SUITES } from '../../suites/index.ts';
import type { RegisterCommand } from './types.ts';

export const registerList: RegisterCommand = (program, { setExit }) => {
  program
    .command('list')
    .description('list the suites, runtimes, workloads and layers runbench knows')
    .option('--json', 'print as JSON on stdout')
    .action((opts: { json?: boolean }) => {
      const data = {
        suites: SUITES.map((s) => ({ name: s.name, description: s.description, metrics: s.metrics })),
        runtimes: KNOWN_RUNTIMES.map((r) => ({ name: r.name, binary: r.binary, description: r.description, wasm: Boolean(r.wasm) })),
        workloads: WORKLOADS.map((w) => ({ name: w.name, description: w.description })),
        layers: Layer.options.map((l) => ({ name: l, available: Boolean(RUNNERS[l]) })),
      };
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
      } else {
        const out = ['suites'];
        for (const s of data.suites) out.push(`  ${s.name.padEnd(12)} ${s.description}`, `  ${''.padEnd(12)} metrics: ${s.metrics.map((m) => m.name).join(', ')}`);
        out.push('runtimes');
        for (const r of data.runtimes) out.push(`  ${r.name.padEnd(14)} ${r.description}${r.wasm ? ' (Wasm handler)' : ''}`);
        out.push('workloads');
        for (const w of data.workloads) out.push(`  ${w.name.padEnd(8)} ${w.description}`);
        out.push('layers');
        for (const l of data.layers) out.push(`  ${l.name.padEnd(11)} ${l.available ? 'available' : 'not yet available'}`);
        process.stdout.write(`${out.join('\n')}\n`);
      }
      setExit(ExitCode.ok);
    });

};
