/** rb-exec's answers to malformed requests, driven over its pipe directly (no TimingHelper checks in front). */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rbExecPath } from '../../core/paths.ts';

const built = existsSync(rbExecPath);

type Reply = { id: string; steps: { kind: string; label: string; exitCode: number; error: string | null }[]; error: string | null };

/** One rb-exec process and the replies it writes, each awaited with a deadline so that a missing one fails the test. */
class Raw {
  readonly proc: ChildProcess;
  private readonly lines: string[] = [];
  private readonly waiters: ((line: string) => void)[] = [];
  readonly exited: Promise<number | null>;

  constructor() {
    this.proc = spawn(rbExecPath, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.exited = new Promise((resolve) => this.proc.once('exit', (code) => resolve(code)));
    createInterface({ input: this.proc.stdout! }).on('line', (line) => {
      const w = this.waiters.shift();
      if (w) w(line);
      else this.lines.push(line);
    });
  }

  send(text: string): void {
    this.proc.stdin!.write(text);
  }

  next(timeoutMs = 5000): Promise<Reply> {
    const queued = this.lines.shift();
    if (queued !== undefined) return Promise.resolve(JSON.parse(queued) as Reply);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`no reply from rb-exec within ${timeoutMs} ms`));
      }, timeoutMs);
      const w = (line: string) => {
        clearTimeout(timer);
        resolve(JSON.parse(line) as Reply);
      };
      this.waiters.push(w);
    });
  }

  async close(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.stdin!.end();
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 2000);
    await this.exited;
    clearTimeout(timer);
  }
}

const long = (n: number) => 'a'.repeat(n);
const exec1 = 'EXEC x /dev/null /dev/null 1\nARG true\n';

// [what, request text, the id the reply must carry, its error]
const malformed: [string, string, string, RegExp][] = [
  ['a NaN timeout', `SEQ m1 NaN 1\n${exec1}END\n`, 'm1', /timeout 'NaN' is not a whole number of milliseconds/],
  ['a negative timeout', 'SEQ m2 -5 0\nEND\n', 'm2', /timeout '-5'/],
  ['an infinite timeout', 'SEQ m3 Infinity 0\nEND\n', 'm3', /timeout 'Infinity'/],
  ['a zero timeout', 'SEQ m4 0 0\nEND\n', 'm4', /timeout '0'/],
  ['a fractional timeout', 'SEQ m5 1.5 0\nEND\n', 'm5', /timeout '1.5'/],
  ['a timeout past 2^31-1 ms', 'SEQ m6 2147483648 0\nEND\n', 'm6', /timeout '2147483648'/],
  ['a timeout past 64 bits', 'SEQ m7 99999999999999999999999 0\nEND\n', 'm7', /timeout/],
  ['a missing step count', 'SEQ m8 1000\nEND\n', 'm8', /expected SEQ <id> <timeout_ms> <nsteps>/],
  ['too many steps', `SEQ m9 1000 65\n${'SLEEPMS s 0\n'.repeat(65)}END\n`, 'm9', /step count '65'/],
  ['a negative step count', 'SEQ m10 1000 -1\nEND\n', 'm10', /step count '-1'/],
  ['an unknown step kind', 'SEQ m11 1000 1\nFORK x\nARG y\nEND\n', 'm11', /unknown step kind 'FORK'/],
  ['an empty step line', 'SEQ m12 1000 1\n\nEND\n', 'm12', /empty line/],
  ['a step with an extra field', 'SEQ m13 1000 1\nREAD x /etc/hostname extra\nEND\n', 'm13', /malformed READ step/],
  ['no arguments', 'SEQ m14 1000 1\nEXEC x /dev/null /dev/null 0\nEND\n', 'm14', /argument count '0'/],
  ['512 arguments', `SEQ m15 1000 1\nEXEC x /dev/null /dev/null 512\n${'ARG a\n'.repeat(512)}END\n`, 'm15', /argument count '512'/],
  ['a non-numeric argument count', 'SEQ m16 1000 1\nEXEC x /dev/null /dev/null two\nARG a\nARG b\nEND\n', 'm16', /argument count 'two'/],
  ['an argument line without ARG', 'SEQ m17 1000 1\nEXEC x /dev/null /dev/null 2\nARG sh\ntrue\nEND\n', 'm17', /argument 2 of 2 is not an ARG/],
  [
    'arguments past 262144 bytes in all',
    `SEQ m18 1000 1\nEXEC x /dev/null /dev/null 5\n${`ARG ${long(60_000)}\n`.repeat(5)}END\n`,
    'm18',
    /arguments longer than 262144 bytes/,
  ],
  [
    'an argument line past 65535 bytes',
    `SEQ m19 1000 1\nEXEC x /dev/null /dev/null 1\nARG ${long(70_000)}\nEND\n`,
    'm19',
    /argument 1: a line longer than 65535/,
  ],
  ['a request line past 65535 bytes', `SEQ m20 1000 0 ${long(70_000)}\nEND\n`, 'm20', /line longer than 65535/],
  ['a NUL byte', 'SEQ m21 1000 1\nREAD x /etc/host\0name\nEND\n', 'm21', /NUL byte/],
  ['a label past 127 bytes', `SEQ m22 1000 1\nSLEEPMS ${long(128)} 0\nEND\n`, 'm22', /label longer than 127/],
  ['a path past 199 bytes', `SEQ m23 1000 1\nREAD x /${long(199)}\nEND\n`, 'm23', /path longer than 199/],
  ['an output path past 199 bytes', `SEQ m24 1000 1\nEXEC x /${long(199)} /dev/null 1\nARG true\nEND\n`, 'm24', /output path longer than 199/],
  ['a pid that is not a number', 'SEQ m25 1000 1\nWAITCHILD x 12ab\nEND\n', 'm25', /pid '12ab'/],
  ['a negative sleep', 'SEQ m26 1000 1\nSLEEPMS x -1\nEND\n', 'm26', /sleep '-1'/],
  ['a NaN sleep', 'SEQ m27 1000 1\nSLEEPMS x NaN\nEND\n', 'm27', /sleep 'NaN'/],
  ['more steps than announced', `SEQ m28 1000 0\n${exec1}END\n`, 'm28', /more steps than the 0 announced/],
  ['an END before the last step', 'SEQ m29 1000 2\nSLEEPMS x 0\nEND\n', 'm29', /request ended after 1 of 2 steps/],
  ['a request cut short by the next one', 'SEQ m30 1000 2\nSLEEPMS x 0\n', 'm30', /request ended after 1 of 2 steps/],
  ['an id past 127 bytes (no id to answer with)', `SEQ ${long(128)} 1000 0\nEND\n`, '?', /id longer than 127/],
  ['a line that is no request', 'hello\n', '?', /expected SEQ <id> <timeout_ms> <nsteps> or KILLALL/],
];

describe.skipIf(!built)(`rb-exec protocol${built ? '' : ' (skipped: build/bin/rb-exec not built; run scripts/build-fixtures.sh)'}`, () => {
  let rb: Raw;
  beforeEach(() => {
    rb = new Raw();
  });
  afterEach(async () => {
    await rb.close();
  });

  it.each(malformed)('answers %s with an error for that request, then reads the next one', async (_what, text, id, error) => {
    rb.send(text);
    rb.send('SEQ next 5000 1\nEXEC ok /dev/null /dev/null 1\nARG true\nEND\n');
    const bad = await rb.next();
    expect(bad.id).toBe(id);
    expect(bad.error).toMatch(error);
    const next = await rb.next();
    expect(next).toMatchObject({ id: 'next', error: null, steps: [{ label: 'ok', exitCode: 0 }] });
  });

  it('answers with the steps it ran before a malformed one', async () => {
    rb.send(`SEQ part 5000 2\n${exec1}BOGUS\nEND\n`);
    const r = await rb.next();
    expect(r.id).toBe('part');
    expect(r.error).toMatch(/step 2: unknown step kind 'BOGUS'/);
    expect(r.steps).toMatchObject([{ kind: 'EXEC', label: 'x', exitCode: 0, error: null }]);
  });

  it('refuses at once to wait for a pid that is not its child', async () => {
    const t0 = Date.now();
    rb.send('SEQ w 60000 1\nWAITCHILD x 1\nEND\n');
    const r = await rb.next();
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.error).toMatch(/pid 1 is not a child of rb-exec/);
  });

  it('takes an argument line of 65531 bytes and 511 arguments', async () => {
    rb.send(
      `SEQ big 5000 2\nEXEC a /dev/null /dev/null 2\nARG echo\nARG ${long(65_531)}\nEXEC b /dev/null /dev/null 511\nARG true\n${'ARG x\n'.repeat(510)}END\n`,
    );
    const r = await rb.next();
    expect(r).toMatchObject({ id: 'big', error: null, steps: [{ exitCode: 0 }, { exitCode: 0 }] });
  });

  it('exits without an answer when its input ends inside a request', async () => {
    rb.send('SEQ cut 5000 1\nSLEEPMS x 0');
    rb.proc.stdin!.end();
    expect(await rb.exited).toBe(0);
  });
});
