/**
 * Exact offset ranges with kafkajs, which has no assign(): one long-lived
 * group consumer (in a group of its own, so a restarted process never waits
 * for a dead member's session to expire) keeps every partition paused; a
 * read seeks each partition to its range's start, resumes it, keeps the
 * records below the range's end and pauses it again once the range is
 * covered.
 *
 * A range can end on, or hold only, control records or aborted records,
 * which never reach eachBatch; kafkajs then only emits END_BATCH_PROCESS, so
 * coverage is also taken from that event. A fetch answers from the offset it
 * asked for (`fetchedOffset`) up to `lastOffset()` (control records
 * included), so a batch that started at or before where a range stands
 * covers it up to its last offset. Records are taken only once each
 * (`next` only grows), so a stale fetch from before a seek cannot duplicate them.
 * END_BATCH_PROCESS comes after eachBatch returns, possibly once the read
 * that batch completed has returned and the next one (on the same record
 * batch, e.g. ranges [0, 37) then [37, 74)) has begun: it counts only for
 * the read that was pending when the batch began (START_BATCH_PROCESS), or
 * it would cover the next range without its records.
 *
 * Partitions added to a topic: kafkajs's consumer learns of them only when
 * its metadata expires (5 min) and would never fetch them before, so a read
 * naming a partition the consumer was not assigned starts a new consumer.
 *
 * Broker restarts: a consumer that crashed is not restarted by kafkajs (it
 * would rejoin the same group, and wait up to a session timeout, 30 s, for
 * its pre-restart self to be expelled); the read under way fails, and the
 * next read starts a new consumer in a new group of its own. A rejoin after
 * a rebalance seeks the partitions of a read under way again where it stands.
 */
import { randomUUID } from 'node:crypto';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { KafkaError } from '../../errors.js';
import { type KafkaRecord, type OffsetRange, type RangeReader, partitionKey } from './client.js';
import { toKafkaError } from './kafka-errors.js';

/** One range being read. */
interface Slot {
  readonly range: OffsetRange;
  next: number;
  readonly records: KafkaRecord[];
}

interface PendingRead {
  readonly slots: Map<string, Slot>;
  remaining: number;
  progressAt: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export interface RangeReaderOptions {
  /** A read that makes no progress for this long fails (retriably). Default 30 s. */
  readonly stallTimeoutMs?: number;
  /** How long the consumer may take to join its group. Default 60 s. */
  readonly joinTimeoutMs?: number;
}

export class KafkajsRangeReader implements RangeReader {
  private consumer!: Consumer;
  /** In its group (joined, not crashed since). */
  private joined = false;
  /** Why kafkajs gave up on the consumer (the next read starts a new one). */
  private dead: unknown;
  private closed = false;
  private pending: PendingRead | undefined;
  private assigned: { topic: string; partitions: number[] }[] = [];
  private stallTimer: ReturnType<typeof setInterval> | undefined;
  /** Per partition, the read that was pending when kafkajs began processing its current fetch batch. */
  private readonly batchStartedIn = new Map<string, PendingRead | undefined>();
  private readonly stallTimeoutMs: number;
  private readonly joinTimeoutMs: number;

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: readonly string[],
    options: RangeReaderOptions = {},
  ) {
    this.stallTimeoutMs = options.stallTimeoutMs ?? 30_000;
    this.joinTimeoutMs = options.joinTimeoutMs ?? 60_000;
  }

  async start(): Promise<void> {
    // maxWaitTimeInMs: with every partition paused, kafkajs sleeps this long between fetch rounds (default 5 s).
    const consumer = this.kafka.consumer({
      groupId: `sluice-range-reader-${randomUUID()}`,
      maxWaitTimeInMs: 100,
      allowAutoTopicCreation: false,
      readUncommitted: false,
      retry: { retries: 5, restartOnFailure: async () => false },
    });
    this.consumer = consumer;
    this.joined = false;
    this.dead = undefined;
    let joined!: () => void;
    let gaveUp!: (error: unknown) => void;
    const join = new Promise<void>((resolve, reject) => {
      joined = resolve;
      gaveUp = reject;
    });
    // Observed by the race below; a crash before that must not count as unhandled.
    join.catch(() => undefined);
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      if (consumer !== this.consumer) return;
      this.assigned = Object.entries(payload.memberAssignment).map(([topic, partitions]) => ({ topic, partitions }));
      this.joined = true;
      this.pauseIdle();
      this.seekPending();
      joined();
    });
    consumer.on(consumer.events.START_BATCH_PROCESS, ({ payload }) => {
      if (consumer !== this.consumer) return;
      this.batchStartedIn.set(partitionKey(payload), this.pending);
    });
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (consumer !== this.consumer) return;
      const key = partitionKey(payload);
      const startedIn = this.batchStartedIn.get(key);
      this.batchStartedIn.delete(key);
      // A batch that began during an earlier read (the read it completed already returned) says nothing about this one's range.
      if (startedIn === undefined || startedIn !== this.pending) return;
      this.cover(payload.topic, payload.partition, Number(payload.firstOffset ?? Number.NaN), Number(payload.lastOffset));
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (consumer !== this.consumer) return;
      this.joined = false;
      this.dead = payload.error;
      gaveUp(payload.error);
      this.fail(payload.error);
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [...this.topics], fromBeginning: false });
      // Auto-resolve moves the consumer's own position past each fetched batch (nothing is committed); without it
      // kafkajs fetches the same batch again, and a range longer than one fetch would never be covered.
      await consumer.run({ autoCommit: false, eachBatchAutoResolve: true, eachBatch: async (payload) => this.onBatch(payload) });
    } catch (error) {
      this.dead = error;
      await consumer.disconnect().catch(() => undefined);
      throw toKafkaError(error, `subscribing to ${this.topics.join(', ')}`);
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new KafkaError('ERR_SLUICE_KAFKA_COORDINATOR', `The Kafka reader did not join its consumer group within ${this.joinTimeoutMs} ms; check the group coordinator.`, { retriable: true })), this.joinTimeoutMs);
    });
    try {
      await Promise.race([join, timeout]);
    } catch (error) {
      this.dead ??= error;
      throw toKafkaError(error, `joining the reader's consumer group for ${this.topics.join(', ')}`);
    } finally {
      clearTimeout(timer);
    }
  }

  async read(ranges: readonly OffsetRange[]): Promise<KafkaRecord[][]> {
    if (this.pending !== undefined) throw new KafkaError('ERR_SLUICE_KAFKA', 'A Kafka range read is already in progress; reads must not overlap.');
    if (this.closed) throw new KafkaError('ERR_SLUICE_KAFKA', 'The Kafka reader was closed.');
    const slots = ranges.map((range) => ({ range, next: range.fromOffset, records: [] as KafkaRecord[] }));
    const active = slots.filter((s) => s.range.untilOffset > s.range.fromOffset);
    if (active.length === 0) return Promise.resolve(slots.map((s) => s.records));
    // A partition added to a topic reaches kafkajs's consumer only when its metadata expires (5 min), and would never be
    // fetched before: a new consumer (a new group of its own) reads fresh metadata and is assigned every partition.
    if (this.dead !== undefined || (this.joined && active.some((s) => !this.isAssigned(s.range)))) {
      await this.consumer.disconnect().catch(() => undefined);
      await this.start();
    }
    if (!this.joined) throw new KafkaError('ERR_SLUICE_KAFKA_COORDINATOR', 'The Kafka reader is between consumer group generations (a rebalance); this is retried.', { retriable: true });
    const unassigned = active.filter((s) => !this.isAssigned(s.range)).map((s) => `${s.range.topic}[${s.range.partition}]`);
    if (unassigned.length > 0) {
      throw new KafkaError('ERR_SLUICE_KAFKA_COORDINATOR', `The Kafka reader's consumer was not assigned ${unassigned.join(', ')} (partitions added moments ago); this is retried.`, { retriable: true });
    }
    return new Promise<void>((resolve, reject) => {
      this.pending = { slots: new Map(active.map((s) => [partitionKey(s.range), s])), remaining: active.length, progressAt: Date.now(), resolve, reject };
      this.stallTimer = setInterval(() => this.checkStall(), Math.min(1000, this.stallTimeoutMs));
      this.seekPending();
    }).then(
      () => slots.map((s) => s.records),
      (error: unknown) => {
        throw toKafkaError(error, 'reading records');
      },
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    this.fail(new KafkaError('ERR_SLUICE_KAFKA', 'The Kafka reader was closed while reading.'));
    await this.consumer.disconnect();
  }

  private isAssigned({ topic, partition }: OffsetRange): boolean {
    return this.assigned.some((tp) => tp.topic === topic && tp.partitions.includes(partition));
  }

  /** Points the consumer at where each range of the read under way stands (at its start, and again after a rejoin). */
  private seekPending(): void {
    const slots = [...(this.pending?.slots.values() ?? [])];
    try {
      for (const { range, next } of slots) this.consumer.seek({ topic: range.topic, partition: range.partition, offset: String(next) });
      for (const { range } of slots) this.consumer.resume([{ topic: range.topic, partitions: [range.partition] }]);
    } catch (error) {
      // The consumer left its group in between (kafkajs refuses seeks then): the read is retried.
      this.fail(new KafkaError('ERR_SLUICE_KAFKA_COORDINATOR', `The Kafka reader left its consumer group: ${error instanceof Error ? error.message : String(error)}; this is retried.`, { cause: error, retriable: true }));
    }
  }

  private onBatch({ batch }: EachBatchPayload): void {
    const slot = this.pending?.slots.get(partitionKey(batch));
    if (slot === undefined) return;
    // kafkajs's Batch has fetchedOffset (the offset the fetch asked for) but its typings omit it.
    const startsAtOrBefore = Number((batch as typeof batch & { fetchedOffset: string }).fetchedOffset) <= slot.next;
    for (const message of batch.messages) {
      const offset = Number(message.offset);
      if (offset < slot.next || offset >= slot.range.untilOffset) continue;
      slot.records.push(toRecord(batch.topic, batch.partition, message));
      slot.next = offset + 1;
    }
    if (startsAtOrBefore) this.advance(slot, Number(batch.lastOffset()) + 1);
    else this.advance(slot, slot.next);
  }

  /** A fetch (possibly of control or aborted records only) from `first` to `last` went by. */
  private cover(topic: string, partition: number, first: number, last: number): void {
    const slot = this.pending?.slots.get(partitionKey({ topic, partition }));
    if (slot === undefined || !(first <= slot.next)) return;
    this.advance(slot, last + 1);
  }

  private advance(slot: Slot, coveredUntil: number): void {
    const pending = this.pending;
    if (pending === undefined) return;
    const before = slot.next;
    slot.next = Math.max(slot.next, Math.min(coveredUntil, slot.range.untilOffset));
    if (slot.next > before || slot.records.length > 0) pending.progressAt = Date.now();
    if (slot.next < slot.range.untilOffset || !pending.slots.delete(partitionKey(slot.range))) return;
    this.pause([{ topic: slot.range.topic, partitions: [slot.range.partition] }]);
    if (--pending.remaining === 0) this.settle()?.resolve();
  }

  private checkStall(): void {
    const pending = this.pending;
    if (pending === undefined || Date.now() - pending.progressAt < this.stallTimeoutMs) return;
    const stuck = [...pending.slots.values()].map((s) => `${s.range.topic}[${s.range.partition}] at ${s.next} of [${s.range.fromOffset}, ${s.range.untilOffset})`);
    this.fail(new KafkaError('ERR_SLUICE_KAFKA_BROKER_DOWN', `No Kafka records arrived for ${this.stallTimeoutMs} ms while reading ${stuck.join(', ')}.`, { retriable: true }));
  }

  private fail(error: unknown): void {
    this.settle()?.reject(error);
  }

  /** Ends the current read (pausing what it resumed) and returns it. */
  private settle(): PendingRead | undefined {
    const pending = this.pending;
    if (pending === undefined) return undefined;
    this.pending = undefined;
    clearInterval(this.stallTimer);
    this.pauseIdle();
    return pending;
  }

  /** Pauses every assigned partition that no read is waiting for. */
  private pauseIdle(): void {
    const reading = this.pending?.slots;
    const idle = this.assigned
      .map(({ topic, partitions }) => ({ topic, partitions: partitions.filter((partition) => reading?.has(partitionKey({ topic, partition })) !== true) }))
      .filter((tp) => tp.partitions.length > 0);
    if (idle.length > 0) this.pause(idle);
  }

  /** kafkajs throws on pause once its consumer crashed (it has no group then, and nothing to pause): that must not escape its event handlers. */
  private pause(partitions: { topic: string; partitions: number[] }[]): void {
    try {
      this.consumer.pause(partitions);
    } catch {
      // The crash is what the read under way fails with (see CRASH), and the next read starts a new consumer.
    }
  }
}

function toRecord(topic: string, partition: number, message: KafkaMessage): KafkaRecord {
  return {
    topic,
    partition,
    offset: Number(message.offset),
    timestamp: Number(message.timestamp),
    key: message.key,
    value: message.value,
    headers: (message.headers ?? {}) as KafkaRecord['headers'],
  };
}
