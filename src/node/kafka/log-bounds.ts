/**
 * Both ends of each partition's log, read at every batch, and what a batch
 * does with a position or range outside them (see intoLog): offsets deleted
 * before they were read are counted in the batch's `kafkaOffsetsLost`, and
 * every move is a WARN line. Shared by the direct stream and scale-out.
 */
import type { StreamingContext } from '../../engine/streaming-context.js';
import { type KafkaClient, type OffsetRange, type PartitionOffset, offsetsByPartition, partitionKey } from './client.js';
import { intoLog } from './offset-ranges.js';

/** The BatchInfo counter of offsets a stream skipped because they were deleted from the log (retention) before it read them. */
export const KAFKA_OFFSETS_LOST_COUNTER = 'kafkaOffsetsLost';

/** Each partition's log start and latest stable offset. */
export interface LogEnds {
  readonly earliest: PartitionOffset[];
  readonly latest: PartitionOffset[];
  readonly lows: ReadonlyMap<string, number>;
  readonly highs: ReadonlyMap<string, number>;
}

/** Both ends of `topics`' logs, in one call where the client can (KafkaClient.logBounds). */
export async function readLogEnds(client: KafkaClient, topics: readonly string[]): Promise<LogEnds> {
  const { earliest, latest } =
    client.logBounds !== undefined
      ? await client.logBounds(topics)
      : await Promise.all([client.earliestOffsets(topics), client.latestOffsets(topics)]).then(([e, l]) => ({ earliest: e, latest: l }));
  return { earliest, latest, lows: offsetsByPartition(earliest), highs: offsetsByPartition(latest) };
}

/**
 * `range` moved into its partition's log (see intoLog), with a WARN line
 * naming `stream` when it had to move, and the deleted offsets counted in
 * batch `time`'s `kafkaOffsetsLost`. Undefined for a partition the topic no
 * longer has.
 */
export function keepInLog(context: StreamingContext, stream: string, time: number, range: OffsetRange, ends: LogEnds): OffsetRange | undefined {
  const key = partitionKey(range);
  const [low, high] = [ends.lows.get(key), ends.highs.get(key)];
  const where = `${stream}: ${range.topic}[${range.partition}]`;
  if (low === undefined || high === undefined) {
    context.logger.warn(`${where} is not in the topic any more (was it deleted and recreated?); its offsets [${range.fromOffset}, ${range.untilOffset}) are not read.`);
    return undefined;
  }
  const moved = intoLog(range, low, high);
  if (moved === range) return range;
  if (range.untilOffset <= high && range.fromOffset <= high) {
    context.addBatchCounter(time, KAFKA_OFFSETS_LOST_COUNTER, low - range.fromOffset);
    context.logger.warn(`${where}: offsets ${range.fromOffset} to ${low - 1} were deleted from the log (retention) before they were read; reading from the log start, ${low}.`);
  } else {
    context.logger.warn(
      `${where}: offset ${Math.max(range.fromOffset, range.untilOffset - 1)} is past the end of the log (${high}), so the position was not taken in this log (the topic was deleted and recreated, or the position is another cluster's); reading the log from its start, ${low}.`,
    );
  }
  return moved;
}

/** Each position of `from` (where the next batch of a partition starts) moved into the log; partitions `from` lacks start at their log start when `include` says so. */
export function keepPositionsInLog(context: StreamingContext, stream: string, time: number, from: Map<string, number>, ends: LogEnds, include: (p: PartitionOffset) => boolean): void {
  for (const p of ends.earliest) {
    if (!include(p)) continue;
    const key = partitionKey(p);
    const position = from.get(key) ?? p.offset;
    from.set(key, keepInLog(context, stream, time, { topic: p.topic, partition: p.partition, fromOffset: position, untilOffset: position }, ends)?.fromOffset ?? position);
  }
}
