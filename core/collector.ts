/**
 * What a run's suites record, gathered across blocks: each measurement (one suite, metric,
 * unit and set of labels) collects the samples of every block it was recorded in, with the
 * block of each sample, and gets its statistics once the last block is in. A fact is kept
 * once, as the first block found it.
 */
import type { EventBus } from './events.ts';
import type { DensityCurve, Fact, Measurement } from './schema.ts';
import { computeStats, splitSamples } from './stats.ts';

type Notes = Measurement['notes'];

interface Entry {
  base: Omit<Measurement, 'samples' | 'failedSamples' | 'stats' | 'notes' | 'blocks'>;
  /** The series of attempts its samples came from, if any (core/reliability.ts). */
  series: string | undefined;
  samples: number[];
  blocks: number[];
  /** Samples without a finite value (a phase not observed): counted, never averaged in. */
  failed: number;
  notes: Notes[];
}

/** Notes of the blocks in one: a key whose value differed between blocks keeps every distinct value. */
function mergeNotes(all: readonly Notes[]): Notes {
  const out: Notes = {};
  for (const notes of all) {
    for (const [k, v] of Object.entries(notes)) {
      const had = out[k];
      if (had === undefined) out[k] = v;
      else if (had !== v && !String(had).split(' | ').includes(String(v))) out[k] = `${String(had)} | ${String(v)}`;
    }
  }
  return out;
}

export class Collector {
  private readonly entries = new Map<string, Entry>();
  private readonly factKeys = new Set<string>();
  readonly facts: Fact[] = [];
  readonly curves: DensityCurve[] = [];

  constructor(
    private readonly events: EventBus,
    /** Blocks in the run: with more than one, each measurement says which block took each sample. */
    private readonly blockCount: number,
  ) {}

  record(m: Omit<Measurement, 'stats' | 'failedSamples' | 'samples'> & { samples: readonly (number | null)[] }, block: number, series?: string): void {
    const key = JSON.stringify([m.suite, m.metric, m.unit, m.labels]);
    let e = this.entries.get(key);
    if (!e) {
      const { samples: _s, notes: _n, ...base } = m;
      e = { base, series, samples: [], blocks: [], failed: 0, notes: [] };
      this.entries.set(key, e);
    }
    const split = splitSamples(m.samples);
    e.samples.push(...split.samples);
    e.blocks.push(...split.samples.map(() => block));
    e.failed += split.failedSamples;
    e.notes.push(m.notes);
    this.events.emit('measurement', { measurement: { ...m, ...split } });
  }

  fact(f: Fact): void {
    const key = JSON.stringify([f.suite, f.name, f.labels]);
    if (this.factKeys.has(key)) return;
    this.factKeys.add(key);
    this.facts.push(f);
    this.events.emit('fact', { fact: f });
  }

  curve(c: DensityCurve): void {
    this.curves.push(c);
  }

  /**
   * Every measurement, in the order first recorded, with statistics over all its samples;
   * without those whose series `dropped` says ended errored: their samples are no measurement.
   */
  measurements(dropped: (suite: string, series: string, labels: Measurement['labels']) => boolean = () => false): Measurement[] {
    const kept = [...this.entries.values()].filter((e) => e.series === undefined || !dropped(e.base.suite, e.series, e.base.labels));
    return kept.map((e) => ({
      ...e.base,
      samples: e.samples,
      failedSamples: e.failed,
      stats: computeStats(e.samples),
      notes: mergeNotes(e.notes),
      ...(this.blockCount > 1 ? { blocks: e.blocks } : {}),
    }));
  }
}
