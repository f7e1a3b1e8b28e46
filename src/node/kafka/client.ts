/**
 * The small client interface the Kafka direct stream and sink are written
 * against, so another Kafka client can be swapped in for kafkajs (see
 * kafkajs-client.ts). Offsets are plain numbers (safe up to 2^53).
 */

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** An offset of one partition (a position: the next offset to read). */
export interface PartitionOffset extends TopicPartition {
  readonly offset: number;
}

/** One batch's slice of a partition: offsets [fromOffset, untilOffset) (Spark's OffsetRange). */
export interface OffsetRange extends TopicPartition {
  readonly fromOffset: number;
  readonly untilOffset: number;
}

/** A record read from Kafka. `key` and `value` are bytes, null when absent (a tombstone has a null value). */
export interface KafkaRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** Milliseconds since the epoch (create or log-append time, as the topic is configured). */
  readonly timestamp: number;
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly headers: Readonly<Record<string, Uint8Array | readonly Uint8Array[] | undefined>>;
}

/** A record to write. Strings are written as UTF-8. */
export interface OutgoingRecord {
  readonly key?: Uint8Array | string | null;
  readonly value: Uint8Array | string | null;
  /** Default: by key hash (murmur2, as Kafka's Java client), round-robin without a key. */
  readonly partition?: number;
  readonly headers?: Readonly<Record<string, Uint8Array | string>>;
}

/** A committed position with the metadata string committed beside it (scale-out: the committer's transactional id). */
export interface CommittedOffset extends PartitionOffset {
  readonly metadata: string | null;
}

/** Consumed positions to commit for a consumer group (the next offset to read, per partition), each with optional metadata. */
export interface GroupOffsets {
  readonly groupId: string;
  readonly offsets: readonly (PartitionOffset & { readonly metadata?: string })[];
}

/** Reads exact offset ranges. Records of aborted transactions and control records are skipped (read_committed). */
export interface RangeReader {
  /** The records of each range, in offset order, one array per range (same order as `ranges`). */
  read(ranges: readonly OffsetRange[]): Promise<KafkaRecord[][]>;
  close(): Promise<void>;
}

/** One open Kafka transaction of a transactional producer. */
export interface KafkaTransaction {
  send(topic: string, records: readonly OutgoingRecord[]): Promise<void>;
  /** Commits the records sent and, when given, the group offsets, atomically. */
  commit(offsets?: GroupOffsets): Promise<void>;
  abort(): Promise<void>;
}

/** A plain (idempotent) producer. */
export interface KafkaProducerPort {
  /** Idempotent, acknowledged by all in-sync replicas; not part of any transaction. */
  send(topic: string, records: readonly OutgoingRecord[]): Promise<void>;
  close(): Promise<void>;
}

/** A producer with a stable transactional id. */
export interface TransactionalProducerPort {
  /**
   * Fences earlier producers with the same transactional id (their open
   * transaction is aborted, later writes of theirs refused); call once before
   * the first transaction.
   */
  fence(): Promise<void>;
  begin(): Promise<KafkaTransaction>;
  close(): Promise<void>;
}

/** What sluice needs from a Kafka client (kafkajs by default; see kafkajs-client.ts). */
export interface KafkaClient {
  /** Partitions of each topic (throws ERR_SLUICE_KAFKA_UNKNOWN_TOPIC for a missing topic). */
  partitions(topics: readonly string[]): Promise<TopicPartition[]>;
  /** The last stable offset of each partition (the end a read_committed reader may read up to). */
  latestOffsets(topics: readonly string[]): Promise<PartitionOffset[]>;
  /** The log start offset of each partition. */
  earliestOffsets(topics: readonly string[]): Promise<PartitionOffset[]>;
  /** Both ends of each partition's log in one call (optional: without it, earliestOffsets and latestOffsets are both called). */
  logBounds?(topics: readonly string[]): Promise<{ earliest: PartitionOffset[]; latest: PartitionOffset[] }>;
  /** The group's committed offsets; partitions without a commit are left out. */
  committedOffsets(groupId: string, topics: readonly string[]): Promise<PartitionOffset[]>;
  /** The group's committed offsets with their metadata (null where none was committed); partitions without a commit are left out. */
  committedOffsetsWithMetadata(groupId: string, topics: readonly string[]): Promise<CommittedOffset[]>;
  /**
   * Fences every producer that used `transactionalId`: its open transaction
   * is aborted and its later sends and commits fail ERR_SLUICE_KAFKA_FENCED.
   */
  fenceTransactionalId(transactionalId: string): Promise<void>;
  rangeReader(topics: readonly string[]): Promise<RangeReader>;
  producer(): Promise<KafkaProducerPort>;
  /** `transactionTimeoutMs`: how long the broker waits for a crashed producer before aborting its transaction. */
  transactionalProducer(transactionalId: string, options?: { transactionTimeoutMs?: number }): Promise<TransactionalProducerPort>;
  close(): Promise<void>;

  // Scale-out internal topics (changelog and repartition topics).
  /** Creates each topic that does not exist yet (an existing one is left as it is, whatever its settings); resolves once the new ones have leaders. */
  createTopics(topics: readonly NewTopic[]): Promise<void>;
}

/** A topic to create (scale-out's changelog and repartition topics). */
export interface NewTopic {
  readonly topic: string;
  readonly partitions: number;
  /** Default: the broker's default.replication.factor. */
  readonly replicationFactor?: number;
  /** Topic settings, e.g. { 'cleanup.policy': 'compact' }. */
  readonly config?: Readonly<Record<string, string>>;
}

/** 'topic:partition', the key of a partition in maps. */
export function partitionKey(tp: TopicPartition): string {
  return `${tp.topic}:${tp.partition}`;
}

/** Offsets by partitionKey. */
export function offsetsByPartition(offsets: readonly PartitionOffset[]): Map<string, number> {
  return new Map(offsets.map((p) => [partitionKey(p), p.offset]));
}
