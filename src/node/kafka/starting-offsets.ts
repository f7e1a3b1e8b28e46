/**
 * Where a direct stream starts reading each partition (Spark's
 * ConsumerStrategies + auto.offset.reset). A position outside the log is
 * returned as it is: the stream moves it into the log at its first batch,
 * and says so (see intoLog in offset-ranges.ts).
 */
import { InvalidArgumentError, KafkaError } from '../../errors.js';
import { type PartitionOffset, offsetsByPartition, partitionKey } from './client.js';

/** 'committed' (the group's offsets), 'earliest', 'latest', or explicit offsets `{ topic: { partition: offset } }`. */
export type StartingOffsets = 'committed' | 'earliest' | 'latest' | Readonly<Record<string, Readonly<Record<number, number>>>>;

export function checkStartingOffsets(value: unknown): void {
  if (value === undefined || value === 'committed' || value === 'earliest' || value === 'latest') return;
  const valid =
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every(
      (partitions) =>
        typeof partitions === 'object' &&
        partitions !== null &&
        Object.entries(partitions).every(([p, o]) => /^\d+$/.test(p) && Number.isSafeInteger(o) && (o as number) >= 0),
    );
  if (!valid) {
    throw new InvalidArgumentError(
      `startingOffsets must be 'committed', 'earliest', 'latest' or { topic: { partition: offset } } with non-negative whole offsets, got ${JSON.stringify(value)}`,
    );
  }
}

export interface LogBounds {
  readonly earliest: readonly PartitionOffset[];
  readonly latest: readonly PartitionOffset[];
  /** The group's committed offsets (partitions without a commit left out). */
  readonly committed: readonly PartitionOffset[];
}

/**
 * The start of every partition in `bounds.latest`: `preferred` (a recovered
 * position or, in exactly-once mode, the committed offsets) where it has the
 * partition, else what `starting` says; `reset` where 'committed' has no offset.
 */
export function startingPositions(starting: StartingOffsets, reset: 'earliest' | 'latest', bounds: LogBounds, preferred?: ReadonlyMap<string, number>): Map<string, number> {
  const earliest = offsetsByPartition(bounds.earliest);
  const committed = offsetsByPartition(bounds.committed);
  const from = new Map<string, number>();
  for (const p of bounds.latest) {
    const key = partitionKey(p);
    const low = earliest.get(key) ?? 0;
    const fallback = reset === 'earliest' ? low : p.offset;
    let start: number;
    if (preferred?.has(key) === true) start = preferred.get(key) as number;
    else if (starting === 'earliest') start = low;
    else if (starting === 'latest') start = p.offset;
    else if (starting === 'committed') start = committed.get(key) ?? fallback;
    else start = starting[p.topic]?.[p.partition] ?? fallback;
    from.set(key, start);
  }
  return from;
}

/**
 * Explicit startingOffsets must name partitions of the stream's topics and
 * offsets inside their logs (from the log start to the latest stable offset):
 * Spark fails such a batch, and sluice will not guess what was meant.
 * Partitions `preferred` has (a recovered position) are not checked: that
 * position is used instead.
 */
export function checkExplicitOffsets(starting: StartingOffsets, bounds: LogBounds, preferred?: ReadonlyMap<string, number>): void {
  if (typeof starting !== 'object') return;
  const lows = offsetsByPartition(bounds.earliest);
  const highs = offsetsByPartition(bounds.latest);
  for (const [topic, partitions] of Object.entries(starting)) {
    for (const [partition, offset] of Object.entries(partitions)) {
      const key = partitionKey({ topic, partition: Number(partition) });
      if (preferred?.has(key) === true) continue;
      const [low, high] = [lows.get(key), highs.get(key)];
      if (low === undefined || high === undefined) {
        throw new KafkaError('ERR_SLUICE_KAFKA_UNKNOWN_TOPIC', `startingOffsets names partition ${partition} of topic ${topic}, which is not a partition of the topics this stream reads. Name only partitions of its topics.`);
      }
      if (offset < low || offset > high) {
        throw new KafkaError(
          'ERR_SLUICE_KAFKA_OFFSET_OUT_OF_RANGE',
          `startingOffsets asks for offset ${offset} of ${topic}[${partition}], whose log runs from offset ${low} to its end at ${high}${offset < low ? ' (retention deleted the offsets before it)' : ''}. Give an offset from ${low} to ${high}, or 'earliest' or 'latest'.`,
        );
      }
    }
  }
}
