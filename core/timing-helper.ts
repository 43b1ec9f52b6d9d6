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

function checkToken(what: string, s: string): string {
  if (s.length === 0 || s.length > 199 || /\s/.test(s)) {
    throw new Error(`${what} '${s}' must be 1-199 characters without white space`);
  }
  return s;
}

function encode(id: string, timeoutMs: number, steps: Step[]): string {
  const lines = [`SEQ ${id} ${Math.max(1, Math.round(timeoutMs))} ${steps.length}`];
  for (const s of steps) {
    const label = checkToken('step label', s.label);
    switch (s.kind) {
      case 'exec':
      case 'spawn': {
        for (const a of s.argv) if (a.includes('\n')) throw new Error(`argument ${JSON.stringify(a)} contains a newline`);
        lines.push(
          `${s.kind.toUpperCase()} ${label} ${checkToken('output path', s.stdout ?? '/dev/null')} ${checkToken('output path', s.stderr ?? '/dev/null')} ${s.argv.length}`,
          ...s.argv.map((a) => `ARG ${a}`),
        );
        break;
      }
      case 'waitpid':
        lines.push(`WAITPID ${label} ${checkToken('pid file', s.pidFile)}`);
        break;
      case 'waitchild':
        lines.push(`WAITCHILD ${label} ${s.pid}`);
        break;
      case 'read':
        lines.push(`READ ${label} ${checkToken('path', s.path)}`);
        break;
      case 'sleep':
        lines.push(`SLEEPMS ${label} ${Math.round(s.ms)}`);
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
        return;
      }
      const done = this.waiting.get(parsed.id);
      if (done) {
        this.waiting.delete(parsed.id);
        done(parsed);
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

  /** Runs the steps back to back inside the helper; the whole sequence shares one deadline. */
  run(steps: Step[], timeoutMs: number): Promise<SeqReply> {
    const next = this.queue.then(() => this.send(steps, timeoutMs));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private send(steps: Step[], timeoutMs: number): Promise<SeqReply> {
    if (this.exited) return Promise.reject(new Error('rb-exec is not running'));
    const id = `s${++this.seq}`;
    const payload = encode(id, timeoutMs, steps);
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

  /** Kills every process group the helper started, then stops it. */
  async close(): Promise<void> {
    if (this.exited) return;
    this.proc.stdin.end();
    // Busy with a sequence (e.g. a hung runtime): SIGTERM makes it kill its process groups now.
    if (this.waiting.size > 0) this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 3000);
    await this.proc;
    clearTimeout(timer);
  }
}
