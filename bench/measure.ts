/**
 * Timing through tinybench, in interleaved rounds. On a shared 2-core
 * machine the load changes from second to second, so timing implementation A
 * for ten seconds and then B for ten seconds compares A's weather with B's.
 * Instead every round times each implementation once, for a short budget, in
 * a rotating order; a ratio is then computed per round (both sides under the
 * same load) and the median over rounds is reported. Only medians are used.
 */
import { Bench } from 'tinybench';

export interface RoundOptions {
  readonly rounds: number;
  /** Time budget per case per round in ms (tinybench keeps going until both limits are met). */
  readonly timeMs: number;
  /** Minimum timed iterations per case per round. */
  readonly minIterations: number;
}

/** One case timed in one round. */
export interface RoundTiming {
  readonly medianMs: number;
  readonly samples: number;
}

/** A case's timings over all rounds, same order as the rounds. */
export interface Measurement {
  readonly rounds: readonly RoundTiming[];
  /** Median of the round medians. */
  readonly medianMs: number;
  readonly minMs: number;
  readonly samples: number;
}

export interface TimedCase {
  readonly name: string;
  readonly fn: () => unknown;
  /** The case returns a promise to await (e.g. a whole Kafka run); default false. */
  readonly async?: boolean;
}

/** Times every case in every round; the first round starts with one warm-up call per case. */
export async function measureInterleaved(cases: readonly TimedCase[], options: RoundOptions): Promise<Measurement[]> {
  const timings: RoundTiming[][] = cases.map(() => []);
  for (let round = 0; round < options.rounds; round++) {
    for (let k = 0; k < cases.length; k++) {
      // Rotate the order so that no case always runs right after another's garbage.
      const index = (k + round) % cases.length;
      const timed = cases[index] as TimedCase;
      (timings[index] as RoundTiming[]).push(await timeOnce(timed, options, round === 0));
    }
  }
  return timings.map((rounds) => ({
    rounds,
    medianMs: median(rounds.map((r) => r.medianMs)),
    minMs: Math.min(...rounds.map((r) => r.medianMs)),
    samples: rounds.reduce((sum, r) => sum + r.samples, 0),
  }));
}

async function timeOnce(timed: TimedCase, options: RoundOptions, warmup: boolean): Promise<RoundTiming> {
  const bench = new Bench({
    name: timed.name,
    time: options.timeMs,
    iterations: options.minIterations,
    warmup,
    warmupIterations: 1,
    warmupTime: 0,
    throws: true,
  });
  bench.add(timed.name, timed.fn, { async: timed.async ?? false });
  await bench.run();
  const result = bench.getTask(timed.name)?.result;
  if (result === undefined || (result.state !== 'completed' && result.state !== 'aborted-with-statistics')) {
    throw new Error(`benchmark ${timed.name} did not complete (state: ${result?.state ?? 'missing'})`);
  }
  return { medianMs: result.latency.p50, samples: result.latency.samplesCount };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
