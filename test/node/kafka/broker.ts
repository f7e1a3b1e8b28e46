/**
 * The real broker the Kafka tests run against: scripts/run-tests.mjs starts
 * one per test run and exports KAFKA_BROKERS (or uses the one given). Helpers
 * here make topics with unique names, produce lines and read topics back
 * with kafkajs.
 */
import { randomUUID } from 'node:crypto';
import type { Message } from 'kafkajs';
import { Kafka, Partitioners, logLevel } from '../../../src/node/kafka/kafkajs.js';

export function kafkaBrokers(): string {
  const brokers = process.env.KAFKA_BROKERS;
  if (brokers === undefined || brokers === '') {
    throw new Error('No Kafka broker: run the Kafka tests through `node scripts/run-tests.mjs kafka` (it starts one), or set KAFKA_BROKERS=host:port');
  }
  return brokers;
}

export function testKafka(): Kafka {
  return new Kafka({ clientId: 'sluice-test', brokers: kafkaBrokers().split(','), logLevel: logLevel.NOTHING });
}

/** A new topic with a unique name, once every partition answers offset requests. */
export async function createTopic(prefix: string, partitions = 3): Promise<string> {
  const topic = `${prefix}-${randomUUID().slice(0, 8)}`;
  const admin = testKafka().admin();
  await admin.connect();
  try {
    // Not kafkajs's waitForLeaders: it retries LEADER_NOT_AVAILABLE only, while a busy KRaft broker first answers UNKNOWN_TOPIC_OR_PARTITION.
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }] });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ready = await admin.fetchTopicOffsets(topic).then(
        (offsets) => offsets.length === partitions,
        (error: unknown) => {
          if (Date.now() > deadline) throw error;
          return false;
        },
      );
      if (ready) break;
      if (Date.now() > deadline) throw new Error(`Topic ${topic} did not get its ${partitions} partitions within 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await admin.disconnect();
  }
  return topic;
}

/** Writes `lines` as record values, line i to partition i mod `partitions`. */
export async function produceLines(topic: string, lines: readonly string[], partitions = 3): Promise<void> {
  const producer = testKafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    // Sends of at most ~512 KB: one produce request must stay under the broker's 1 MiB message limit.
    let messages: Message[] = [];
    let bytes = 0;
    for (let i = 0; i < lines.length; i++) {
      const value = lines[i] as string;
      messages.push({ value, partition: i % partitions });
      bytes += value.length + 32;
      if (bytes > 512 * 1024 || i === lines.length - 1) {
        await producer.send({ topic, messages, acks: -1 });
        messages = [];
        bytes = 0;
      }
    }
  } finally {
    await producer.disconnect();
  }
}

export interface ReadRecord {
  readonly key: string | null;
  readonly value: string | null;
  readonly partition: number;
  readonly offset: number;
}

const STALL_MS = 30_000;

/**
 * Every record of `topic` up to its current end (read_committed unless `uncommitted`).
 * A transaction's commit returns before the broker writes its markers, so a
 * read right after a commit can find the stable end still short of it: a
 * read_committed read goes on while the log's end (seen in fetches) is past
 * the stable end, for at most `settleMs` (a transaction left open on purpose
 * stays unread).
 *
 * A read whose consumer makes no progress for 30 s fails, saying how far it
 * read each partition and what the consumer did.
 */
export async function readTopic(topic: string, options: { uncommitted?: boolean; settleMs?: number } = {}): Promise<ReadRecord[]> {
  const committed = options.uncommitted !== true;
  const settleMs = options.settleMs ?? 5000;
  const kafka = testKafka();
  const ends = await endOffsets(topic);
  const remaining = new Set([...ends].filter(([, end]) => end > 0).map(([p]) => p));
  const records: ReadRecord[] = [];
  const logEnds = new Map<number, number>();
  const reached = new Map<number, number>();
  const events: string[] = [];
  const consumer = kafka.consumer({ groupId: `sluice-test-reader-${randomUUID()}`, maxWaitTimeInMs: 100, readUncommitted: !committed });
  let wake: (() => void) | undefined;
  let failed: unknown;
  let stallTimer: ReturnType<typeof setTimeout> | undefined;
  const progressed = (): void => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(() => {
      const seen = [...ends].map(([p, end]) => `p${p} read to ${reached.get(p) ?? 'nothing'} of ${end}`).join(', ');
      failed = new Error(`reading ${topic}: no progress for ${STALL_MS / 1000} s with partitions ${[...remaining].join(',')} unfinished (${seen}; events: ${events.join(', ') || 'none'})`);
      wake?.();
    }, STALL_MS);
  };
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => void events.push(`joined (${payload.memberAssignment[topic]?.join(',') ?? 'nothing'} assigned)`));
  consumer.on(consumer.events.CRASH, ({ payload }) => void events.push(`crashed: ${String(payload.error)}`));
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    progressed();
    logEnds.set(payload.partition, Math.max(logEnds.get(payload.partition) ?? 0, Number(payload.highWatermark)));
    reached.set(payload.partition, Number(payload.lastOffset) + 1);
    if (Number(payload.lastOffset) + 1 >= (ends.get(payload.partition) ?? 0)) remaining.delete(payload.partition);
    if (remaining.size === 0) wake?.();
  });
  const caughtUp = async (): Promise<void> => {
    while (remaining.size > 0 && failed === undefined) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (remaining.size === 0 || failed !== undefined) resolve();
      });
    }
    if (failed !== undefined) throw failed;
  };
  try {
    if (remaining.size === 0 && !committed) return records;
    progressed();
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    void consumer
      .run({
        eachBatch: async ({ batch }) => {
          // Records past the end known now are kept: the end can still grow to them, and the consumer will not fetch them again.
          for (const m of batch.messages) {
            records.push({ key: m.key?.toString() ?? null, value: m.value?.toString() ?? null, partition: batch.partition, offset: Number(m.offset) });
          }
        },
      })
      .catch((error: unknown) => {
        failed = error;
        wake?.();
      });
    await caughtUp();
    clearTimeout(stallTimer);
    const settleBy = Date.now() + settleMs;
    while (committed) {
      const stable = await endOffsets(topic);
      const grown = [...stable].filter(([p, end]) => end > (ends.get(p) ?? 0));
      if (grown.length > 0) {
        for (const [p, end] of grown) {
          ends.set(p, end);
          // The consumer may already have fetched past the new stable end: no batch is coming to say so.
          if ((reached.get(p) ?? 0) < end) remaining.add(p);
        }
        progressed();
        await caughtUp();
        clearTimeout(stallTimer);
        continue;
      }
      const unsettled = [...logEnds].some(([p, end]) => end > (stable.get(p) ?? 0));
      if (!unsettled || Date.now() > settleBy) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return records.filter((r) => r.offset < (ends.get(r.partition) ?? 0));
  } finally {
    clearTimeout(stallTimer);
    await consumer.disconnect();
  }
}

/** The group's committed offsets of `topic`, by partition (-1: none). */
export async function committedOffsets(groupId: string, topic: string): Promise<Map<number, number>> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const [found] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((found?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  } finally {
    await admin.disconnect();
  }
}

/** The last stable offset of each partition of `topic` (kafkajs lists offsets read_committed): the high watermark when no transaction is open. */
export async function endOffsets(topic: string): Promise<Map<number, number>> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
  } finally {
    await admin.disconnect();
  }
}

/** Word counts as a JS reference computes them (Java \s whitespace, as splitWhitespace). */
export function referenceWordCounts(lines: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines) for (const word of line.split(/[ \t\n\x0B\f\r]+/)) if (word !== '') counts.set(word, (counts.get(word) ?? 0) + 1);
  return counts;
}
