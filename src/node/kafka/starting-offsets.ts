/**
 * Where a direct stream starts reading each partition (Spark's
 * ConsumerStrategies + auto.offset.reset), clamped into the log: a position
 * below the log start (deleted by retention) starts at the log start, one
 * beyond the end at the end.
 */
import { InvalidArgumentError } from '../../errors.js';
import { type PartitionOffset, partitionKey } from './client.js';

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
  const earliest = new Map(bounds.earliest.map((p) => [partitionKey(p), p.offset]));
  const committed = new Map(bounds.committed.map((p) => [partitionKey(p), p.offset]));
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
    from.set(key, Math.min(Math.max(start, low), p.offset));
  }
  return from;
}
