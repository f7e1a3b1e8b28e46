/**
 * One process's share of a scale-out consumer group (Kafka Streams' model):
 * every process started with the same group id joins one Kafka consumer
 * group; the co-partitioned assignment gives each process tasks (task i =
 * partition i of every topic the group reads: source and repartition
 * topics); each batch reads only the owned tasks' offset ranges.
 *
 * Per batch t, in order:
 * - reading t waits for batch t−1's commit, then applies what the group
 *   changed: the state of lost tasks is dropped; gained tasks are claimed
 *   (previous owners fenced, see group/partition-claims.ts) and their state
 *   restored from the changelogs before anything reads them;
 * - after t's outputs: the changelog records of every key t changed, the
 *   output records and the consumed offsets (with this process's
 *   transactional id as metadata) commit in one transaction.
 * A commit refused because another process fenced this one (it claimed one
 * of our tasks) does not fail the context: the batch's effects were never
 * committed, so the process resets (new transactional id, all state dropped,
 * every task claimed and restored again, reading from the committed offsets).
 */
import type { KafkaConfig } from 'kafkajs';
import type { StreamingContext } from '../../../engine/streaming-context.js';
import { InvalidArgumentError, KafkaError, type SluiceError } from '../../../errors.js';
import { type BackpressureOptions, enableBackpressure } from '../../backpressure.js';
import { BatchCommits } from '../batch-commits.js';
import type { KafkaClient, KafkaRecord, KafkaTransaction, OffsetRange, PartitionOffset, RangeReader, TopicPartition } from '../client.js';
import { partitionKey } from '../client.js';
import { ensureInternalTopics } from '../changelog/internal-topics.js';
import { type GroupAssignment, GroupMembership } from '../group/group-membership.js';
import { claimPartitions } from '../group/partition-claims.js';
import { planRanges } from '../offset-ranges.js';
import { keepPositionsInLog, readLogEnds } from '../log-bounds.js';
import { type RetryOptions, retrying } from '../retry.js';
import { fencedTransaction, isFenced, voidTransaction } from './fenced-transaction.js';
import { ScaleOutCounters, type ScaleOutMetrics } from './scale-out-metrics.js';
import { StateStores } from './state-stores.js';

/** Settings of scale-out mode (`kafkaDirectStream(ssc, { scaleOut: true | ScaleOutOptions })`). */
export interface ScaleOutOptions {
  /** How long the group waits for a silent process before moving its partitions (session.timeout.ms). Default 10 s; brokers refuse less than their group.min.session.timeout.ms (6 s by default). */
  readonly sessionTimeoutMs?: number;
}

/**
 * Scale-out's default transaction timeout. A batch whose transaction outlives
 * it is aborted by the broker and comes back as fenced, so the process
 * resets and does the batch again: on a loaded machine 10 s batches happen.
 * A crashed process's open transaction does not wait for the timeout: the
 * process that claims its partitions fences its id, which aborts it.
 */
export const SCALE_OUT_TRANSACTION_TIMEOUT_MS = 60_000;

/** What the group needs from the stream that creates it. */
export interface ScaleOutSettings {
  readonly groupId: string;
  readonly brokers: readonly string[];
  readonly client: KafkaClient;
  readonly resetOffsets: 'earliest' | 'latest';
  readonly maxRatePerPartition: number | undefined;
  readonly transactionTimeoutMs: number;
  readonly retry: RetryOptions;
  /** kafkajs settings (ssl, sasl, ...) for the group membership's consumer. */
  readonly clientOptions: Omit<KafkaConfig, 'brokers'> | undefined;
  readonly options: ScaleOutOptions;
}

/** One batch's read: the ranges of every owned task and their records (same order). */
export interface GroupBatch {
  readonly ranges: readonly OffsetRange[];
  readonly records: readonly KafkaRecord[][];
  readonly latest: readonly PartitionOffset[];
  readonly metrics: ScaleOutMetrics;
}

/** Reports a retried broker error (the first stream's listener event). */
type RetryReporter = (error: SluiceError, delayMs: number) => void;

const groupsOfContext = new WeakMap<StreamingContext, Map<string, ScaleOutGroup>>();

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

export class ScaleOutGroup {
  readonly groupId: string;
  readonly client: KafkaClient;
  private readonly sourceTopics = new Set<string>();
  private readonly repartitionTopics = new Set<string>();
  private readonly members = new Set<object>();
  private stores: StateStores | undefined;
  private ready: Promise<void> | undefined;
  private membership: GroupMembership | undefined;
  private reader: RangeReader | undefined;
  private commits: BatchCommits | undefined;
  private readonly instance = Math.floor(Math.random() * 0x1_0000_0000).toString(16).padStart(8, '0');
  private incarnation = 0;
  private partitionCount = 0;
  /** Tasks claimed (and restored) by this process. */
  private readonly owned = new Set<number>();
  /** Where each owned topic-partition's next range starts. */
  private readonly from = new Map<string, number>();
  private readonly reads = new Map<number, Promise<GroupBatch>>();
  private readChain: Promise<unknown> = Promise.resolve();
  private readonly rangesByTime = new Map<number, readonly OffsetRange[]>();
  /** Settles when batch `time` committed, failed or was dropped: the next read waits for it. */
  private readonly settled = new Map<number, { promise: Promise<void>; resolve: () => void }>();
  private lastReadTime: number | undefined;
  private needsReset = false;
  /** Tasks lost since the last reset (this process may still be unfenced for them). */
  private readonly lostUnfenced = new Set<number>();
  private membershipError: SluiceError | undefined;
  private readonly counters = new ScaleOutCounters();
  private closing: Promise<void> | undefined;
  private reportRetry: RetryReporter = () => undefined;
  /** With backpressure: the estimated rate (records/s) this process's batches may read in all, shared out by lag. */
  private backpressureRate: number | undefined;
  private backpressureEnabled = false;

  private constructor(
    private readonly context: StreamingContext,
    private readonly settings: ScaleOutSettings,
  ) {
    this.groupId = settings.groupId;
    this.client = settings.client;
    context.beforeStart(() => {
      if (context.checkpointStore !== undefined) {
        throw new InvalidArgumentError(
          `Kafka scale-out (group ${this.groupId}) keeps state in changelog topics and positions in the group's committed offsets; ` +
            'a checkpoint store would restore state the changelogs already hold: leave out ssc.checkpoint(...) / getOrCreate.',
        );
      }
      this.stores = StateStores.of(context.graph, this.groupId);
    });
    context.addAfterBatchHook((time) => this.commit(time));
    context.addStreamingListener({
      onBatchCompleted: ({ batchInfo }) => {
        if (batchInfo.failure !== undefined) void this.commits?.abort(batchInfo.batchTime).catch(() => undefined);
        // Settled once every after-batch hook of the batch has run, not when its commit ends: partitioned windows fill their
        // buffers in hooks that run after the commit's, and a reset that the next read starts in between would drop the
        // windows first and let a fenced batch's values in after (counted again when its records are read again).
        this.settle(batchInfo.batchTime);
      },
    });
  }

  /** The group of `context` named `settings.groupId`, made by its first stream. */
  static join(context: StreamingContext, member: object, topics: readonly string[], settings: ScaleOutSettings): ScaleOutGroup {
    let groups = groupsOfContext.get(context);
    if (groups === undefined) groupsOfContext.set(context, (groups = new Map()));
    let group = groups.get(settings.groupId);
    if (group === undefined) groups.set(settings.groupId, (group = new ScaleOutGroup(context, settings)));
    for (const topic of topics) if (!group.repartitionTopics.has(topic)) group.sourceTopics.add(topic);
    group.members.add(member);
    return group;
  }

  /**
   * Adapts this process's batches to how fast it processes them (Spark's
   * backpressure): the estimate caps the records of each read, shared out by
   * each owned partition's lag, under maxRatePerPartition. Once per group.
   */
  enableBackpressure(options: Omit<BackpressureOptions, 'maxRatePerSecond'>): void {
    if (this.backpressureEnabled) return;
    this.backpressureEnabled = true;
    enableBackpressure(this.context, [{ maxRatePerSecond: undefined, setMaxRate: (rate: number | undefined) => void (this.backpressureRate = rate) }], options);
  }

  /** The group `groupId` of `context`, if a stream made it. */
  static existing(context: StreamingContext, groupId: string): ScaleOutGroup | undefined {
    return groupsOfContext.get(context)?.get(groupId);
  }

  /** An internal topic the group writes and reads back (repartitionThroughKafka), created at start with N partitions. */
  addRepartitionTopic(topic: string): void {
    if (this.sourceTopics.has(topic)) throw new InvalidArgumentError(`repartitionThroughKafka: topic ${topic} is already read as a source topic of group ${this.groupId}; give the repartition another topic`);
    this.repartitionTopics.add(topic);
  }

  /** How many repartition topics the group has (numbers the next default name). */
  get repartitionCount(): number {
    return this.repartitionTopics.size;
  }

  /** Every topic the group reads (source and repartition topics), task i being partition i of each. */
  get topics(): string[] {
    return [...this.sourceTopics, ...this.repartitionTopics];
  }

  get transactionalId(): string {
    return `sluice-${this.groupId}-${this.instance}-${this.incarnation}`;
  }

  /** N: the partition count of every topic of the group (0 before the group connected). */
  get partitions(): number {
    return this.partitionCount;
  }

  metrics(): ScaleOutMetrics {
    return this.counters.snapshot(this.owned, this.transactionalId);
  }

  /** Connects once (every stream of the group calls this at start). */
  start(reportRetry: RetryReporter): Promise<void> {
    if (this.ready === undefined) {
      this.reportRetry = reportRetry;
      this.ready = this.connect();
      this.ready.catch(() => undefined);
    }
    return this.ready;
  }

  private retry<T>(operation: () => Promise<T>): Promise<T> {
    return retrying(operation, this.settings.retry, (error, delayMs) => this.reportRetry(error, delayMs));
  }

  private async connect(): Promise<void> {
    const sources = [...this.sourceTopics];
    const found = await this.retry(() => this.client.partitions(sources));
    const counts = new Map<string, number>();
    for (const { topic } of found) counts.set(topic, (counts.get(topic) ?? 0) + 1);
    const distinct = new Set(counts.values());
    if (distinct.size !== 1) {
      throw new InvalidArgumentError(
        `Scale-out needs co-partitioned topics (the same partition count), got ${[...counts].map(([t, n]) => `${t}: ${n}`).join(', ')}; ` +
          'task i is partition i of every topic, so add partitions to the smaller topics or read them in separate groups.',
      );
    }
    this.partitionCount = [...distinct][0] as number;
    const stores = this.stores;
    if (stores === undefined) throw new InvalidArgumentError('The scale-out group was started without its context; start the StreamingContext, not the stream.');
    stores.setPartitionCount(this.partitionCount);
    const internal = [
      ...[...this.repartitionTopics].map((topic) => ({ topic, partitions: this.partitionCount, compacted: false })),
      ...stores.topics.map((topic) => ({ topic, partitions: this.partitionCount, compacted: true })),
    ];
    if (internal.length > 0) await this.retry(() => ensureInternalTopics(this.client, internal));
    await this.newIncarnation();
    this.reader = await this.retry(() => this.client.rangeReader(this.topics));
    this.membership = await this.retry(() =>
      GroupMembership.join({
        brokers: this.settings.brokers,
        ...(this.settings.clientOptions === undefined ? {} : { kafkajs: this.settings.clientOptions }),
        groupId: this.groupId,
        topics: this.topics,
        ...(this.settings.options.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: this.settings.options.sessionTimeoutMs }),
        onChange: () => undefined,
        // The membership stopped for good: the group moves this process's partitions away (and fences it), so it must not go on silently.
        onError: (error) => {
          this.membershipError = error;
        },
      }),
    );
  }

  /** A fresh transactional producer with a never-used id (the first, or after being fenced). */
  private async newIncarnation(): Promise<void> {
    const previous = this.commits;
    this.commits = undefined;
    await previous?.close().catch(() => undefined);
    if (previous !== undefined) this.incarnation++;
    const commits = new BatchCommits(this.client, this.transactionalId, this.settings.transactionTimeoutMs);
    await this.retry(() => commits.start());
    this.commits = commits;
  }

  /** Batch `time`'s read over every owned task (one read however many streams of the group ask). */
  read(time: number): Promise<GroupBatch> {
    let read = this.reads.get(time);
    if (read === undefined) {
      read = this.readChain.then(() => this.readAt(time));
      this.readChain = read.catch(() => undefined);
      this.reads.set(time, read);
    }
    return read;
  }

  /** The rest of batch `time`'s records for `topics` (a stream's share of the group's read). */
  static slice(batch: GroupBatch, topics: ReadonlySet<string>): { ranges: OffsetRange[]; records: KafkaRecord[][] } {
    const ranges: OffsetRange[] = [];
    const records: KafkaRecord[][] = [];
    batch.ranges.forEach((range, i) => {
      if (!topics.has(range.topic)) return;
      ranges.push(range);
      records.push(batch.records[i] ?? []);
    });
    return { ranges, records };
  }

  private async readAt(time: number): Promise<GroupBatch> {
    await this.ready;
    const previous = this.lastReadTime === undefined ? undefined : this.settled.get(this.lastReadTime);
    this.lastReadTime = time;
    this.settled.set(time, deferred());
    // The previous batch's commit decides where this one starts (and whether this process was fenced).
    await previous?.promise;
    if (this.membershipError !== undefined) throw this.membershipError;
    if (this.needsReset) await this.reset();
    await this.applyAssignment(time);
    const topics = this.topics;
    const ends = await this.retry(() => readLogEnds(this.client, topics));
    keepPositionsInLog(this.context, `Kafka scale-out group ${this.groupId}`, time, this.from, ends, (p) => this.owned.has(p.partition));
    const latest = ends.latest.filter((p) => this.owned.has(p.partition));
    const limits = { batchIntervalMs: this.context.batchIntervalMs, maxRatePerPartition: this.settings.maxRatePerPartition, backpressureRate: this.backpressureRate };
    const ranges = planRanges(this.from, latest, limits);
    const reader = this.reader;
    if (reader === undefined) throw new Error('The scale-out reader is not connected');
    const records = ranges.some((r) => r.untilOffset > r.fromOffset) ? await this.retry(() => reader.read(ranges)) : ranges.map(() => []);
    for (const r of ranges) this.from.set(partitionKey(r), r.untilOffset);
    this.rangesByTime.set(time, ranges);
    return { ranges, records, latest, metrics: this.metrics() };
  }

  /** Between batches: drops lost tasks, claims and restores gained ones. */
  private async applyAssignment(time: number): Promise<void> {
    const membership = this.membership;
    const assignment = membership?.assignment();
    if (membership === undefined || assignment === undefined) return;
    const target = new Set(assignment.partitions);
    const lost = new Set([...this.owned].filter((p) => !target.has(p)));
    const gained = assignment.partitions.filter((p) => !this.owned.has(p));
    if (lost.size === 0 && gained.length === 0) return;
    if (gained.some((p) => this.lostUnfenced.has(p))) {
      // Regained with nobody's claim in between, so this process is not fenced: a claim under the same id would not wait for
      // its own last commit's markers and could read offsets from before it (see partition-claims.ts). A reset claims under a
      // new id, fencing the old one first.
      await this.reset();
      return this.applyAssignment(time);
    }
    const stores = this.stores as StateStores;
    if (lost.size > 0) {
      stores.drop(lost);
      for (const p of lost) {
        this.owned.delete(p);
        this.lostUnfenced.add(p);
      }
      for (const key of [...this.from.keys()]) if (lost.has(Number(key.slice(key.lastIndexOf(':') + 1)))) this.from.delete(key);
    }
    if (gained.length > 0 && (await this.claim(membership, assignment, gained, stores, time))) this.counters.rebalances++;
    else if (lost.size > 0) this.counters.rebalances++;
  }

  /** Claims and restores `gained` (see group/partition-claims.ts); false when the claim was refused for a stale generation. */
  private async claim(membership: GroupMembership, assignment: GroupAssignment, gained: readonly number[], stores: StateStores, time: number): Promise<boolean> {
    const claim = await this.retry(() =>
      claimPartitions({
        client: this.client,
        membership,
        groupId: this.groupId,
        topics: this.topics,
        assignment,
        partitions: gained,
        transactionalId: this.transactionalId,
        initialOffsets: (uncommitted) => this.initialOffsets(uncommitted),
      }).catch((error: unknown) => {
        // A claim refused because the group rebalanced meanwhile: the next assignment decides (nothing of those tasks is read until then).
        if (error instanceof KafkaError && error.code === 'ERR_SLUICE_KAFKA_REBALANCED') return undefined;
        throw error;
      }),
    );
    if (claim === undefined) return false;
    const restored = await this.retry(() => stores.restore(this.client, gained, time));
    if (!stores.isEmpty) this.counters.addRestore(restored);
    for (const p of gained) this.owned.add(p);
    for (const offset of claim.offsets) this.from.set(partitionKey(offset), offset.offset);
    return true;
  }

  /** Where partitions the group never committed start (resetOffsets, as Kafka's auto.offset.reset). */
  private async initialOffsets(uncommitted: readonly TopicPartition[]): Promise<PartitionOffset[]> {
    const topics = [...new Set(uncommitted.map((tp) => tp.topic))];
    const ends = this.settings.resetOffsets === 'earliest' ? await this.client.earliestOffsets(topics) : await this.client.latestOffsets(topics);
    const wanted = new Set(uncommitted.map(partitionKey));
    return ends.filter((p) => wanted.has(partitionKey(p)));
  }

  /** Fenced: everything this process held since its last commit is void; start over from what the group committed. */
  private async reset(): Promise<void> {
    this.counters.resets++;
    this.needsReset = false;
    (this.stores as StateStores).dropAll();
    this.owned.clear();
    this.from.clear();
    this.lostUnfenced.clear();
    await this.newIncarnation();
  }

  /** Batch `time`'s transaction (outputs write into it); a fenced producer's writes are dropped and the process resets after the batch. */
  async transactionFor(time: number): Promise<KafkaTransaction> {
    await this.ready;
    const commits = this.commits;
    if (commits === undefined) throw new Error('The scale-out producer is not connected');
    let tx: KafkaTransaction;
    try {
      tx = await commits.transactionFor(time);
    } catch (error) {
      if (!isFenced(error)) throw error;
      this.needsReset = true;
      return voidTransaction;
    }
    return fencedTransaction(tx, () => this.needsReset, () => (this.needsReset = true));
  }

  private async commit(time: number): Promise<void> {
    const ranges = this.rangesByTime.get(time);
    if (ranges === undefined) return;
    try {
      const commits = this.commits;
      if (commits === undefined || this.needsReset) {
        await commits?.abort(time).catch(() => undefined);
        return;
      }
      const changelog = (this.stores as StateStores).changelog(time, this.owned);
      const metadata = this.transactionalId;
      const offsets = ranges.filter((r) => r.untilOffset > r.fromOffset).map((r) => ({ topic: r.topic, partition: r.partition, offset: r.untilOffset, metadata }));
      if (changelog.length > 0) {
        const tx = await this.transactionFor(time);
        for (const { topic, records } of changelog) await tx.send(topic, records);
      }
      if (this.needsReset) {
        await commits.abort(time).catch(() => undefined);
        return;
      }
      await commits.commit(time, { groupId: this.groupId, offsets });
    } catch (error) {
      if (!isFenced(error)) throw error;
      this.needsReset = true;
    }
  }

  private settle(time: number): void {
    this.settled.get(time)?.resolve();
  }

  /** Frees what batches up to `time` held. */
  clearMetadata(time: number): void {
    for (const t of [...this.rangesByTime.keys()]) if (t < time) this.rangesByTime.delete(t);
    for (const t of [...this.reads.keys()]) if (t < time) this.reads.delete(t);
    for (const t of [...this.settled.keys()]) if (t < time) this.settled.delete(t);
  }

  /** A stream of the group closed; the last one leaves the group (so the others take its tasks at once) and disconnects. */
  close(member: object): Promise<void> {
    this.members.delete(member);
    if (this.members.size > 0) return Promise.resolve();
    this.closing ??= (async () => {
      for (const { resolve } of this.settled.values()) resolve();
      await this.membership?.leave().catch(() => undefined);
      await this.commits?.close().catch(() => undefined);
      await this.client.close();
    })();
    return this.closing;
  }
}
