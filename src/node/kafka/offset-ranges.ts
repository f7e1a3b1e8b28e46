/**
 * The direct stream's batch planning (Spark's DirectKafkaInputDStream.compute
 * and maxMessagesPerPartition): each batch reads, per partition, from where
 * the previous batch stopped up to the latest stable offset, at most
 * `maxRatePerPartition × interval` records, and with backpressure at most
 * the estimated total rate shared out by each partition's lag.
 */
import { InvalidArgumentError } from '../../errors.js';
import { type OffsetRange, type PartitionOffset, partitionKey } from './client.js';

/** What bounds a batch's ranges: the batch interval, maxRatePerPartition and the backpressure estimate. */
export interface RateLimits {
  readonly batchIntervalMs: number;
  /** Records per second per partition (Spark's spark.streaming.kafka.maxRatePerPartition). */
  readonly maxRatePerPartition?: number | undefined;
  /** Records per second for the whole stream, from the backpressure estimator. */
  readonly backpressureRate?: number | undefined;
}

export function checkMaxRate(rate: number | undefined): void {
  if (rate !== undefined && !(Number.isFinite(rate) && rate > 0)) {
    throw new InvalidArgumentError(`maxRatePerPartition must be a positive number of records per second, got ${String(rate)}`);
  }
}

/**
 * How many records each partition may contribute to one batch, or undefined
 * for no limit. Never 0 for a partition with lag: a slow estimate still lets
 * one record a partition through, so the stream always moves.
 */
export function recordsPerPartition(lags: ReadonlyMap<string, number>, limits: RateLimits): Map<string, number> | undefined {
  const { maxRatePerPartition, backpressureRate, batchIntervalMs } = limits;
  if (maxRatePerPartition === undefined && backpressureRate === undefined) return undefined;
  let totalLag = 0;
  for (const lag of lags.values()) totalLag += lag;
  const seconds = batchIntervalMs / 1000;
  const caps = new Map<string, number>();
  for (const [key, lag] of lags) {
    let rate = maxRatePerPartition ?? Number.POSITIVE_INFINITY;
    if (backpressureRate !== undefined && totalLag > 0) rate = Math.min(rate, (backpressureRate * lag) / totalLag);
    caps.set(key, Number.isFinite(rate) ? Math.max(1, Math.floor(rate * seconds)) : Number.MAX_SAFE_INTEGER);
  }
  return caps;
}

/**
 * The next batch's ranges: every partition of `latest`, from `from` (where
 * the previous batch stopped) to the latest offset, within `limits`.
 */
export function planRanges(from: ReadonlyMap<string, number>, latest: readonly PartitionOffset[], limits: RateLimits): OffsetRange[] {
  const lags = new Map<string, number>();
  for (const p of latest) lags.set(partitionKey(p), Math.max(0, p.offset - (from.get(partitionKey(p)) ?? p.offset)));
  const caps = recordsPerPartition(lags, limits);
  return latest.map((p) => {
    const key = partitionKey(p);
    const fromOffset = from.get(key) ?? p.offset;
    const lag = lags.get(key) ?? 0;
    const take = Math.min(lag, caps?.get(key) ?? lag);
    return { topic: p.topic, partition: p.partition, fromOffset, untilOffset: fromOffset + take };
  });
}

/**
 * `range` moved into its partition's log [low, high] (log start, latest
 * stable offset). Offsets below the log start were deleted (retention): the
 * range starts at the log start instead. A range reaching past the end was
 * not taken in this log (the topic was recreated, or it is another
 * cluster's): it becomes the empty range at the log start, so the log is
 * read from its start. A position is an empty range.
 */
export function intoLog(range: OffsetRange, low: number, high: number): OffsetRange {
  const { topic, partition } = range;
  if (range.untilOffset > high || range.fromOffset > high) return { topic, partition, fromOffset: low, untilOffset: low };
  if (range.fromOffset >= low) return range;
  return { topic, partition, fromOffset: low, untilOffset: Math.max(range.untilOffset, low) };
}
