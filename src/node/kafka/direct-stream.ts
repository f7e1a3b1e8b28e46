/**
 * Spark's Kafka direct stream (KafkaUtils.createDirectStream): no receiver.
 * At each batch time the stream asks for the latest stable offsets and fixes
 * a range [from, until) per partition (capped by maxRatePerPartition ×
 * interval, and by the backpressure rate when enabled); the batch is exactly
 * the records of those ranges, one batch partition per Kafka partition.
 * Ranges are planned in batch order, each starting where the previous ended.
 * Every batch reads both ends of each partition's log: a partition added to
 * a topic is read from its log start, and a position outside the log moves
 * into it (deleted offsets counted in `kafkaOffsetsLost`, see log-bounds.ts).
 *
 * Offsets are committed to the consumer group only after every output of the
 * batch succeeded (see batch-commits.ts), so a crash re-reads what was not
 * committed (at-least-once). With `exactlyOnce`, the batch's Kafka outputs
 * (toKafka) and its offsets commit in one transaction.
 *
 * Checkpoints store the position after each completed batch and the ranges
 * of the batches generated after it; getOrCreate recovery reads those
 * pending batches' ranges again exactly. In exactly-once mode the group's
 * committed offsets (written in the same transaction as the output) are the
 * position instead.
 */
import type { KafkaConfig } from 'kafkajs';
import { Batch } from '../../batch/batch.js';
import { InputDStream } from '../../engine/input-dstream.js';
import { StreamingContext } from '../../engine/streaming-context.js';
import { describeValue } from '../../arguments.js';
import { CheckpointError, InvalidArgumentError, type SluiceError } from '../../errors.js';
import { type BackpressureOptions, enableBackpressure } from '../backpressure.js';
import { BatchCommits } from './batch-commits.js';
import { type KafkaClient, type KafkaRecord, type KafkaTransaction, type OffsetRange, type PartitionOffset, offsetsByPartition, partitionKey } from './client.js';
import { kafkajsClient } from './kafkajs-client.js';
import { kafkajsReadCommittedFixed } from './kafkajs-read-committed.js';
import { checkMaxRate, planRanges } from './offset-ranges.js';
import { keepInLog, keepPositionsInLog, readLogEnds } from './log-bounds.js';
import { type RetryOptions, reportRetry, retrying } from './retry.js';
import { type StartingOffsets, checkExplicitOffsets, checkStartingOffsets, startingPositions } from './starting-offsets.js';
import { SCALE_OUT_TRANSACTION_TIMEOUT_MS, ScaleOutGroup, type ScaleOutOptions } from './scale-out/scale-out-group.js';
import type { ScaleOutMetrics } from './scale-out/scale-out-metrics.js';

/** Options of kafkaDirectStream (see KafkaDirectDStream). */
export interface KafkaDirectStreamOptions {
  /** Bootstrap brokers: 'host:port,host:port' or a list. */
  readonly brokers: string | readonly string[];
  readonly topics: string | readonly string[];
  /** The consumer group whose offsets the stream commits (and, with 'committed', starts from). */
  readonly groupId: string;
  /** Default 'committed'. */
  readonly startingOffsets?: StartingOffsets;
  /** Where 'committed' starts a partition the group has no offset for (Kafka's auto.offset.reset). Default 'latest'. */
  readonly resetOffsets?: 'earliest' | 'latest';
  /** Records per second per partition (Spark's maxRatePerPartition); default unlimited. */
  readonly maxRatePerPartition?: number;
  /** Adapt the batch size to the processing speed (PID estimator, as Spark), never above maxRatePerPartition. */
  readonly backpressure?: boolean | Omit<BackpressureOptions, 'maxRatePerSecond'>;
  /** Commit each batch's toKafka output and offsets in one transaction. */
  readonly exactlyOnce?: boolean;
  /** Stable across restarts (it fences the previous instance). Default `sluice-<groupId>`. */
  readonly transactionalId?: string;
  /** How long the broker waits for a crashed instance before aborting its transaction. Default 10 s (scale-out: 60 s). */
  readonly transactionTimeoutMs?: number;
  /** kafkajs settings (ssl, sasl, clientId, logLevel, ...). */
  readonly clientOptions?: Omit<KafkaConfig, 'brokers'>;
  /** Another client behind the adapter interface, instead of kafkajs. */
  readonly client?: KafkaClient;
  /** Retrying broker errors that may pass (broker down, coordinator moving). */
  readonly retry?: RetryOptions;
  /**
   * Share the topics with every process started with the same groupId
   * (Kafka Streams' model, see scale-out/scale-out-group.ts): each reads the
   * partitions the group assigns it, keyed state moves with its partitions
   * through changelog topics, exactly-once across rebalances. Implies exactlyOnce.
   */
  readonly scaleOut?: boolean | ScaleOutOptions;
}

/** What BatchInfo.inputMetadata holds for a Kafka direct stream. */
export interface KafkaBatchMetadata {
  readonly offsetRanges: readonly (OffsetRange & { readonly records: number; readonly lag: number })[];
  readonly records: number;
  /** Records left behind in the log after this batch (latest stable offset − until, summed). */
  readonly lag: number;
  /** In scale-out mode: this process's partitions, rebalances, resets and state restores. */
  readonly scaleOut?: ScaleOutMetrics;
}

const rangesOfBatches = new WeakMap<Batch<unknown>, readonly OffsetRange[]>();

/** The offset ranges a Kafka direct stream's batch was read from (Spark's HasOffsetRanges), or undefined for other batches. */
export function offsetRangesOf(batch: Batch<unknown>): readonly OffsetRange[] | undefined {
  return rangesOfBatches.get(batch);
}

/** Marks `batch` as holding the data of `ranges` (for batches derived one-to-one from a direct stream's, e.g. kafkaValues). */
export function setOffsetRanges(batch: Batch<unknown>, ranges: readonly OffsetRange[]): void {
  rangesOfBatches.set(batch, ranges);
}

type EncodedRange = [topic: string, partition: number, from: number, until: number];
interface DirectStreamPosition {
  readonly offsets: [topic: string, partition: number, offset: number][];
  readonly pending: [time: number, ranges: EncodedRange[]][];
}

/** Spark's Kafka direct stream: per-batch offset ranges, offsets committed after the batch's outputs (see the module comment). */
export class KafkaDirectDStream extends InputDStream<KafkaRecord> {
  readonly topics: readonly string[];
  readonly groupId: string;
  readonly exactlyOnce: boolean;
  readonly client: KafkaClient;
  private readonly options: KafkaDirectStreamOptions;
  private readonly commits: BatchCommits;
  private ready: Promise<void> | undefined;
  private reader: Awaited<ReturnType<KafkaClient['rangeReader']>> | undefined;
  /** Where the next planned batch starts, per partition. */
  private from = new Map<string, number>();
  private readonly rangesByTime = new Map<number, readonly OffsetRange[]>();
  private recoveredFrom: Map<string, number> | undefined;
  private readonly recoveredRanges = new Map<number, OffsetRange[]>();
  private reads: Promise<unknown> = Promise.resolve();
  private rateLimit: number | undefined;
  private stopped = false;
  /** The scale-out group this stream reads in (scaleOut mode), which plans, reads and commits for it. */
  private readonly group: ScaleOutGroup | undefined;

  constructor(context: StreamingContext, options: KafkaDirectStreamOptions) {
    // Checked before super(): a stream whose constructor throws must not stay in the graph (it would fail every batch).
    const { topics, brokers, timeout } = checkedOptions(context, options);
    super(context);
    warnIfReadCommittedUnfixed(context);
    this.options = options;
    this.topics = topics;
    this.groupId = options.groupId;
    const scaleOut = options.scaleOut ?? false;
    this.exactlyOnce = options.exactlyOnce === true || scaleOut !== false;
    this.client = options.client ?? kafkajsClient({ brokers, ...(options.clientOptions === undefined ? {} : { kafkajs: options.clientOptions }) });
    this.commits = new BatchCommits(this.client, options.transactionalId ?? `sluice-${options.groupId}`, timeout, (operation) => this.retry(operation));
    if (scaleOut !== false) {
      this.group = joinScaleOutGroup(this, context, options, brokers, options.transactionTimeoutMs ?? SCALE_OUT_TRANSACTION_TIMEOUT_MS, scaleOut === true ? {} : scaleOut);
      return;
    }
    // Before the checkpoint writer's hook (added at start), so a checkpoint never runs ahead of the group's offsets.
    context.addAfterBatchHook((time) => this.commit(time));
    context.addStreamingListener({
      onBatchCompleted: ({ batchInfo }) => {
        if (batchInfo.failure !== undefined) void this.commits.abort(batchInfo.batchTime).catch(() => undefined);
      },
    });
    const { backpressure } = options;
    if (backpressure !== undefined && backpressure !== false) {
      // The estimate caps the whole stream; planRanges shares it out by lag and still applies maxRatePerPartition.
      const target = {
        maxRatePerSecond: undefined,
        setMaxRate: (rate: number | undefined) => {
          this.rateLimit = rate;
        },
      };
      enableBackpressure(context, [target], backpressure === true ? {} : backpressure);
    }
  }

  override start(): void {
    if (this.group !== undefined) {
      this.ready = this.group.start((error, delayMs) => this.reportRetry(error, delayMs));
      this.ready.catch(() => undefined);
      return;
    }
    this.ready = this.connect();
    this.ready.catch(() => undefined);
  }

  override stop(): void {
    this.stopped = true;
  }

  /** After the last batch: open transactions (of failed batches) are aborted before the connections close. */
  override async close(): Promise<void> {
    this.stopped = true;
    if (this.group !== undefined) return this.group.close(this);
    await this.commits.close().catch(() => undefined);
    await this.client.close();
  }

  /** The scale-out group this stream reads in, undefined unless scaleOut. */
  get scaleOutGroup(): ScaleOutGroup | undefined {
    return this.group;
  }

  /** Batch `time`'s transaction in exactly-once mode (toKafka writes into it). */
  async transactionFor(time: number): Promise<KafkaTransaction> {
    await this.ready;
    if (this.group !== undefined) return this.group.transactionFor(time);
    return this.commits.transactionFor(time);
  }

  private async connect(): Promise<void> {
    const retry = <T>(what: () => Promise<T>): Promise<T> => this.retry(what);
    // Fence first: an earlier instance's open transaction is aborted, so the committed offsets read below are final.
    await retry(() => this.commits.start());
    this.reader = await retry(() => this.client.rangeReader(this.topics));
    const [earliest, latest, committed] = await Promise.all([
      retry(() => this.client.earliestOffsets(this.topics)),
      retry(() => this.client.latestOffsets(this.topics)),
      retry(() => this.client.committedOffsets(this.groupId, this.topics)),
    ]);
    const preferred = this.exactlyOnce ? offsetsByPartition(committed) : this.recoveredFrom;
    if (this.exactlyOnce) this.recoveredRanges.clear();
    const starting = this.options.startingOffsets ?? 'committed';
    checkExplicitOffsets(starting, { earliest, latest, committed }, preferred);
    this.from = startingPositions(starting, this.options.resetOffsets ?? 'latest', { earliest, latest, committed }, preferred);
  }

  /** Runs `operation` again while it fails with a retriable error (broker down, coordinator moving), with backoff, reporting each failure to the listeners. */
  retry<T>(operation: () => Promise<T>): Promise<T> {
    return retrying(operation, this.options.retry ?? {}, (error, delayMs) => this.reportRetry(error, delayMs));
  }

  private reportRetry(error: SluiceError, delayMs: number): void {
    reportRetry(this.context, this.id, `Kafka direct stream ${this.topics.join(',')}`, error, delayMs, !this.stopped);
  }

  protected take(): Batch<KafkaRecord> {
    throw new Error('KafkaDirectDStream reads through takeLater');
  }

  protected override takeLater(time: number): Promise<{ batch: Batch<KafkaRecord> }> {
    const read = this.reads.then(() => this.readBatch(time));
    this.reads = read.catch(() => undefined);
    return read;
  }

  private async readBatch(time: number): Promise<{ batch: Batch<KafkaRecord> }> {
    if (this.group !== undefined) return this.readGroupBatch(this.group, time);
    await this.ready;
    const ends = await this.retry(() => readLogEnds(this.client, this.topics));
    const name = `Kafka direct stream ${this.topics.join(',')}`;
    const recovered = this.recoveredRanges.get(time);
    this.recoveredRanges.delete(time);
    // A partition added to a topic since the last batch starts at its log start.
    if (recovered === undefined) keepPositionsInLog(this.context, name, time, this.from, ends, () => true);
    const latest = ends.latest;
    const ranges =
      recovered?.flatMap((r) => keepInLog(this.context, name, time, r, ends) ?? []) ??
      planRanges(this.from, latest, { batchIntervalMs: this.context.batchIntervalMs, maxRatePerPartition: this.options.maxRatePerPartition, backpressureRate: this.rateLimit });
    const reader = this.reader;
    if (reader === undefined) throw new Error('The Kafka reader is not connected');
    const records = await this.retry(() => reader.read(ranges));
    for (const r of ranges) this.from.set(partitionKey(r), r.untilOffset);
    this.rangesByTime.set(time, ranges);
    this.context.setInputMetadata(time, this.id, metadataOf(ranges, records, latest));
    const batch = Batch.fromPartitions(records);
    setOffsetRanges(batch, ranges);
    return { batch };
  }

  /** Scale-out: this stream's topics' share of the group's read for batch `time`. */
  private async readGroupBatch(group: ScaleOutGroup, time: number): Promise<{ batch: Batch<KafkaRecord> }> {
    const read = await group.read(time);
    const { ranges, records } = ScaleOutGroup.slice(read, new Set(this.topics));
    this.context.setInputMetadata(time, this.id, { ...metadataOf(ranges, records, read.latest), scaleOut: read.metrics });
    const batch = Batch.fromPartitions(records);
    setOffsetRanges(batch, ranges);
    return { batch };
  }

  private async commit(time: number): Promise<void> {
    const ranges = this.rangesByTime.get(time);
    if (ranges === undefined) return;
    const consumed = ranges.filter((r) => r.untilOffset > r.fromOffset);
    // A batch that wrote output but consumed nothing commits its unchanged positions all the same: with the batch's marker they show whether a commit whose answer was lost happened.
    const committing = consumed.length > 0 || !this.commits.hasTransaction(time) ? consumed : ranges;
    const offsets = committing.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.untilOffset }));
    await this.commits.commit(time, { groupId: this.groupId, offsets });
  }

  override clearMetadata(time: number): void {
    super.clearMetadata(time);
    this.group?.clearMetadata(time);
    for (const t of [...this.rangesByTime.keys()]) if (t < time) this.rangesByTime.delete(t);
  }

  /** After batch `time`: where each partition stands, and the ranges of the batches generated after it (read again on recovery). */
  override positionAfter(time: number): DirectStreamPosition | undefined {
    // Scale-out positions are the group's committed offsets, written with the changelogs in each batch's transaction.
    if (this.group !== undefined) return undefined;
    const ranges = this.rangesByTime.get(time);
    if (ranges === undefined) return undefined;
    const pending: [number, EncodedRange[]][] = [];
    for (const [t, later] of [...this.rangesByTime].sort((a, b) => a[0] - b[0])) {
      if (t > time) pending.push([t, later.map((r) => [r.topic, r.partition, r.fromOffset, r.untilOffset])]);
    }
    const offsets = ranges.map((r): [string, number, number] => [r.topic, r.partition, r.untilOffset]);
    return { offsets, pending };
  }

  override restorePosition(position: unknown): void {
    const bad = (): CheckpointError =>
      new CheckpointError('ERR_SLUICE_CHECKPOINT_INCOMPATIBLE', `A Kafka direct stream position must be { offsets, pending }, got ${JSON.stringify(position)}: the checkpoint was written for another kind of source. Start from an empty checkpoint store.`);
    const p = position as Partial<DirectStreamPosition> | null;
    if (p === null || typeof p !== 'object' || !Array.isArray(p.offsets) || !Array.isArray(p.pending)) throw bad();
    const isRange = (r: unknown): r is EncodedRange => Array.isArray(r) && typeof r[0] === 'string' && r.slice(1).every((n) => Number.isSafeInteger(n) && (n as number) >= 0);
    const from = new Map<string, number>();
    for (const o of p.offsets) {
      if (!Array.isArray(o) || typeof o[0] !== 'string' || !Number.isSafeInteger(o[1]) || !Number.isSafeInteger(o[2])) throw bad();
      from.set(partitionKey({ topic: o[0], partition: o[1] }), o[2]);
    }
    for (const entry of p.pending) {
      if (!Array.isArray(entry) || !Number.isSafeInteger(entry[0]) || !Array.isArray(entry[1]) || !entry[1].every(isRange)) throw bad();
      this.recoveredRanges.set(entry[0], entry[1].map(([topic, partition, fromOffset, untilOffset]) => ({ topic, partition, fromOffset, untilOffset })));
    }
    this.recoveredFrom = from;
  }
}

function metadataOf(ranges: readonly OffsetRange[], records: readonly (readonly KafkaRecord[])[], latest: readonly PartitionOffset[]): KafkaBatchMetadata {
  const ends = offsetsByPartition(latest);
  let total = 0;
  let lag = 0;
  const offsetRanges = ranges.map((r, i) => {
    const count = records[i]?.length ?? 0;
    const left = Math.max(0, (ends.get(partitionKey(r)) ?? r.untilOffset) - r.untilOffset);
    total += count;
    lag += left;
    return { ...r, records: count, lag: left };
  });
  return { offsetRanges, records: total, lag };
}

/** Scale-out mode's checks and group (see ScaleOutGroup). */
function joinScaleOutGroup(stream: KafkaDirectDStream, context: StreamingContext, options: KafkaDirectStreamOptions, brokers: readonly string[], transactionTimeoutMs: number, scaleOut: ScaleOutOptions): ScaleOutGroup {
  if (options.startingOffsets !== undefined && options.startingOffsets !== 'committed') {
    throw new InvalidArgumentError("scaleOut starts every partition at the group's committed offset (resetOffsets where it has none); leave out startingOffsets");
  }
  if (options.transactionalId !== undefined) throw new InvalidArgumentError('scaleOut gives each process its own transactional id (sluice-<groupId>-<random>-<n>); leave out transactionalId');
  if (brokers.length === 0 && ScaleOutGroup.existing(context, options.groupId) === undefined) throw new InvalidArgumentError('scaleOut joins the consumer group through kafkajs: give brokers (a custom client alone cannot join the group)');
  const group = ScaleOutGroup.join(context, stream, stream.topics, {
    groupId: options.groupId,
    brokers,
    client: stream.client,
    resetOffsets: options.resetOffsets ?? 'latest',
    maxRatePerPartition: options.maxRatePerPartition,
    transactionTimeoutMs,
    retry: options.retry ?? {},
    clientOptions: options.clientOptions,
    options: scaleOut,
  });
  const { backpressure } = options;
  if (backpressure !== undefined && backpressure !== false) group.enableBackpressure(backpressure === true ? {} : backpressure);
  return group;
}

/** The options of a direct stream, checked: its topics, brokers and transaction timeout; or an InvalidArgumentError. */
function checkedOptions(context: unknown, options: KafkaDirectStreamOptions): { topics: string[]; brokers: string[]; timeout: number } {
  if (!(context instanceof StreamingContext)) {
    throw new InvalidArgumentError(`kafkaDirectStream(ssc, options) takes the StreamingContext first; got ${describeValue(context)}`);
  }
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError(`kafkaDirectStream(ssc, options) needs options, e.g. { brokers: '127.0.0.1:9092', topics: 'lines', groupId: 'wc' }; got ${describeValue(options)}`);
  }
  const named = typeof options.topics === 'string' ? [options.topics] : options.topics;
  const topics = typeof (named as Partial<Iterable<unknown>> | undefined)?.[Symbol.iterator] === 'function' ? [...named] : [];
  if (topics.length === 0 || topics.some((t) => typeof t !== 'string' || t === '')) throw new InvalidArgumentError(`topics must name at least one topic, got ${JSON.stringify(options.topics)}`);
  if (typeof options.groupId !== 'string' || options.groupId === '') throw new InvalidArgumentError('groupId must be a non-empty string (the consumer group that holds the committed offsets)');
  const listed = typeof options.brokers === 'string' ? options.brokers.split(',') : options.brokers;
  const brokers = (typeof (listed as Partial<Iterable<unknown>> | undefined)?.[Symbol.iterator] === 'function' ? [...listed] : []).map((b) => String(b).trim()).filter((b) => b !== '');
  if (options.client === undefined && brokers.length === 0) throw new InvalidArgumentError('brokers must name at least one broker, e.g. "127.0.0.1:9092"');
  checkStartingOffsets(options.startingOffsets);
  checkMaxRate(options.maxRatePerPartition);
  const timeout = options.transactionTimeoutMs ?? 10_000;
  if (!Number.isSafeInteger(timeout) || timeout < 1000) throw new InvalidArgumentError(`transactionTimeoutMs must be a whole number of ms, at least 1000, got ${timeout}`);
  return { topics, brokers, timeout };
}

let warnedUnfixed = false;

/** Once per process: kafkajs loaded before sluice keeps its filter, which can pass records of aborted transactions. */
function warnIfReadCommittedUnfixed(context: StreamingContext): void {
  if (kafkajsReadCommittedFixed || warnedUnfixed) return;
  warnedUnfixed = true;
  context.logger.warn(
    'kafkajs was loaded before sluice/node, so its read_committed filter could not be replaced: it can pass records of aborted ' +
      'transactions (and a scale-out restore can count a fenced batch twice). Import sluice/node before kafkajs.',
  );
}

/** Spark's KafkaUtils.createDirectStream: see KafkaDirectDStream. */
export function kafkaDirectStream(ssc: StreamingContext, options: KafkaDirectStreamOptions): KafkaDirectDStream {
  return new KafkaDirectDStream(ssc, options);
}
