/**
 * A container's stdout and stderr at the containerd layer: two files given to the shim
 * (a `file://` log URI to the runc shim, which writes both streams into it), or two
 * fifos read by runbench when the streams must stay apart. Removed by `close`.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readOrEmpty } from '../shared/files.ts';
import { FifoReader } from './fifo.ts';
import type { ShimConfig } from './shim.ts';

export class ContainerStdio {
  /** What to give containerd as the task's stdout and stderr. */
  readonly stdout: string;
  readonly stderr: string;
  private readonly pipes: { out: FifoReader; err: FifoReader } | null;
  private readonly stdoutPath: string;
  private readonly stderrPath: string;

  /** Creates `<id>.out` and `<id>.err` under `dir`: fifos when `separate`, else empty files. */
  constructor(dir: string, id: string, separate: boolean, shim: ShimConfig) {
    this.stdoutPath = join(dir, `${id}.out`);
    this.stderrPath = join(dir, `${id}.err`);
    if (separate) {
      const out = FifoReader.open(this.stdoutPath);
      this.pipes = { out, err: FifoReader.open(this.stderrPath) };
    } else {
      this.pipes = null;
      writeFileSync(this.stdoutPath, '');
      writeFileSync(this.stderrPath, '');
    }
    // a fifo is a plain path to every shim; a file is a log URI to the runc shim
    const uri = (p: string) => (this.pipes ? p : shim.stdioUri(p));
    this.stdout = uri(this.stdoutPath);
    this.stderr = uri(this.stderrPath);
  }

  /** What the container wrote; read once the task is deleted. */
  text(): { stdout: string; stderr: string } {
    return {
      stdout: this.pipes ? this.pipes.out.text() : readOrEmpty(this.stdoutPath),
      stderr: this.pipes ? this.pipes.err.text() : readOrEmpty(this.stderrPath),
    };
  }

  /** The first line of stderr, for an error message. */
  firstErrorLine(): string {
    return (this.pipes ? this.pipes.err.text() : readOrEmpty(this.stderrPath)).trim().split('\n')[0] ?? '';
  }

  close(): void {
    this.pipes?.out.close();
    this.pipes?.err.close();
    rmSync(this.stdoutPath, { force: true });
    rmSync(this.stderrPath, { force: true });
  }
}
