/**
 * Running critest against one CRI endpoint and runtime handler, inside the node's namespaces:
 * validation (`--ginkgo.junit-report`) or `-benchmark` (its data files). Its temporary files
 * go to a directory of the session's (TMPDIR), its output to a log there. A deadline or an
 * interrupt kills it; what it left in the CRI is the session's to remove.
 */
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { Interrupted } from '../../core/errors.ts';

export interface CritestRun {
  binary: string;
  /** nsenter into the node's namespaces. */
  prefix: string[];
  /** containerd's socket. */
  socket: string;
  handler: string;
  /** The run's own directory: TMPDIR, the log, the reports. */
  dir: string;
  timeoutMs: number;
  signal: AbortSignal;
  /** Validation: where the JUnit report goes, and an optional focus. */
  junit?: string;
  focus?: string;
  /** -benchmark: the parameters file and the directory for its data files. */
  benchmark?: { paramsFile: string; outDir: string };
}

export interface CritestExit {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  logPath: string;
  /** The last lines of its output, for a reason. */
  tail: string;
  /** The first failure its output reports (`[FAILED] …`, an rpc error), when there is one. */
  firstFailure: string | null;
}

export function critestArgs(r: CritestRun): string[] {
  const args = [
    `--runtime-endpoint=unix://${r.socket}`,
    `--image-endpoint=unix://${r.socket}`,
    `--runtime-handler=${r.handler}`,
    // a file that does not exist: the host's /etc/crictl.yaml is not read
    `--config=${join(r.dir, 'crictl.yaml')}`,
    '--ginkgo.no-color',
  ];
  if (r.junit) args.push(`--ginkgo.junit-report=${r.junit}`);
  if (r.focus) args.push(`--ginkgo.focus=${r.focus}`);
  if (r.benchmark) args.push('-benchmark', `--benchmarking-params-file=${r.benchmark.paramsFile}`, `--benchmarking-output-dir=${r.benchmark.outDir}`);
  return args;
}

function tailOf(path: string, lines = 6): string {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').slice(-lines).join(' | ');
  } catch {
    return '';
  }
}

function firstFailureOf(path: string): string | null {
  try {
    const line = readFileSync(path, 'utf8')
      .split('\n')
      .find((l) => /^\s+\[FAILED\] (?!in \[|\[)|rpc error:/.test(l));
    return line ? line.trim().slice(0, 300) : null;
  } catch {
    return null;
  }
}

export async function runCritest(r: CritestRun): Promise<CritestExit> {
  if (r.signal.aborted) throw new Interrupted(String(r.signal.reason ?? 'interrupt'));
  const tmp = join(r.dir, 'tmp');
  mkdirSync(tmp, { recursive: true });
  const logPath = join(r.dir, r.benchmark ? 'critest-benchmark.log' : 'critest.log');
  const log = openSync(logPath, 'a');
  const argv = [...r.prefix, r.binary, ...critestArgs(r)];
  const proc = spawn(argv[0] ?? r.binary, argv.slice(1), { cwd: r.dir, env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', log, log] });
  closeSync(log);
  let timedOut = false;
  let aborted = false;
  // SIGTERM lets ginkgo run the current spec's cleanup and write its report (which a slow
  // runtime's cleanup can take a minute over); an interrupt waits less
  const kill = (graceMs: number) => {
    proc.kill('SIGTERM');
    setTimeout(() => proc.kill('SIGKILL'), graceMs).unref();
  };
  const timer = setTimeout(() => {
    timedOut = true;
    kill(90_000);
  }, r.timeoutMs);
  const onAbort = () => {
    aborted = true;
    kill(5_000);
  };
  r.signal.addEventListener('abort', onAbort, { once: true });
  const [exitCode, signal] = await new Promise<[number | null, string | null]>((resolve) => {
    proc.once('error', () => resolve([null, 'spawn failed']));
    proc.once('exit', (code, sig) => resolve([code, sig]));
  });
  clearTimeout(timer);
  r.signal.removeEventListener('abort', onAbort);
  if (aborted) throw new Interrupted(String(r.signal.reason ?? 'interrupt'));
  return { exitCode, signal, timedOut, logPath, tail: tailOf(logPath), firstFailure: firstFailureOf(logPath) };
}
