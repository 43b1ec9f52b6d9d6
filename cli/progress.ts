/** Progress on stderr: a live line on a terminal, plain lines otherwise. Subscribes to core events. */
import type { EventBus } from '../core/events.ts';

export function attachProgress(events: EventBus, stream: NodeJS.WriteStream = process.stderr, quiet = false): () => void {
  const live = Boolean(stream.isTTY) && !process.env.CI;
  let lastLive = '';
  const write = (line: string) => {
    if (quiet) return;
    if (live && lastLive) stream.write('\r\x1b[2K');
    lastLive = '';
    stream.write(`${line}\n`);
  };
  // a flaky runtime fails the same way many times: each way is shown once per series
  const seen = new Set<string>();
  const offs = [
    events.on('run:start', (e) => write(`runbench run ${e.runId}: ${e.runtimes.join(', ')} × ${e.suites.join(', ')} (${e.layers.join(', ')})`)),
    events.on('suite:start', (e) => {
      if (!live) write(`${e.layer} ${e.runtime} ${e.suite} …`);
    }),
    events.on('sample', (e) => {
      if (!live || quiet) return;
      const width = 20;
      const done = Math.round(((e.index + 1) / Math.max(1, e.total)) * width);
      lastLive = `  ${e.runtime} ${e.suite} ${e.metric}${e.warmup ? ' (warmup)' : ''} [${'#'.repeat(done)}${'.'.repeat(width - done)}] ${e.index + 1}/${e.total}`;
      stream.write(`\r\x1b[2K${lastLive}`);
    }),
    events.on('suite:end', (e) => {
      const o = e.outcome;
      const tail = o.status === 'passed' ? (o.reason ? ` (${o.reason})` : '') : `: ${o.reason}`;
      write(`${e.layer} ${e.runtime} ${e.suite} ${o.status}${tail}`);
    }),
    events.on('runtime:error', (e) => write(`  ${e.runtime}: ${e.message}`)),
    events.on('attempt:failed', (e) => {
      const key = JSON.stringify([e.runtime, e.suite, e.series, e.workload, e.message.replace(/\d+/g, '#')]);
      if (seen.has(key)) return;
      seen.add(key);
      write(`  ${e.runtime} ${e.suite} ${e.series} (${e.workload}): an attempt ${e.hung ? 'hung' : 'failed'}, the series goes on without it: ${e.message.split('\n')[0] ?? ''}`);
    }),
    events.on('log', (e) => write(`${e.level}: ${e.message}`)),
  ];
  return () => {
    for (const off of offs) off();
    if (live && lastLive) stream.write('\r\x1b[2K');
  };
}
