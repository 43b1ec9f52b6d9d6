/**
 * Client of rb-exec (harness/rb-exec.c), the resident C helper that starts and times
 * runtime commands. See that file for why the clock is read there and not in Node.
 */
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { execa, type ResultPromise } from 'execa';
import { z } from 'zod';
import { UserError } from './errors.ts';
import { rbExecPath } from './paths.ts';

export type Step =
  | { kind: 'exec'; label: string; argv: string[]; stdout?: string; stderr?: string }
  | { kind: 'spawn'; label: string; argv: string[]; stdout?: string; stderr?: string }
  | { kind: 'waitpid'; label: string; pidFile: string }
  | { kind: 'waitchild'; label: string; pid: number }
  | { kind: 'read'; label: string; path: string }
  | { kind: 'sleep'; label: string; ms: number };

const StepResult = z.object({
  kind: z.string(),
  label: z.string(),
  startNs: z.number(),
  endNs: z.number(),
  exitCode: z.number(),
  signal: z.number(),
  timedOut: z.boolean(),
  pid: z.number(),
  maxRssKb: z.number(),
  utimeUs: z.number(),
  stimeUs: z.number(),
  value: z.string(),
  error: z.string().nullable(),
});
export type StepResult = z.infer<typeof StepResult>;

const Reply = z.object({ id: z.string(), steps: z.array(StepResult), error: z.string().nullable() });
export type SeqReply = z.infer<typeof Reply>;

/** What rb-exec accepts (see harness/rb-exec.c); checked here so a bad request fails with a clear error before it is sent. */
export const RB_EXEC_LIMITS = {
  maxTimeoutMs: 2_147_483_647,
  maxSteps: 64,
  maxArgs: 511,
  /** one protocol line, without its newline */
  maxLineBytes: 65_535,
  /** one step's arguments, each counted with the NUL after it */
  maxArgBytes: 262_144,
  maxLabelBytes: 127,
  maxPathBytes: 199,
} as const;

function checkToken(what: string, s: string, maxBytes: number): string {
  if (s.length === 0 || Buffer.byteLength(s) > maxBytes || /[\s\0]/.test(s)) {
    throw new Error(`${what} '${s}' must be 1-${maxBytes} bytes without white space or NUL`);
  }
  return s;
}

/** A timeout must be above 0 (0.3 ms becomes rb-exec's smallest, 1 ms); a sleep may be 0. */
function checkMs(what: string, ms: number, zeroOk: boolean): number {
  const max = RB_EXEC_LIMITS.maxTimeoutMs;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || (ms === 0 && !zeroOk) || ms > max) {
    throw new RangeError(`${what} ${String(ms)} must be a finite number of milliseconds ${zeroOk ? 'from 0' : 'above 0'} up to ${max}`);
  }
  return zeroOk ? Math.round(ms) : Math.max(1, Math.round(ms));
}

function checkArgv(label: string, argv: string[]): void {
  if (argv.length < 1 || argv.length > RB_EXEC_LIMITS.maxArgs) {
    throw new Error(`step ${label}: ${argv.length} arguments, rb-exec takes 1-${RB_EXEC_LIMITS.maxArgs}`);
  }
  let total = 0;
  for (const a of argv) {
    if (a.includes('\n')) throw new Error(`argument ${JSON.stringify(a)} contains a newline`);
    if (a.includes('\0')) throw new Error(`argument ${JSON.stringify(a)} contains a NUL character`);
    const bytes = Buffer.byteLength(a);
    if (bytes + 'ARG '.length > RB_EXEC_LIMITS.maxLineBytes) {
      throw new Error(`step ${label}: an argument of ${bytes} bytes is longer than rb-exec takes (${RB_EXEC_LIMITS.maxLineBytes - 'ARG '.length})`);
    }
    total += bytes + 1;
  }
  if (total > RB_EXEC_LIMITS.maxArgBytes) {
    throw new Error(`step ${label}: arguments of ${total} bytes in all are longer than rb-exec takes (${RB_EXEC_LIMITS.maxArgBytes})`);
  }
}

function encode(id: string, timeoutMs: number, steps: Step[]): string {
  const ms = checkMs('timeout', timeoutMs, false);
  if (steps.length > RB_EXEC_LIMITS.maxSteps) throw new Error(`${steps.length} steps in one sequence, rb-exec takes at most ${RB_EXEC_LIMITS.maxSteps}`);
  const lines = [`SEQ ${id} ${ms} ${steps.length}`];
  for (const s of steps) {
    const label = checkToken('step label', s.label, RB_EXEC_LIMITS.maxLabelBytes);
    switch (s.kind) {
      case 'exec':
      case 'spawn': {
        checkArgv(label, s.argv);
        lines.push(
          `${s.kind.toUpperCase()} ${label} ${checkToken('output path', s.stdout ?? '/dev/null', RB_EXEC_LIMITS.maxPathBytes)} ${checkToken('output path', s.stderr ?? '/dev/null', RB_EXEC_LIMITS.maxPathBytes)} ${s.argv.length}`,
          ...s.argv.map((a) => `ARG ${a}`),
        );
        break;
      }
      case 'waitpid':
        lines.push(`WAITPID ${label} ${checkToken('pid file', s.pidFile, RB_EXEC_LIMITS.maxPathBytes)}`);
        break;
      case 'waitchild':
        if (!Number.isInteger(s.pid) || s.pid < 1 || s.pid > 2_147_483_647) throw new RangeError(`step ${label}: pid ${String(s.pid)} is not a process id`);
        lines.push(`WAITCHILD ${label} ${s.pid}`);
        break;
      case 'read':
        lines.push(`READ ${label} ${checkToken('path', s.path, RB_EXEC_LIMITS.maxPathBytes)}`);
        break;
      case 'sleep':
        lines.push(`SLEEPMS ${label} ${checkMs(`step ${label}: sleep`, s.ms, true)}`);
        break;
    }
  }
  lines.push('END');
  return `${lines.join('\n')}\n`;
}

type HelperOptions = {
  stdin: 'pipe';
  stdout: 'pipe';
  stderr: 'inherit';
  buffer: false;
  reject: false;
  env: Record<string, string>;
  extendEnv: true;
  cleanup: true;
};

export class TimingHelper {
  private readonly proc: ResultPromise<HelperOptions>;
  private readonly waiting = new Map<string, (r: SeqReply) => void>();
  private queue: Promise<unknown> = Promise.resolve();
  private seq = 0;
  private exited = false;
  private exitError: Error | null = null;

  private constructor(path: string, env: Record<string, string>) {
    const options: HelperOptions = { stdin: 'pipe', stdout: 'pipe', stderr: 'inherit', buffer: false, reject: false, env, extendEnv: true, cleanup: true };
    this.proc = execa(path, [], options);
    const rl = createInterface({ input: this.proc.stdout });
    rl.on('line', (line) => {
      let parsed: SeqReply;
      try {
        parsed = Reply.parse(JSON.parse(line));
      } catch {
        this.exitError = new Error(`rb-exec sent an unreadable reply: ${line.slice(0, 200)}`);
        this.answerOldest(this.exitError.message);
        return;
      }
      const done = this.waiting.get(parsed.id);
      if (done) {
        this.waiting.delete(parsed.id);
        done(parsed);
      } else if (parsed.id === '?') {
        // A request rb-exec could not even read the id of: requests go one at a time, so it is the oldest waiting.
        this.answerOldest(`rb-exec could not read the request: ${parsed.error ?? 'no reason given'}`);
      }
    });
    void this.proc.then(() => {
      this.exited = true;
      const err = this.exitError ?? new Error('rb-exec exited');
      for (const [, done] of this.waiting) done({ id: '?', steps: [], error: err.message });
      this.waiting.clear();
    });
  }

  static start(env: Record<string, string> = {}, path = rbExecPath): TimingHelper {
    if (!existsSync(path)) {
      throw new UserError(`${path} is missing: run scripts/build-fixtures.sh (or scripts/setup.sh) first`);
    }
    return new TimingHelper(path, env);
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  /**
   * Runs the steps back to back inside the helper; the whole sequence shares one deadline.
   * A request rb-exec could not carry (a NaN timeout, a label with a blank, too many
   * arguments...) is rejected at once, before anything is sent.
   */
  run(steps: Step[], timeoutMs: number): Promise<SeqReply> {
    const id = `s${++this.seq}`;
    let payload: string;
    try {
      payload = encode(id, timeoutMs, steps);
    } catch (e) {
      return Promise.reject(e as Error);
    }
    const next = this.queue.then(() => this.send(id, payload));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private send(id: string, payload: string): Promise<SeqReply> {
    if (this.exited) return Promise.reject(new Error('rb-exec is not running'));
    return new Promise<SeqReply>((resolve, reject) => {
      this.waiting.set(id, resolve);
      this.proc.stdin.write(payload, (err) => {
        if (err) {
          this.waiting.delete(id);
          reject(err);
        }
      });
    });
  }

  /**
   * Kills everything the helper started that still runs (what runtimes left behind: a
   * container's init, runsc's sandbox and gofer, reparented here) and reaps it. Queued
   * behind the requests sent before it; resolves once rb-exec confirms.
   */
  killAll(): Promise<void> {
    const next = this.queue.then(
      () =>
        new Promise<void>((resolve, reject) => {
          if (this.exited) {
            reject(new Error('rb-exec is not running'));
            return;
          }
          this.waiting.set('killall', (r) => (r.error ? reject(new Error(r.error)) : resolve()));
          this.proc.stdin.write('KILLALL\n', (err) => {
            if (err) {
              this.waiting.delete('killall');
              reject(err);
            }
          });
        }),
    );
    this.queue = next.catch(() => undefined);
    return next;
  }

  private answerOldest(error: string): void {
    const oldest = this.waiting.entries().next();
    if (oldest.done) return;
    const [id, done] = oldest.value;
    this.waiting.delete(id);
    done({ id, steps: [], error });
  }

  /** Kills what the helper started that still runs, then stops it. */
  async close(): Promise<void> {
    if (this.exited) return;
    this.proc.stdin.end();
    // Busy with a sequence (e.g. a hung runtime): SIGTERM makes it kill what it started now.
    if (this.waiting.size > 0) this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 3000);
    await this.proc;
    clearTimeout(timer);
  }
}
