/**
 * One timed case through tinybench: a fixed budget of time and a minimum
 * number of iterations, after one warm-up call. Only the median is used for
 * the throughput figures: on a shared 2-core machine the mean is dragged by
 * whatever else runs, the median much less.
 */
import { Bench } from 'tinybench';

export interface MeasureOptions {
  /** Time budget per case in ms (tinybench keeps going until both limits are met). */
  readonly timeMs: number;
  /** Minimum number of timed iterations. */
  readonly minIterations: number;
}

export interface Measurement {
  readonly medianMs: number;
  readonly meanMs: number;
  readonly minMs: number;
  readonly samples: number;
  /** Relative margin of error of the mean, in percent. */
  readonly rmePercent: number;
}

export async function measure(name: string, fn: () => unknown, options: MeasureOptions): Promise<Measurement> {
  const bench = new Bench({
    name,
    time: options.timeMs,
    iterations: options.minIterations,
    warmupIterations: 1,
    warmupTime: 0,
    throws: true,
  });
  bench.add(name, fn, { async: false });
  await bench.run();
  const task = bench.getTask(name);
  const result = task?.result;
  if (result === undefined || (result.state !== 'completed' && result.state !== 'aborted-with-statistics')) {
    throw new Error(`benchmark ${name} did not complete (state: ${result?.state ?? 'missing'})`);
  }
  return {
    medianMs: result.latency.p50,
    meanMs: result.latency.mean,
    minMs: result.latency.min,
    samples: result.latency.samplesCount,
    rmePercent: result.latency.rme,
  };
}
