/**
 * The same interrupt whether runbench runs directly, through `npx runbench` or `npm run`.
 *
 * npm runs a package's bin through `sh -c`: runbench is the shell's child, the shell npm's.
 * A signal sent to npm alone (a supervisor's kill, a CI step's timeout; Ctrl-C in a terminal
 * reaches the whole process group and is not the problem) does not reach runbench: npm passes
 * SIGINT and SIGTERM to the shell only. A non-interactive shell holds SIGINT back until its
 * child exits, so runbench would run to the end and write its results; SIGTERM kills the
 * shell and npm, and runbench would run on, orphaned.
 *
 * So when its parent is such a shell, runbench watches it: the shell waits for runbench, its
 * only child, and wakes for nothing but a signal or a change in runbench's own state. When the
 * shell wakes (and runbench was not itself stopped and continued), or it or npm exits,
 * runbench interrupts itself as Ctrl-C does: SIGINT to itself and its descendants in its
 * process group, so a run stops, removes everything it started and writes no results.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';

const SHELLS = new Set(['sh', 'dash', 'bash', 'ash', 'zsh', 'ksh', 'mksh', 'busybox']);

function argv(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}

/** The parent pid of `pid`, from /proc/PID/stat (after the command name, which may hold spaces). */
function ppidOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** How often `pid` has been scheduled out: a shell blocked in wait() only counts up when woken. */
function wakes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const n = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
  return n('voluntary_ctxt_switches') + n('nonvoluntary_ctxt_switches');
}

/** The process group of `pid`, from /proc/PID/stat. */
function pgidOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

/**
 * What Ctrl-C does, to runbench's part of its process group: SIGINT to runbench and to each
 * of its descendants in its process group (the timing helper rb-exec, which then kills the
 * runtime commands it started), as a terminal would send it.
 */
export function interruptLikeCtrlC(): void {
  const parents = new Map<number, number>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      parents.set(Number(e), ppidOf(Number(e)));
    } catch {
      /* gone */
    }
  }
  const group = pgidOf(process.pid);
  const below: number[] = [];
  const queue = [process.pid];
  while (queue.length > 0) {
    const p = queue.shift() as number;
    for (const [child, parent] of parents) {
      if (parent !== p) continue;
      queue.push(child);
      below.push(child);
    }
  }
  for (const pid of below) {
    try {
      if (pgidOf(pid) === group) process.kill(pid, 'SIGINT');
    } catch {
      /* gone */
    }
  }
  process.kill(process.pid, 'SIGINT');
}

function children(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Whether `pid` is a shell running a command string (`sh -c '…'`), as npm starts a bin. */
export function isCommandShell(args: string[]): boolean {
  const name = basename(args[0] ?? '');
  return SHELLS.has(name) && args.slice(1).some((a) => a === '-c' || /^-[a-z]*c[a-z]*$/.test(a));
}

export interface WatchOptions {
  intervalMs?: number;
  /** What to do when the launcher is gone or was signalled; default: interruptLikeCtrlC. */
  onLost?: (why: string) => void;
  env?: NodeJS.ProcessEnv;
}

/**
 * Watches the shell npm started runbench from, when that is how it was started; returns a
 * function that stops watching. Does nothing when run directly or by anything else.
 */
export function watchLauncher(o: WatchOptions = {}): () => void {
  const env = o.env ?? process.env;
  const shell = process.ppid;
  let npm: number;
  let baseline: number;
  let self: string;
  try {
    if (env.npm_lifecycle_event === undefined && env.npm_command === undefined) return () => {};
    if (!isCommandShell(argv(shell))) return () => {};
    npm = ppidOf(shell);
    baseline = wakes(shell);
    self = String(process.pid);
  } catch {
    return () => {};
  }
  const onLost =
    o.onLost ??
    ((why: string) => {
      try {
        process.stderr.write(`runbench: ${why}: interrupting as Ctrl-C would\n`);
      } catch {
        /* stderr gone with the terminal */
      }
      interruptLikeCtrlC();
    });
  // Stopped and continued (Ctrl-Z, fg): the shell woke for runbench's change of state.
  let continued = false;
  const onCont = () => {
    continued = true;
  };
  process.on('SIGCONT', onCont);
  let suspect = false;
  let done = false;
  const stop = () => {
    done = true;
    clearInterval(timer);
    process.off('SIGCONT', onCont);
  };
  const lost = (why: string) => {
    stop();
    onLost(why);
  };
  const timer = setInterval(() => {
    if (done) return;
    try {
      if (process.ppid !== shell) return lost('the shell npm started runbench from exited');
      if (npm > 1 && ppidOf(shell) !== npm) return lost('npm, which started runbench, exited');
      const now = wakes(shell);
      if (continued || children(shell) !== self) {
        // runbench itself changed state, or the shell has other children to wake it
        continued = false;
        suspect = false;
        baseline = now;
        return;
      }
      if (now === baseline) return;
      // a signal reached the shell; decide at the next look, after any SIGCONT is handled
      if (!suspect) {
        suspect = true;
        return;
      }
      lost('npm passed on a signal that stops at the shell it runs runbench in');
    } catch {
      // the shell is gone: the ppid check above says so on the next look
    }
  }, o.intervalMs ?? 200);
  timer.unref();
  return stop;
}
