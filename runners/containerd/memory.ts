/**
 * The containerd layer's memory figures: read untimed between a task's exit and its
 * cleanup (the shim's high-water mark, the container cgroup's peak and OOM record), and
 * containerd's own RSS against what it was when the session opened.
 */
import { parseMemoryPeak, parseOomKilled } from '../../core/cgroups.ts';
import { readOrEmpty } from '../shared/files.ts';
import { procStatusBytes } from '../shared/proc.ts';
import { processesMatching } from './daemon.ts';

export interface ExitMemory {
  shimPeak: number | null;
  cgroupPeak: number | null;
  oomKilled: boolean | null;
}

/** The shim serving container `id` of the containerd at `address` (its VmHWM), and the cgroup's files `mem`. */
export function memoryAtExit(address: string, id: string, mem: { peak: string; oom: string } | null): ExitMemory {
  const shimPid = processesMatching(`-id ${id} `, address)[0];
  const shimPeak = shimPid !== undefined ? procStatusBytes(shimPid, 'VmHWM') : null;
  if (!mem) return { shimPeak, cgroupPeak: null, oomKilled: null };
  return { shimPeak, cgroupPeak: parseMemoryPeak(readOrEmpty(mem.peak).trim()), oomKilled: parseOomKilled(readOrEmpty(mem.oom)) };
}

/** A lifecycle sample's layerMemoryBytes: the figures that were read, by metric name. */
export function layerMemory(shimPeak: number | null, rssAfter: number | null, baselineRss: number | null): Record<string, number> {
  const layerMemoryBytes: Record<string, number> = {};
  if (shimPeak !== null) layerMemoryBytes.shimPeakRssBytes = shimPeak;
  if (rssAfter !== null) layerMemoryBytes.containerdRssBytes = rssAfter;
  if (rssAfter !== null && baselineRss !== null) layerMemoryBytes.containerdRssGrowthBytes = rssAfter - baselineRss;
  return layerMemoryBytes;
}
