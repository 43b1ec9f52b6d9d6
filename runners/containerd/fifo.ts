/**
 * A named pipe a shim writes a container's stream into, read by polling so the
 * stream is kept apart from the others. Used where stdout and stderr must stay
 * separate: the runc shim's `file://` stdio is a log URI, and both streams of the
 * container go into that one file.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, readSync } from 'node:fs';

const POLL_MS = 20;
const CHUNK = 64 * 1024;

export class FifoReader {
  private readonly chunks: Buffer[] = [];
  private readonly timer: NodeJS.Timeout;
  private fd: number | null;

  private constructor(readonly path: string) {
    execFileSync('mkfifo', ['-m', '0600', path]);
    // read-write: opening does not wait for a writer, and the shim's close is no EOF to us
    this.fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
    this.timer = setInterval(() => this.drain(), POLL_MS);
    this.timer.unref();
  }

  static open(path: string): FifoReader {
    return new FifoReader(path);
  }

  /** Reads what the pipe holds now. */
  drain(): void {
    if (this.fd === null) return;
    const buf = Buffer.alloc(CHUNK);
    for (;;) {
      let n: number;
      try {
        n = readSync(this.fd, buf, 0, CHUNK, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return;
        throw e;
      }
      if (n <= 0) return;
      this.chunks.push(Buffer.from(buf.subarray(0, n)));
    }
  }

  /** Everything read so far, after a last drain; call once the writer is done (task deleted). */
  text(): string {
    this.drain();
    return Buffer.concat(this.chunks).toString('utf8');
  }

  close(): void {
    clearInterval(this.timer);
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
