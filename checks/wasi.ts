/**
 * WASI preview1, for runtimes with a Wasm handler: the same probe built for
 * wasm32-wasi, run as the container's process. References are preview1 function names.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_ENV } from '../core/oci-spec.ts';
import { probeCheck } from './define.ts';
import { firstLine, mismatch, reportOf } from './probe.ts';
import { CHECK_ENV } from './process.ts';
import type { Outcome } from '../core/schema.ts';
import { ALL_LAYERS, failed, passed, type Check, type ProbeRun } from './types.ts';

const W = 'WASI preview1';

const args = probeCheck({
  id: 'wasi.args',
  area: 'wasi',
  title: 'process.args reach the module as its arguments',
  specRef: `${W} args_sizes_get, args_get`,
  level: 'MUST',
  kind: 'wasm',
  setup: () => ({ args: ['--rb-word', 'two words', 'ünïcode'] }),
  judge(report, run) {
    // argv[0] is the module as the handler names it; the rest must be exact. A Wasm runtime
    // in the image is the process: the module's arguments are those after the module.
    const asked = run.requested.process?.args ?? [];
    // a module, or one precompiled by wasmtime (.cwasm) or wasmer (.wasmu)
    const module = asked.findIndex((a) => /\.(c?wasm|wasmu)$/.test(a));
    const want = asked.slice(module >= 0 ? module + 1 : 1);
    const got = report.argv.slice(1);
    return JSON.stringify(got) === JSON.stringify(want) ? passed() : failed(`arguments are ${JSON.stringify(got)}, asked ${JSON.stringify(want)}`);
  },
});

const env = probeCheck({
  id: 'wasi.env',
  area: 'wasi',
  title: 'process.env is the module environment',
  specRef: `${W} environ_sizes_get, environ_get`,
  level: 'MUST',
  kind: 'wasm',
  setup: () => ({ args: [], overrides: { env: [...DEFAULT_ENV, ...CHECK_ENV] } }),
  judge(report) {
    const diffs = CHECK_ENV.flatMap((kv) => {
      const eq = kv.indexOf('=');
      const got = report.env[kv.slice(0, eq)];
      return got === kv.slice(eq + 1) ? [] : [`${kv.slice(0, eq)}=${JSON.stringify(got ?? null)}`];
    });
    return diffs.length ? mismatch('environment differs', diffs) : passed();
  },
});

const exitCode: Check = {
  id: 'wasi.exit-code',
  area: 'wasi',
  title: "proc_exit's code is the container's exit code",
  specRef: `${W} proc_exit`,
  level: 'MUST',
  kinds: ['wasm'],
  layers: ALL_LAYERS,
  async run(ctx) {
    const run = await ctx.target.probe({ kind: 'wasm', args: ['--exit', '7'] });
    const r = reportOf(run);
    if (!r.report) return r.outcome;
    return run.exitCode === 7 ? passed() : failed(`the module exited 7, the runtime reported ${run.exitCode}`);
  },
};

const preopen = probeCheck({
  id: 'wasi.preopen',
  area: 'wasi',
  title: 'a mounted directory is preopened: files in it can be read, written and removed',
  specRef: `${W} fd_prestat_get, path_open, fd_write, fd_read, fd_sync, path_unlink_file`,
  level: 'MUST',
  kind: 'wasm',
  setup(ctx) {
    const dir = ctx.target.scratchDir('wasi-io');
    writeFileSync(join(dir, 'marker'), 'runbench-wasi\n');
    return {
      args: ['--check-path', '/data/marker', '--io-dir', '/data'],
      overrides: { extraMounts: [{ destination: '/data', type: 'bind', source: dir, options: ['rbind', 'rw'] }] },
    };
  },
  judge(report) {
    const marker = report.paths.find((p) => p.path === '/data/marker');
    const problems: string[] = [];
    if (!marker?.exists || !marker.readable) problems.push(`/data/marker is not readable (${marker?.errno ?? '?'})`);
    if (!report.io?.ok) problems.push(`writing /data failed at ${report.io?.stage ?? '?'} (${report.io?.errno ?? '?'})`);
    return problems.length ? failed(problems.join('; ')) : passed();
  },
});

const STDERR_TEXT = 'runbench-wasi-stderr';

const stdio = probeCheck({
  id: 'wasi.stdio',
  area: 'wasi',
  title: 'fd 1 and fd 2 reach the container stdout and stderr',
  specRef: `${W} fd_write (fd 1, fd 2)`,
  level: 'MUST',
  kind: 'wasm',
  setup: () => ({ args: ['--stderr', STDERR_TEXT] }),
  judge(report, run) {
    // a report was parsed from stdout, so fd 1 works
    if (!run.stderr.includes(STDERR_TEXT)) return failed(`stderr lacks the text written to fd 2 (got ${JSON.stringify(firstLine(run.stderr))})`);
    return report.stderrBytes === STDERR_TEXT.length + 1 ? passed() : failed(`fd_write to fd 2 wrote ${report.stderrBytes} bytes`);
  },
});

const clocks = probeCheck({
  id: 'wasi.clocks',
  area: 'wasi',
  title: 'realtime is the host time and monotonic advances',
  specRef: `${W} clock_time_get (realtime, monotonic)`,
  level: 'MUST',
  kind: 'wasm',
  setup: () => ({ args: [] }),
  judge(report) {
    const c = report.clocks;
    const now = Date.now() / 1000;
    if (c.realtime === null) return failed('CLOCK_REALTIME is not available');
    if (Math.abs(c.realtime - now) > 300) return failed(`realtime is ${c.realtime.toFixed(0)}, the host's ${now.toFixed(0)}`);
    if (!c.monotonicAdvances) return failed('CLOCK_MONOTONIC does not advance');
    return passed();
  },
});

/** Random bytes from one run: a failure outcome, or the hex and the source that gave it. */
function randomBytes(run: ProbeRun): { outcome: Outcome } | { hex: string; source: string } {
  const r = reportOf(run);
  if (!r.report) return { outcome: r.outcome };
  const e = r.report.entropy;
  if (!e.source) return { outcome: failed('no entropy source works') };
  if (!e.nonZero || !e.hex || /^(..)\1+$/.test(e.hex)) return { outcome: failed(`16 random bytes look constant: ${e.hex ?? 'none'}`) };
  return { hex: e.hex, source: e.source };
}

const random: Check = {
  id: 'wasi.random',
  area: 'wasi',
  title: 'random_get returns random bytes, different in every run',
  specRef: `${W} random_get`,
  level: 'MUST',
  kinds: ['wasm'],
  layers: ALL_LAYERS,
  async run(ctx) {
    // Bytes from a seeded generator look random on their own; only a second run tells.
    const first = randomBytes(await ctx.target.probe({ kind: 'wasm', args: [] }));
    if ('outcome' in first) return first.outcome;
    const second = randomBytes(await ctx.target.probe({ kind: 'wasm', args: [] }));
    if ('outcome' in second) return second.outcome;
    if (first.hex === second.hex) return failed(`two runs returned the same 16 bytes: ${first.hex}`);
    return passed(`from ${first.source}; two runs differ (${first.hex.slice(0, 8)}…, ${second.hex.slice(0, 8)}…)`);
  },
};

export const WASI_CHECKS: readonly Check[] = [args, env, exitCode, preopen, stdio, clocks, random];
