/**
 * Reads the state of some partitions back from an operator's changelog
 * topic: each partition from its log start to its last stable offset, with
 * read_committed (records of aborted transactions, such as a fenced
 * process's last batch, are skipped). The last record of each key wins; a
 * tombstone (null value) removes the key. Only the surviving values are
 * decoded.
 */
import type { KafkaClient, OffsetRange, RangeReader } from '../client.js';
import { INITIAL_STATE_LOADED_KEY, changelogCorrupt, decodeChangelogKeyText, decodeChangelogValue } from './changelog-topic.js';

export interface RestoredState {
  /** `[key, state]` of every key with state, partition by partition, each in the order its keys first appeared. */
  readonly entries: [unknown, unknown][];
  /**
   * The partitions read that hold any record (state, tombstone, or the
   * "initial state loaded" marker, which is not an entry): a partition
   * without one was never written, so its initial state was never loaded.
   */
  readonly written: number[];
  /** Changelog records read (tombstones and overwritten states included). */
  readonly records: number;
  /** Bytes of those records' keys and values. */
  readonly bytes: number;
  readonly ms: number;
}

export interface RestoreOptions {
  /** Offsets read per request and partition, bounding memory while records are folded; default 50,000. */
  readonly chunkRecords?: number;
  /**
   * A reader of `topic` (client.rangeReader([...changelog topics])) kept open across restores and left open
   * here: each new reader joins a consumer group of its own first, which costs the broker's
   * group.initial.rebalance.delay.ms (3 s by default). Default: a reader made and closed for this restore.
   */
  readonly reader?: RangeReader;
}

export async function restoreChangelog(client: KafkaClient, topic: string, partitions: readonly number[], options: RestoreOptions = {}): Promise<RestoredState> {
  const started = performance.now();
  const chunk = options.chunkRecords ?? 50_000;
  const wanted = new Set(partitions);
  const [starts, ends] = await Promise.all([client.earliestOffsets([topic]), client.latestOffsets([topic])]);
  const endOf = new Map(ends.map((p) => [p.partition, p.offset]));
  let pending: OffsetRange[] = starts
    .filter((p) => wanted.has(p.partition))
    .map((p) => ({ topic, partition: p.partition, fromOffset: p.offset, untilOffset: endOf.get(p.partition) ?? p.offset }))
    .filter((r) => r.untilOffset > r.fromOffset);
  // Per partition: the raw value of each key's last record, by the key's text (unique per key).
  const latest = new Map<number, Map<string, Uint8Array>>();
  const written = new Set<number>();
  let records = 0;
  let bytes = 0;
  if (pending.length > 0) {
    const reader = options.reader ?? (await client.rangeReader([topic]));
    try {
      while (pending.length > 0) {
        const ranges = pending.map((r) => ({ ...r, untilOffset: Math.min(r.untilOffset, r.fromOffset + chunk) }));
        const read = await reader.read(ranges);
        ranges.forEach((range, i) => {
          let values = latest.get(range.partition);
          if (values === undefined) latest.set(range.partition, (values = new Map()));
          for (const record of read[i] ?? []) {
            records++;
            bytes += (record.key?.byteLength ?? 0) + (record.value?.byteLength ?? 0);
            if (record.key === null) throw changelogCorrupt(`${topic}[${record.partition}]@${record.offset}`, 'it has no key');
            // The key's text is what gets parsed at the end (sluice writes keys as UTF-8 JSON, one text per key).
            written.add(range.partition);
            const keyText = utf8Of(record.key);
            if (keyText === INITIAL_STATE_LOADED_KEY) continue;
            if (record.value === null) values.delete(keyText);
            else values.set(keyText, record.value);
          }
        });
        pending = pending.map((r, i) => ({ ...r, fromOffset: (ranges[i] as OffsetRange).untilOffset })).filter((r) => r.untilOffset > r.fromOffset);
      }
    } finally {
      if (options.reader === undefined) await reader.close();
    }
  }
  const entries: [unknown, unknown][] = [];
  for (const [partition, values] of [...latest].sort(([a], [b]) => a - b)) {
    for (const [keyText, value] of values) {
      const where = (): string => `${topic}[${partition}] key ${keyText}`;
      entries.push([decodeChangelogKeyText(keyText, where), decodeChangelogValue(value, where)]);
    }
  }
  return { entries, written: [...written].sort((a, b) => a - b), records, bytes, ms: performance.now() - started };
}

/** kafkajs hands Buffers over: decode those in place, view other byte arrays as one. */
function utf8Of(bytes: Uint8Array): string {
  return (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).toString('utf8');
}
