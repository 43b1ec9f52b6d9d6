/** The machine's other processes as /proc shows them, for the sweeps that look for what runbench started. */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessLine {
  pid: number;
  /** The command line, its arguments joined by spaces. */
  cmdline: string;
}

/** Every process but this one, with its command line; one that exits while being read is left out. */
export function otherProcesses(): ProcessLine[] {
  const out: ProcessLine[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      out.push({ pid: Number(e), cmdline: readFileSync(`/proc/${e}/cmdline`, 'utf8').replace(/\0/g, ' ') });
    } catch {
      /* gone */
    }
  }
  return out;
}
