/** What /proc says about a process of this machine (shims, containerd), for the layers that read it. */
import { readFileSync } from 'node:fs';

/** Memory lines of /proc/<pid>/status: VmRSS now, VmHWM its high-water mark. */
export type StatusMemoryField = 'VmHWM' | 'VmRSS';

/** A memory line of /proc/<pid>/status in bytes; null when the process is gone or has no such line. */
export function procStatusBytes(pid: number, field: StatusMemoryField): number | null {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}
