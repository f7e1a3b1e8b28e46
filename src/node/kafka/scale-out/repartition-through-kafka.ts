/**
 * Kafka Streams' repartition topic for sluice's scale-out mode. Keyed state
 * lives with the partition of its key (statePartition(key)); when a stream's
 * keys are not partitioned like its input (words counted from lines),
 * `repartitionThroughKafka(pairs)` writes each [key, value] of batch t to
 * partition statePartition(key) of an internal topic, in batch t's
 * transaction, and returns the pairs read back from the partitions this
 * process owns: every key then arrives at the one process that owns its
 * state. The pairs come back one batch later (batch t+1 reads what batch t
 * committed), and their offsets commit in the transaction of the batch that
 * read them, so the shuffle is exactly-once like the rest.
 *
 * The topic (default `<groupId>-repartition-<n>`) is created at start with
 * as many partitions as the source topics.
 */
import { Batch, type Pair } from '../../../batch/batch.js';
import { DStream } from '../../../engine/dstream.js';
import { InvalidArgumentError } from '../../../errors.js';
import { ForEachDStream } from '../../../stream/foreach-dstream.js';
import { changelogRecords, decodeChangelogRecord } from '../changelog/changelog-topic.js';
import type { KafkaRecord } from '../client.js';
import { KafkaDirectDStream } from '../direct-stream.js';
import type { ScaleOutGroup } from './scale-out-group.js';

/** Options of repartitionThroughKafka. */
export interface RepartitionOptions {
  /** The internal topic; default `<groupId>-repartition-<n>` (n counts the group's repartitions from 0). */
  readonly topic?: string;
}

/** The scale-out group `stream` reads in (through its Kafka direct streams). */
function scaleOutGroupOf(stream: DStream<unknown>): ScaleOutGroup | undefined {
  const seen = new Set<DStream<unknown>>();
  const visit = (s: DStream<unknown>): ScaleOutGroup | undefined => {
    if (seen.has(s)) return undefined;
    seen.add(s);
    if (s instanceof KafkaDirectDStream && s.scaleOutGroup !== undefined) return s.scaleOutGroup;
    for (const parent of s.dependencies) {
      const found = visit(parent);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return visit(stream);
}

/** The pairs of the repartition topic's records (see the module comment). */
class RepartitionedDStream<K, V> extends DStream<Pair<K, V>> {
  readonly dependencies: readonly DStream<unknown>[];

  constructor(private readonly records: DStream<KafkaRecord>) {
    super(records.context);
    this.dependencies = [records];
  }

  compute(time: number): Batch<Pair<K, V>> | undefined {
    const batch = this.records.getOrCompute(time);
    if (batch === undefined) return undefined;
    return Batch.fromPartitions(
      batch.partitions.map((part) => {
        const pairs: Pair<K, V>[] = [];
        for (const record of part) {
          // The changelog's record format: key = the key's bytes, value = its value (never null: pairs hold values).
          const [key, value] = decodeChangelogRecord(record);
          if (value !== undefined) pairs.push([key as K, value as V]);
        }
        return pairs;
      }),
    );
  }
}

/** Sends `pairs` through a Kafka repartition topic to the processes that own their keys (see the module comment). */
export function repartitionThroughKafka<K, V>(pairs: DStream<Pair<K, V>>, options: RepartitionOptions = {}): DStream<Pair<K, V>> {
  const group = scaleOutGroupOf(pairs);
  if (group === undefined) {
    throw new InvalidArgumentError('repartitionThroughKafka needs a stream read with kafkaDirectStream(ssc, { ..., scaleOut: true }) (its group owns the repartition topic)');
  }
  const topic = options.topic ?? `${group.groupId}-repartition-${group.repartitionCount}`;
  if (typeof topic !== 'string' || topic === '') throw new InvalidArgumentError(`repartitionThroughKafka: topic must be a non-empty string, got ${JSON.stringify(options.topic)}`);
  group.addRepartitionTopic(topic);
  new ForEachDStream(pairs, async (batch: Batch<Pair<K, V>>, time: number) => {
    const records = changelogRecords(batch.collect(), group.partitions);
    if (records.length === 0) return;
    const tx = await group.transactionFor(time);
    await tx.send(topic, records);
  }).register();
  const records = new KafkaDirectDStream(pairs.context, { brokers: [], client: group.client, topics: topic, groupId: group.groupId, scaleOut: true });
  return new RepartitionedDStream<K, V>(records);
}
