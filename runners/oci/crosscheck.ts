/**
 * Cross-checks runbench's `run` figure against hyperfine timing the very same command
 * on the very same bundle. Blocks of each alternate so drift on a shared machine hits
 * both alike, and which tool goes first swaps every round, so neither always runs on the
 * heels of the other. The medians of the pooled samples are compared, and the ratio gets a
 * 95% interval from the rounds (a paired t-test on the log ratios of the two tools' block
 * medians, core/block-test.ts): on a noisy host a ratio a few percent off 1 is only a bias
 * when its interval excludes 1.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { z } from 'zod';
import { UserError } from '../../core/errors.ts';
import { EventBus } from '../../core/events.ts';
import { openRunScope } from '../../core/run-scope.ts';
import { findBinary } from '../../core/runtimes.ts';
import type { HostFacts, RuntimeInfo } from '../../core/schema.ts';
import { pairedBlocks } from '../../core/block-test.ts';
import { median } from '../../core/stats.ts';
import { TimingHelper } from '../../core/timing-helper.ts';
import { OciSession } from './session.ts';

export interface CrosscheckResult {
  runtime: string;
  command: string;
  runbenchNs: number[];
  hyperfineNs: number[];
  runbenchMedianNs: number;
  hyperfineMedianNs: number;
  /** runbench median / hyperfine median. */
  ratio: number;
  /** The round each sample was taken in (parallel to runbenchNs and hyperfineNs). */
  runbenchBlocks: number[];
  hyperfineBlocks: number[];
  /** runbench over hyperfine round by round: geometric mean of the ratios of block medians, its 95% interval, and the rounds; null with fewer than two. */
  pairedRatio: { ratio: number; ratioCi: [number, number]; rounds: number } | null;
}

const HyperfineJson = z.object({ results: z.array(z.object({ times: z.array(z.number()) })).min(1) });

export async function crosscheck(runtime: RuntimeInfo, host: HostFacts, opts: { runs: number; blocks: number }): Promise<CrosscheckResult> {
  const hyperfine = findBinary('hyperfine');
  if (!hyperfine) throw new UserError('hyperfine is not installed (apt-get install hyperfine, or scripts/setup.sh)');
  const { runId, scope, workDir } = openRunScope('crosscheck');
  try {
    const session = new OciSession(runtime, { runId, host, arch: host.arch, scope, events: new EventBus(), workDir });
    const c = session.prepare({ workload: { name: 'hello', kind: 'native', args: [] }, timeoutMs: 30_000 });
    const argv = session.argv('run', '--bundle', c.bundle, c.id);
    const helper = TimingHelper.start();
    scope.defer('timing helper', () => helper.close());
    const runbenchNs: number[] = [];
    const hyperfineNs: number[] = [];
    const runbenchBlocks: number[] = [];
    const hyperfineBlocks: number[] = [];
    const perBlock = Math.max(1, Math.ceil(opts.runs / opts.blocks));
    const out = join(workDir, 'hyperfine.json');
    const timeRunbench = async (b: number) => {
      for (let i = 0; i < perBlock + (b === 0 ? 3 : 0); i++) {
        // output to /dev/null on both sides: hyperfine's default, and a regular file as the
        // container's stdio would cost the runtime time of its own
        const r = await helper.run([{ kind: 'exec', label: 'run', argv }], 30_000);
        const s = r.steps[0];
        if (!s || r.error) throw new UserError(`${runtime.name} run failed during the cross-check: ${r.error ?? 'no reply'}`);
        if (b > 0 || i >= 3) {
          runbenchNs.push(s.endNs - s.startNs);
          runbenchBlocks.push(b);
        }
      }
    };
    const timeHyperfine = async (b: number) => {
      const h = await execa(
        hyperfine,
        ['-N', '--style', 'none', '--warmup', b === 0 ? '3' : '0', '--runs', String(perBlock), '--export-json', out, argv.join(' ')],
        { reject: false },
      );
      if (h.exitCode !== 0) throw new UserError(`hyperfine failed: ${h.stderr.split('\n')[0] ?? ''}`);
      const parsed = HyperfineJson.parse(JSON.parse(readFileSync(out, 'utf8')));
      const times = (parsed.results[0]?.times ?? []).map((t) => t * 1e9);
      hyperfineNs.push(...times);
      hyperfineBlocks.push(...times.map(() => b));
    };
    for (let b = 0; b < opts.blocks; b++) {
      if (b % 2 === 0) {
        await timeRunbench(b);
        await timeHyperfine(b);
      } else {
        await timeHyperfine(b);
        await timeRunbench(b);
      }
    }
    const rb = median(runbenchNs);
    const hf = median(hyperfineNs);
    return {
      runtime: runtime.name,
      command: argv.join(' '),
      runbenchNs,
      hyperfineNs,
      runbenchMedianNs: rb,
      hyperfineMedianNs: hf,
      ratio: rb / hf,
      runbenchBlocks,
      hyperfineBlocks,
      pairedRatio: pairedBlocks({ samples: runbenchNs, blocks: runbenchBlocks }, { samples: hyperfineNs, blocks: hyperfineBlocks }, 0.95),
    };
  } finally {
    await scope.close();
  }
}
