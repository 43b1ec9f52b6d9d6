/**
 * critest's `-benchmark` figures: the pod and container lifecycle benchmarks, each sample one
 * cycle of CRI calls timed in the critest process (Go `time.Now().UnixNano()` around each
 * gRPC call), written as JSON data files. Read here against a schema; the image benchmarks
 * (the image service, whatever the handler) and "start a container from scratch" (one sample,
 * not in a data file) are not run or not read.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { ExternalLifecycle } from '../../core/runner.ts';

/** cri-tools pkg/benchmark/util.go LifecycleBenchmarksResultsSet. */
export const LifecycleResults = z.object({
  operationsNames: z.array(z.string()).min(1),
  numParallel: z.number().int(),
  datapoints: z
    .array(
      z.object({
        sampleIndex: z.number().int().nonnegative(),
        // Unix nanoseconds: past 2^53, so read as doubles (a 256 ns step, far below these figures)
        startTime: z.number(),
        endTime: z.number(),
        operationsDurationsNs: z.array(z.number().int().nonnegative()),
        metaInfo: z.record(z.string(), z.string()).nullable().optional(),
      }),
    )
    .nullable()
    .transform((d) => d ?? []),
});

/** The data file of each lifecycle benchmark and what cycles in it. */
export const LIFECYCLE_FILES = [
  { name: 'pod', file: 'pod_benchmark_data.json' },
  { name: 'container', file: 'container_benchmark_data.json' },
] as const;

/** The parameters file: `samples` pod and container cycles, one at a time. */
export function writeBenchmarkParams(path: string, samples: number): void {
  writeFileSync(
    path,
    ['# written by runbench: critest -benchmark, pod and container lifecycles only', `podsNumber: ${samples}`, 'podsNumberParallel: 1', `containersNumber: ${samples}`, 'containersNumberParallel: 1', ''].join('\n'),
  );
}

/** Every lifecycle whose data file critest wrote, in sample order; a file of another shape throws. */
export function readLifecycles(outDir: string): ExternalLifecycle[] {
  const out: ExternalLifecycle[] = [];
  for (const { name, file } of LIFECYCLE_FILES) {
    const path = join(outDir, file);
    if (!existsSync(path)) continue;
    const parsed = LifecycleResults.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (!parsed.success) throw new Error(`${path}: not critest's benchmark data: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const r = parsed.data;
    out.push({
      name,
      operations: r.operationsNames,
      parallel: r.numParallel,
      samples: [...r.datapoints]
        .sort((a, b) => a.sampleIndex - b.sampleIndex)
        .filter((d) => d.operationsDurationsNs.length === r.operationsNames.length)
        .map((d) => ({ startNs: d.startTime, endNs: d.endTime, operationsNs: d.operationsDurationsNs })),
    });
  }
  return out;
}
