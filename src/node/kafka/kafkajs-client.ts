/**
 * The KafkaClient of client.ts on kafkajs 2.2. What is set here, and why
 * (see the project's Kafka notes):
 * - producers name the Java-compatible murmur2 partitioner (and so log no
 *   "default partitioner changed" warning);
 * - transactional producers are idempotent with one request in flight and
 *   retry forever (a `retry` without `retries` would silently drop to 5),
 *   retrying quickly because a transaction begun right after a commit is
 *   refused once with CONCURRENT_TRANSACTIONS;
 * - the first transaction() + abort() is what fences an earlier producer
 *   with the same id (connect() alone does not);
 * - latest offsets are the last stable offsets (ListOffsets read_committed).
 */
import type { Admin, KafkaConfig, Message, Producer } from 'kafkajs';
import { Kafka, Partitioners, logLevel } from './kafkajs.js';
import type {
  CommittedOffset, GroupOffsets, KafkaClient, KafkaProducerPort, KafkaTransaction, OutgoingRecord, PartitionOffset, RangeReader, TopicPartition, TransactionalProducerPort,
} from './client.js';
import type { NewTopic } from './client.js';
import { KafkaError, SluiceError } from '../../errors.js';
import { toKafkaError } from './kafka-errors.js';
import { KafkajsRangeReader, type RangeReaderOptions } from './kafkajs-range-reader.js';

/** Where the kafkajs client connects, and kafkajs settings of its own. */
export interface KafkajsClientOptions extends RangeReaderOptions {
  /** Bootstrap brokers, e.g. ['127.0.0.1:9092']. */
  readonly brokers: readonly string[];
  /** More kafkajs settings (ssl, sasl, clientId, logLevel, logCreator, retry...), merged over sluice's. */
  readonly kafkajs?: Omit<KafkaConfig, 'brokers'>;
}

/** The KafkaClient on kafkajs (the default client of the direct stream and the sink). */
export function kafkajsClient(options: KafkajsClientOptions): KafkaClient {
  return new KafkajsClient(options);
}

function toMessage(record: OutgoingRecord): Message {
  const bytes = (v: Uint8Array | string): Buffer | string => (typeof v === 'string' ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength));
  const message: Message = { value: record.value === null ? null : bytes(record.value) };
  if (record.key !== undefined) message.key = record.key === null ? null : bytes(record.key);
  if (record.partition !== undefined) message.partition = record.partition;
  if (record.headers !== undefined) message.headers = Object.fromEntries(Object.entries(record.headers).map(([k, v]) => [k, bytes(v)]));
  return message;
}

const FOREVER = { initialRetryTime: 20, maxRetryTime: 1000, retries: Number.MAX_SAFE_INTEGER };

class KafkajsClient implements KafkaClient {
  private readonly kafka: Kafka;
  private adminConnection: Promise<Admin> | undefined;
  /** Settles when the admin request before the next one has (see call()). */
  private adminTurn: Promise<unknown> = Promise.resolve();
  private readonly closers = new Set<() => Promise<void>>();
  /** After close(), nothing reconnects (a read still under way for a cancelled batch must not open a new connection). */
  private closed = false;

  constructor(private readonly options: KafkajsClientOptions) {
    this.kafka = new Kafka({
      clientId: 'sluice',
      // sluice retries what may pass and reports every failure to the listener (and as coded errors); kafkajs's own
      // log repeats those as ERROR lines (even the CONCURRENT_TRANSACTIONS it retries after every commit). Opt in with clientOptions.logLevel.
      logLevel: logLevel.NOTHING,
      retry: { initialRetryTime: 100, maxRetryTime: 2000, retries: 5 },
      ...options.kafkajs,
      brokers: [...options.brokers],
    });
  }

  private checkOpen(): void {
    if (this.closed) throw new KafkaError('ERR_SLUICE_KAFKA', 'This Kafka client was closed (its stream stopped); create a new stream to read again.');
  }

  private async admin(): Promise<Admin> {
    this.checkOpen();
    this.adminConnection ??= (async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      this.closers.add(() => admin.disconnect());
      return admin;
    })();
    try {
      return await this.adminConnection;
    } catch (error) {
      this.adminConnection = undefined;
      throw error;
    }
  }

  /**
   * Admin requests run one at a time. kafkajs's admin keeps one metadata
   * cache: a fetchTopicMetadata for some topics (the first send to an
   * output topic looks it up) running beside a fetchTopicOffsets for
   * another can refresh that topic out of the cache mid-call, and the
   * offsets fail with "Cannot destructure property 'partitions' of
   * 'low.pop(...)'", failing the batch.
   */
  private call<R>(what: string, run: (admin: Admin) => Promise<R>): Promise<R> {
    const result = this.adminTurn.then(async () => {
      try {
        return await run(await this.admin());
      } catch (error) {
        throw toKafkaError(error, what);
      }
    });
    this.adminTurn = result.catch(() => undefined);
    return result;
  }

  partitions(topics: readonly string[]): Promise<TopicPartition[]> {
    return this.call(`describing topics ${topics.join(', ')}`, async (admin) => {
      const { topics: found } = await admin.fetchTopicMetadata({ topics: [...topics] });
      return found.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionId }))).sort(byTopicPartition);
    });
  }

  async latestOffsets(topics: readonly string[]): Promise<PartitionOffset[]> {
    return (await this.offsets(topics, 'high'))[0] as PartitionOffset[];
  }

  async earliestOffsets(topics: readonly string[]): Promise<PartitionOffset[]> {
    return (await this.offsets(topics, 'low'))[0] as PartitionOffset[];
  }

  // kafkajs's fetchTopicOffsets asks for both ends anyway.
  async logBounds(topics: readonly string[]): Promise<{ earliest: PartitionOffset[]; latest: PartitionOffset[] }> {
    const [earliest, latest] = await this.offsets(topics, 'low', 'high');
    return { earliest: earliest as PartitionOffset[], latest: latest as PartitionOffset[] };
  }

  private async offsets(topics: readonly string[], ...ends: ('high' | 'low')[]): Promise<PartitionOffset[][]> {
    return this.call(`reading the offsets of ${topics.join(', ')}`, async (admin) => {
      const all = await Promise.all(topics.map(async (topic) => ({ topic, partitions: await admin.fetchTopicOffsets(topic) })));
      return ends.map((end) => all.flatMap(({ topic, partitions }) => partitions.map((p) => ({ topic, partition: p.partition, offset: Number(p[end]) }))).sort(byTopicPartition));
    });
  }

  async committedOffsets(groupId: string, topics: readonly string[]): Promise<PartitionOffset[]> {
    return (await this.committedOffsetsWithMetadata(groupId, topics)).map(({ topic, partition, offset }) => ({ topic, partition, offset }));
  }

  committedOffsetsWithMetadata(groupId: string, topics: readonly string[]): Promise<CommittedOffset[]> {
    return this.call(`reading group ${groupId}'s committed offsets`, async (admin) => {
      const found = await admin.fetchOffsets({ groupId, topics: [...topics] });
      return found
        .flatMap(({ topic, partitions }) => partitions.map((p) => ({ topic, partition: p.partition, offset: Number(p.offset), metadata: p.metadata === '' ? null : p.metadata })))
        .filter((p) => p.offset >= 0)
        .sort(byTopicPartition);
    });
  }

  async fenceTransactionalId(transactionalId: string): Promise<void> {
    const producer = await this.transactionalProducer(transactionalId);
    try {
      await producer.fence();
    } finally {
      await producer.close();
    }
  }

  async rangeReader(topics: readonly string[]): Promise<RangeReader> {
    this.checkOpen();
    const reader = new KafkajsRangeReader(this.kafka, topics, this.options);
    await reader.start();
    const close = (): Promise<void> => reader.close();
    this.closers.add(close);
    return {
      read: (ranges) => reader.read(ranges),
      close: async () => {
        this.closers.delete(close);
        await close();
      },
    };
  }

  async producer(): Promise<KafkaProducerPort> {
    const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner, retry: FOREVER });
    await this.connect(producer, 'connecting a producer');
    return {
      send: async (topic, records) => {
        try {
          await this.checkPartitions(topic, records);
          await producer.send({ topic, messages: records.map(toMessage), acks: -1 });
        } catch (error) {
          throw toKafkaError(error, `writing to topic ${topic}`);
        }
      },
      close: () => this.disconnect(producer),
    };
  }

  async transactionalProducer(transactionalId: string, options: { transactionTimeoutMs?: number } = {}): Promise<TransactionalProducerPort> {
    const producer = this.kafka.producer({
      transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: options.transactionTimeoutMs ?? 10_000,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: FOREVER,
    });
    await this.connect(producer, `connecting transactional producer ${transactionalId}`);
    const begin = async (): Promise<KafkaTransaction> => {
      const tx = await producer.transaction().catch((error: unknown) => {
        throw toKafkaError(error, `beginning a transaction of ${transactionalId}`);
      });
      const guard = async (what: string, run: () => Promise<unknown>): Promise<void> => {
        try {
          await run();
        } catch (error) {
          throw toKafkaError(error, `${what} (transactional id ${transactionalId})`);
        }
      };
      return {
        send: (topic, records) =>
          guard(`writing to topic ${topic}`, async () => {
            await this.checkPartitions(topic, records);
            await tx.send({ topic, messages: records.map(toMessage), acks: -1 });
          }),
        commit: (offsets?: GroupOffsets) =>
          guard('committing a transaction', async () => {
            if (offsets !== undefined && offsets.offsets.length > 0) await retryConcurrent(() => tx.sendOffsets({ consumerGroupId: offsets.groupId, topics: offsetsByTopic(offsets.offsets) }));
            await tx.commit();
          }),
        abort: () => guard('aborting a transaction', () => tx.abort()),
      };
    };
    return {
      fence: async () => (await begin()).abort(),
      begin,
      close: () => this.disconnect(producer),
    };
  }

  // Scale-out internal topics. One request per topic, each followed by a wait for its leaders (see awaitLeaders).
  async createTopics(topics: readonly NewTopic[]): Promise<void> {
    for (const { topic, partitions, replicationFactor, config } of topics) {
      await this.call(`creating topic ${topic}`, (admin) =>
        admin.createTopics({
          topics: [{
            topic,
            numPartitions: partitions,
            ...(replicationFactor === undefined ? {} : { replicationFactor }),
            configEntries: Object.entries(config ?? {}).map(([name, value]) => ({ name, value })),
          }],
          waitForLeaders: false,
        }),
      );
      await this.awaitLeaders(topic);
    }
  }

  /**
   * Waits until every partition of `topic` has a leader that answers. A topic just
   * created — here, or by another process of the group at the same moment
   * (which then gets TOPIC_ALREADY_EXISTS) — is briefly unknown to the
   * broker's metadata or leaderless; kafkajs's own wait retries only the latter.
   */
  private async awaitLeaders(topic: string, timeoutMs = 30_000): Promise<void> {
    const giveUpAt = Date.now() + timeoutMs;
    for (;;) {
      try {
        const { topics: [found] } = await this.call(`describing topic ${topic}`, (admin) => admin.fetchTopicMetadata({ topics: [topic] }));
        if (found !== undefined && found.partitions.length > 0 && found.partitions.every((p) => p.leader >= 0)) {
          // The leaders named in the metadata may not act as leaders yet (NOT_LEADER_FOR_PARTITION); listing offsets proves they do.
          await this.offsets([topic], 'high');
          return;
        }
      } catch (error) {
        const settling = error instanceof SluiceError && (error.code === 'ERR_SLUICE_KAFKA_UNKNOWN_TOPIC' || error.retriable);
        if (!settling || Date.now() > giveUpAt) throw error;
      }
      if (Date.now() > giveUpAt) {
        throw new KafkaError('ERR_SLUICE_KAFKA_BROKER_DOWN', `Topic ${topic} still has partitions without a leader after ${timeoutMs} ms; check the brokers.`, { retriable: true });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Partition count of each topic written to with explicit partitions (refreshed when a record names a higher one). */
  private readonly partitionCounts = new Map<string, number>();

  /**
   * kafkajs silently drops records addressed to a partition the topic does
   * not have (the send and the commit still succeed), so records with an
   * explicit partition are checked against the topic's partition count first.
   * The first send to a topic looks it up even without one: sluice's producers
   * retry forever, and kafkajs retries a send to a missing topic as if it were
   * about to appear, so the send (and a Ctrl-C waiting on it) would never end.
   */
  private async checkPartitions(topic: string, records: readonly OutgoingRecord[]): Promise<void> {
    let highest = -1;
    for (const record of records) if (record.partition !== undefined && record.partition > highest) highest = record.partition;
    const known = this.partitionCounts.get(topic);
    if (known !== undefined && highest < known) return;
    const count = (await this.partitions([topic])).length;
    this.partitionCounts.set(topic, count);
    if (highest >= count) {
      throw new KafkaError(
        'ERR_SLUICE_KAFKA_UNKNOWN_TOPIC',
        `A record is addressed to partition ${highest} of topic ${topic}, which has ${count} partitions (Kafka's client would drop it silently). ` +
          'Give the topic as many partitions as the records need, or let the key choose the partition.',
      );
    }
  }

  private readonly producerClosers = new Map<Producer, () => Promise<void>>();

  private async connect(producer: Producer, what: string): Promise<void> {
    this.checkOpen();
    try {
      await producer.connect();
    } catch (error) {
      await producer.disconnect().catch(() => undefined);
      throw toKafkaError(error, what);
    }
    const close = (): Promise<void> => producer.disconnect();
    this.producerClosers.set(producer, close);
    this.closers.add(close);
  }

  private async disconnect(producer: Producer): Promise<void> {
    const close = this.producerClosers.get(producer);
    if (close === undefined) return;
    this.producerClosers.delete(producer);
    this.closers.delete(close);
    await close();
  }

  async close(): Promise<void> {
    this.closed = true;
    const closers = [...this.closers];
    this.closers.clear();
    this.adminConnection = undefined;
    await Promise.allSettled(closers.map((close) => close()));
  }
}

/**
 * kafkajs does not retry AddOffsetsToTxn: right after the previous commit the
 * coordinator answers CONCURRENT_TRANSACTIONS until that commit's markers are
 * written (tens of ms), so back-to-back batches need a short retry here.
 */
async function retryConcurrent(run: () => Promise<void>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if ((error as { type?: string }).type !== 'CONCURRENT_TRANSACTIONS' || attempt >= 40) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(20 * 2 ** Math.min(attempt, 4), 250)));
    }
  }
}

/** The shape of kafkajs's sendOffsets (TxnOffsetCommit passes each partition's metadata through to the group). */
function offsetsByTopic(offsets: GroupOffsets['offsets']): { topic: string; partitions: { partition: number; offset: string; metadata: string | null }[] }[] {
  const topics = new Map<string, { partition: number; offset: string; metadata: string | null }[]>();
  for (const { topic, partition, offset, metadata } of offsets) {
    const list = topics.get(topic) ?? [];
    list.push({ partition, offset: String(offset), metadata: metadata ?? null });
    topics.set(topic, list);
  }
  return [...topics].map(([topic, partitions]) => ({ topic, partitions }));
}

export function byTopicPartition(a: TopicPartition, b: TopicPartition): number {
  return a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1;
}
