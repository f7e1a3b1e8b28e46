import type { CheckpointStore, FileSink } from '../checkpoint/store.js';
import { CheckpointError, IllegalStateError, InvalidArgumentError, JobError } from '../errors.js';
import type { Kernels } from '../kernels/api.js';
import { defaultKernels } from '../kernels/default-kernels.js';
import { type KernelsChoice, type KernelsKind, resolveKernelsChoice } from './kernels-choice.js';
import { type Clock, SystemClock } from './clock.js';
import { DStreamGraph } from './graph.js';
import { JobGenerator } from './job-generator.js';
import { type AfterBatchHook, JobScheduler } from './job-scheduler.js';
import type { JobSet } from './job-set.js';
import { type BatchInfo, ListenerBus, type StreamingListener } from './listener.js';
import { consoleLogger, type Logger, silentLogger } from './logger.js';
import { describeValue, requireCheckpointStore, requireFunction, requireStreamOf } from '../arguments.js';
import { UnionDStream } from '../stream/union-dstream.js';
import { checkReceiverBufferBytes, messageOf } from './receiver-supervisor.js';
import type { DStream } from './dstream.js';
import type { MapResult } from '../batch/batch.js';
import { checkRecordBatchBuilderOptions, type RecordBatchBuilderOptions } from '../kernels/record-batch.js';
import { Receiver } from '../receivers/receiver.js';
import { ReceiverInputDStream } from '../stream/receiver-input-dstream.js';
import { QueueInputDStream, type QueueStreamOptions } from '../stream/queue-input-dstream.js';
import { CheckpointWriter, type CheckpointOptions } from '../checkpoint/checkpoint-writer.js';
import { getOrCreateContext, type RecoveryOptions } from '../checkpoint/recovery.js';

/** What `new StreamingContext(options)` takes; only `batchIntervalMs` is required. */
export interface StreamingContextOptions {
  /** Length of one batch in ms (Spark's batchDuration). */
  readonly batchIntervalMs: number;
  /** Default: the system clock. Tests pass a ManualClock. */
  readonly clock?: Clock;
  /**
   * Kernels for the fused fast path (see KernelsChoice). Default 'auto': the
   * process-wide WASM kernels (or their TypeScript fallback, whose
   * `fallbackReason` says why), loaded on first use. 'wasm' throws a
   * KernelError here instead of falling back. `null` turns the fast path
   * off: fused chains run as plain JS closures (same results).
   */
  readonly kernels?: KernelsChoice;
  /** Where print() writes its lines. Default: console.log. */
  readonly output?: (line: string) => void;
  /** Where saveAsTextFiles() writes when no sink is passed to it. */
  readonly fileSink?: FileSink;
  /**
   * Most bytes each receiver may hold received but not yet processed (stored
   * since the last batch time, plus the data of batches not completed yet).
   * While a receiver's buffer is full, the built-in receivers stop reading
   * (TCP then slows the sender; files wait), so memory stays bounded even
   * without a rate limit or backpressure. Default 256 MiB. See ReceiverSupervisor.
   */
  readonly receiverBufferBytes?: number;
  /**
   * Where receiver errors and reconnects are logged (WARN) and notes such as
   * a connection coming back (INFO). Default: `consoleLogger` (stderr);
   * `null` logs nothing. Listeners (onReceiverError) see the same errors.
   */
  readonly logger?: Logger | null;
}

/** 'initialized' before start(), 'active' while running, 'stopped' after stop() (a stopped context cannot restart). */
export type ContextState = 'initialized' | 'active' | 'stopped';

/** Where a recovered run continues: its zero time, the last checkpointed batch, and the batches pending then. */
export interface ResumePoint {
  readonly zeroTime: number;
  readonly checkpointTime: number;
  readonly pendingTimes?: readonly number[];
  /** The start record getOrCreate wrote for a new run, not a checkpoint of an earlier run. */
  readonly firstRun?: boolean;
}

/**
 * The entry point (Spark's StreamingContext): create input streams, chain
 * operators, register outputs, then start(). Batch time t holds what was
 * received in (t − interval, t]; batches run one at a time, in order.
 */
export class StreamingContext {
  readonly batchIntervalMs: number;
  readonly clock: Clock;
  private readonly kernelsOption: Kernels | null | undefined;
  readonly output: (line: string) => void;
  readonly fileSink: FileSink | undefined;
  readonly receiverBufferBytes: number;
  /** Where receiver errors and notes go (StreamingContextOptions.logger). */
  readonly logger: Logger;
  readonly graph = new DStreamGraph();
  readonly listenerBus = new ListenerBus();
  private currentState: ContextState = 'initialized';
  private minRememberMs = 0;
  private store: CheckpointStore | undefined;
  private checkpointOptions: CheckpointOptions = {};
  /** Set by getOrCreate: the recovered zero time and last completed batch. */
  private resumePoint: ResumePoint | undefined;
  private readonly jobSets = new Map<number, JobSet>();
  private writer: CheckpointWriter | undefined;
  private readonly scheduler: JobScheduler;
  private readonly generator: JobGenerator;
  private zero: number | undefined;
  private failure: JobError | undefined;
  private stopping: Promise<void> | undefined;
  private terminated = false;
  private readonly terminationWaiters: { resolve: (done: boolean) => void; reject: (error: unknown) => void }[] = [];
  private readonly startHooks: (() => void)[] = [];

  constructor(options: StreamingContextOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidArgumentError(
        `new StreamingContext needs an options object, e.g. new StreamingContext({ batchIntervalMs: 1000 }); got ${describeValue(options)}`,
      );
    }
    const { batchIntervalMs } = options;
    if (typeof batchIntervalMs !== 'number' || !Number.isSafeInteger(batchIntervalMs) || batchIntervalMs <= 0) {
      throw new InvalidArgumentError(
        `batchIntervalMs must be a positive whole number of milliseconds, e.g. { batchIntervalMs: 1000 } for one-second batches; got ${describeValue(batchIntervalMs)}`,
      );
    }
    this.batchIntervalMs = batchIntervalMs;
    const { clock, output, logger } = options;
    if (clock !== undefined && (typeof clock?.now !== 'function' || typeof clock.schedule !== 'function')) {
      throw new InvalidArgumentError(`clock must be a Clock ({ now(), schedule(at, task) }, e.g. new ManualClock()), or left out for the system clock; got ${describeValue(clock)}`);
    }
    if (output !== undefined && typeof output !== 'function') {
      throw new InvalidArgumentError(`output must be a function taking one line, e.g. (line) => console.log(line); got ${describeValue(output)}`);
    }
    if (logger !== undefined && logger !== null && (typeof logger?.warn !== 'function' || typeof logger.info !== 'function')) {
      throw new InvalidArgumentError(`logger must be { warn(message), info(message) }, or null to log nothing; got ${describeValue(logger)}`);
    }
    this.clock = options.clock ?? new SystemClock();
    this.kernelsOption = resolveKernelsChoice(options.kernels);
    this.output = options.output ?? ((line) => console.log(line));
    this.fileSink = options.fileSink;
    this.receiverBufferBytes = checkReceiverBufferBytes(options.receiverBufferBytes);
    this.logger = options.logger === null ? silentLogger : (options.logger ?? consoleLogger);
    this.scheduler = new JobScheduler(this.clock, this.graph, this.listenerBus, (error) => this.fail(error));
    this.generator = new JobGenerator(this.clock, batchIntervalMs, this.graph, this.scheduler, this.jobSets, () => this.kernelsKind);
  }

  /** The kernels fused chains run on, or undefined when the fast path is off. */
  get kernels(): Kernels | undefined {
    if (this.kernelsOption === null) return undefined;
    return this.kernelsOption ?? defaultKernels();
  }

  /** The kind of kernels fused chains run on ('none' with `kernels: null`); also on every BatchInfo. */
  get kernelsKind(): KernelsKind {
    return this.kernels?.kind ?? 'none';
  }

  /**
   * Counts one fused kernel call in batch `time`'s BatchInfo (`kernelCalls`), or
   * in the batch being processed when `time`'s is done (as addBatchCounter).
   */
  recordKernelCall(time: number): void {
    const jobSet = this.jobSetFor(time);
    if (jobSet !== undefined) jobSet.kernelCalls++;
  }
  get state(): ContextState {
    return this.currentState;
  }

  /** Time before the first batch (first batch = zeroTime + interval); undefined before start(). */
  get zeroTime(): number | undefined {
    return this.zero;
  }

  /**
   * Spark's ssc.remember: every stream keeps its batches for at least
   * `durationMs` (default: what its windows need, else one batch), e.g. to
   * read a batch in foreachRDD after later batches ran. Before start().
   */
  remember(durationMs: number): void {
    if (this.currentState !== 'initialized') throw new IllegalStateError('remember() must be called before start()');
    if (!Number.isFinite(durationMs) || durationMs <= 0) throw new InvalidArgumentError(`remember needs a positive duration in ms, got ${String(durationMs)}`);
    this.minRememberMs = Math.max(this.minRememberMs, durationMs);
  }

  /**
   * Records where checkpoints go; required by stateful and inverse-window
   * operators. A checkpoint (state, window buffers, source positions) is
   * written after every `checkpointInterval` batches whose outputs succeeded
   * (or every `checkpointIntervalMs`); default every max(batch, 10 s), as
   * Spark does for stateful streams. Recovery is exact either way: state as
   * of the last checkpoint, then replayable sources (files, queues) are read
   * again from their positions at that checkpoint, so the batches after it
   * run again (their outputs are repeated). A source that cannot replay (a
   * socket) loses what it received after the last checkpoint.
   */
  checkpoint(store: CheckpointStore, options: CheckpointOptions = {}): void {
    if (this.currentState !== 'initialized') throw new IllegalStateError('checkpoint() must be called before start()');
    requireCheckpointStore('ssc.checkpoint(store)', store);
    CheckpointWriter.intervalBatches(options, this.batchIntervalMs);
    this.store = store;
    this.checkpointOptions = options;
  }

  /**
   * Spark's getOrCreate: when `store` holds a checkpoint, builds the graph
   * with `create()` (operator code comes from code, never from the
   * checkpoint), then restores operator state by name, source positions and
   * the batch clock, so start() resumes right after the last completed batch
   * (batches pending at the crash run again). Otherwise returns `create()`
   * as is. Either way the context checkpoints to `store`.
   *
   * A checkpoint holding state for an operator the new graph lacks is
   * refused (StateDiscardError, nothing started or written) unless
   * `options.discardState` names that state.
   */
  static async getOrCreate(
    store: CheckpointStore,
    create: () => StreamingContext | Promise<StreamingContext>,
    options: RecoveryOptions = {},
  ): Promise<StreamingContext> {
    requireCheckpointStore('StreamingContext.getOrCreate(store, create)', store);
    requireFunction('StreamingContext.getOrCreate(store, create)', create, 'getOrCreate(store, () => { const ssc = new StreamingContext({ batchIntervalMs: 1000 }); /* streams */ return ssc; })');
    return getOrCreateContext(store, async () => {
      const context = await create();
      if (!(context instanceof StreamingContext)) {
        throw new InvalidArgumentError(`StreamingContext.getOrCreate(store, create): create() must return the StreamingContext it built; got ${describeValue(context)}`);
      }
      return context;
    }, options);
  }

  /**
   * True when getOrCreate restored this context from a checkpoint (start()
   * then resumes after the last completed batch). Spark's getOrCreate does
   * not call the create function when it recovers; here it always does
   * (checkpoints hold data, not code), so a program that must act
   * differently on recovery, e.g. not re-send a greeting, checks this.
   */
  get recovered(): boolean {
    return this.resumePoint !== undefined && this.resumePoint.firstRun !== true;
  }

  /** Used by getOrCreate only: start() continues the recovered run instead of starting a new one. */
  resumeFrom(point: ResumePoint): void {
    if (this.currentState !== 'initialized') throw new IllegalStateError('A context can only be recovered before start()');
    this.resumePoint = point;
  }

  /** Time of the last batch generated (data allocated), undefined before the first. */
  get lastBatchTime(): number | undefined {
    return this.generator.lastBatchTime;
  }

  /**
   * Overdue batch times that were skipped rather than run because no input
   * could have had data for them (after downtime or a stall; see JobGenerator).
   */
  get skippedBatchCount(): number {
    return this.generator.skippedBatches;
  }

  /** Batches generated after `time` that have not completed (what a checkpoint at `time` records as pending), ascending. */
  pendingBatchTimes(time: number): number[] {
    return this.generator.unfinishedAfter(time);
  }

  get checkpointStore(): CheckpointStore | undefined {
    return this.store;
  }

  /** Lines stored by a custom receiver (started at start(), restarted when it fails). */
  receiverStream(receiver: Receiver, options: RecordBatchBuilderOptions = {}): DStream<string> {
    if (!(receiver instanceof Receiver)) {
      throw new InvalidArgumentError(`receiverStream(receiver) needs an instance of a Receiver subclass (onStart, onStop, store: see examples/custom-receiver.ts); got ${describeValue(receiver)}`);
    }
    // Before the stream joins the graph: a refused one must not stay there.
    checkRecordBatchBuilderOptions(options);
    return new ReceiverInputDStream(this, receiver, options);
  }

  /** Spark's queueStream: each batch takes the next array of `queue` (or all, without oneAtATime). */
  queueStream<T>(queue: (readonly T[])[], options: QueueStreamOptions<T> = {}): DStream<T> {
    if (!Array.isArray(queue)) {
      throw new InvalidArgumentError(`queueStream(queue) needs an array of arrays (one per batch), e.g. ssc.queueStream([['a b'], ['c']]); got ${describeValue(queue)}`);
    }
    return new QueueInputDStream(this, queue, options);
  }

  /**
   * Spark's ssc.union: the elements of all `streams`, per batch (all from
   * this context, with the same slide).
   */
  union<T extends MapResult>(...streams: DStream<T>[]): DStream<T>;
  /** The same with the streams in an array, as Spark's `ssc.union(Seq(...))`. */
  union<T extends MapResult>(streams: readonly DStream<T>[]): DStream<T>;
  union<T extends MapResult>(...streams: (DStream<T> | readonly DStream<T>[])[]): DStream<T> {
    const flat = (streams.length === 1 && Array.isArray(streams[0]) ? streams[0] : streams) as DStream<T>[];
    if (flat.length === 0) throw new InvalidArgumentError('ssc.union(...streams) needs at least one stream, e.g. ssc.union(a, b)');
    for (const stream of flat) requireStreamOf('ssc.union(...streams)', stream, this);
    return new UnionDStream(flat);
  }

  /** Registers a listener for batch and receiver events. */
  addStreamingListener(listener: StreamingListener): void {
    if (typeof listener !== 'object' || listener === null) {
      throw new InvalidArgumentError(`addStreamingListener(listener) needs an object with the events it handles, e.g. { onBatchCompleted: ({ batchInfo }) => … }; got ${describeValue(listener)}`);
    }
    this.listenerBus.add(listener);
  }

  /** Removes a listener added with addStreamingListener. */
  removeStreamingListener(listener: StreamingListener): void {
    this.listenerBus.remove(listener);
  }

  /**
   * Runs `hook()` at the beginning of start(), once the whole graph is built
   * and before it is checked; a throwing hook fails start() with nothing started.
   */
  beforeStart(hook: () => void): void {
    if (this.currentState !== 'initialized') throw new IllegalStateError('beforeStart() must be called before start()');
    this.startHooks.push(hook);
  }

  /**
   * Runs `hook(batchTime)` after every batch whose outputs all succeeded,
   * before the batch counts as completed (for checkpoint writes and source
   * offset commits). A throwing hook fails the batch like a failing output.
   */
  addAfterBatchHook(hook: AfterBatchHook): void {
    this.scheduler.addAfterBatchHook(hook);
  }

  /**
   * Adds `amount` to the named counter of batch `time`'s BatchInfo; when that
   * batch is already done (a window recomputing an old batch), of the batch
   * being processed now.
   */
  addBatchCounter(time: number, name: string, amount: number): void {
    this.jobSetFor(time)?.addCounter(name, amount);
  }

  /** Batch `time`'s job set; when that batch is done (a window recomputing an old batch), the one being processed now. */
  private jobSetFor(time: number): JobSet | undefined {
    return this.jobSets.get(time) ?? this.scheduler.activeJobSet();
  }

  /** Sets what input stream `streamId` reports about batch `time` (BatchInfo.inputMetadata). */
  setInputMetadata(time: number, streamId: number, metadata: unknown): void {
    const jobSet = this.jobSets.get(time);
    if (jobSet !== undefined) jobSet.inputMetadata[streamId] = metadata;
  }

  /**
   * Starts receiving and processing. Throws (and stays unstarted) when the
   * graph has no output or needs a checkpoint store that was not given. On a
   * context already started it only logs a warning, as Spark does.
   */
  start(): void {
    if (this.currentState === 'active') {
      // Spark 3.5 only warns here (it threw before 1.4): code that starts defensively keeps running.
      this.logger.warn('StreamingContext has already been started; this start() does nothing');
      return;
    }
    if (this.currentState === 'stopped') {
      throw new IllegalStateError('A stopped StreamingContext cannot be restarted; create a new one (as in Spark)');
    }
    // Before the checkpoint check: a source that keeps state durable elsewhere (Kafka changelogs) prepares the graph's state here.
    for (const hook of this.startHooks) hook();
    if (this.graph.outputStreams().length === 0) {
      throw new IllegalStateError('No output operations registered, so nothing to execute: add print(), foreachRDD() or saveAsTextFiles() before start()');
    }
    const needsCheckpoint = this.graph.streams().find((s) => s.requiresCheckpoint);
    if (needsCheckpoint !== undefined && this.store === undefined) {
      throw new CheckpointError(
        'ERR_SLUICE_CHECKPOINT_REQUIRED',
        `${needsCheckpoint.constructor.name} (stream ${needsCheckpoint.id}) keeps state across batches and needs a checkpoint store: call ssc.checkpoint(store) before start()`,
      );
    }
    const now = this.clock.now();
    this.zero = this.resumePoint?.zeroTime ?? Math.floor(now / this.batchIntervalMs) * this.batchIntervalMs;
    // Before initialize, so a name used twice fails start() with nothing started.
    const writer = this.store === undefined ? undefined : new CheckpointWriter(this, this.store, this.checkpointOptions);
    this.writer = writer;
    this.graph.initialize(this.zero, this.minRememberMs);
    if (writer !== undefined) this.addAfterBatchHook((time) => writer.afterBatch(time));
    this.currentState = 'active';
    for (const input of this.graph.inputStreams()) input.start();
    // A recovered run continues after its last checkpointed batch: pending batches run again, empty overdue ones are skipped (JobGenerator).
    this.generator.start((this.resumePoint?.checkpointTime ?? this.zero) + this.batchIntervalMs, this.zero, this.resumePoint?.pendingTimes);
  }

  /**
   * Generates batch `time` now, without waiting for the clock, and resolves
   * with its BatchInfo once its outputs (and checkpoint) are done; rejects
   * with the JobError when the batch failed (the context then stops).
   * Default `time`: the next batch time; a later one must be on the batch
   * grid (zeroTime + k × interval), and the times in between are skipped.
   * The clock's timer then waits for the batch after it. This is how to run
   * batches where timers do not outlive a request (Cloudflare Workers, other
   * edge runtimes): give the context a ManualClock, which never fires by
   * itself, and call runBatch() in each request, after handing it the input.
   */
  async runBatch(time?: number): Promise<BatchInfo> {
    if (this.currentState !== 'active') throw new IllegalStateError(`runBatch() needs a started context (it is ${this.currentState})`);
    const info = await this.generator.runNow(time);
    if (info.failure !== undefined) throw info.failure;
    return info;
  }

  /**
   * Stops the context. `graceful`: stop receiving, then process everything
   * already received (queued batches, plus one last batch for data received
   * since the last batch time, generated without waiting for the clock)
   * before stopping. Otherwise queued batches are dropped; a batch already
   * running finishes. Called from an output function (foreachRDD) before its
   * first `await`, stop() resolves at once, so `await ssc.stop()` there does
   * not wait for the batch that is waiting for it; the stop completes after
   * that batch (awaitTermination tells when). Called later in an async
   * output, do not await it.
   */
  stop(options: { graceful?: boolean } = {}): Promise<void> {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidArgumentError(
        `stop(options) takes an object, e.g. stop({ graceful: true }) (Spark's stop(stopSparkContext, stopGracefully) booleans have no meaning here); got ${describeValue(options)}`,
      );
    }
    const stopping = this.beginStop(options);
    return this.scheduler.insideOutputCall ? Promise.resolve() : stopping;
  }

  private beginStop(options: { graceful?: boolean }): Promise<void> {
    if (this.stopping !== undefined) return this.stopping;
    if (this.currentState === 'initialized') {
      this.currentState = 'stopped';
      this.stopping = Promise.resolve();
      this.terminate();
      return this.stopping;
    }
    this.currentState = 'stopped';
    this.stopping = this.shutdown(options.graceful === true && this.failure === undefined);
    return this.stopping;
  }

  /**
   * Resolves true once the context has stopped, false when `timeoutMs`
   * (on the context's clock) passes first; rejects with the JobError of a
   * failed batch.
   */
  awaitTermination(timeoutMs?: number): Promise<boolean> {
    if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || !(timeoutMs >= 0))) {
      throw new InvalidArgumentError(`awaitTermination(timeoutMs) needs a duration in ms ≥ 0 (or nothing, to wait until stopped); got ${describeValue(timeoutMs)}`);
    }
    if (this.terminated) {
      return this.failure === undefined ? Promise.resolve(true) : Promise.reject(this.failure);
    }
    if (timeoutMs === undefined && this.scheduler.insideOutputCall) {
      throw new IllegalStateError('awaitTermination() inside an output function would wait for itself: the context cannot stop before this batch ends. Call ssc.stop() there, and await termination outside the outputs');
    }
    // Nothing to wait for (as Spark's waitForStopOrError with no time left); a ManualClock would otherwise wait for an advance.
    if (timeoutMs === 0) return Promise.resolve(false);
    return new Promise<boolean>((resolve, reject) => {
      let cancelTimeout: (() => void) | undefined;
      const waiter = {
        resolve: (done: boolean) => {
          cancelTimeout?.();
          resolve(done);
        },
        reject: (error: unknown) => {
          cancelTimeout?.();
          reject(error);
        },
      };
      this.terminationWaiters.push(waiter);
      if (timeoutMs !== undefined) {
        cancelTimeout = this.clock.schedule(this.clock.now() + timeoutMs, () => {
          const i = this.terminationWaiters.indexOf(waiter);
          if (i === -1) return;
          this.terminationWaiters.splice(i, 1);
          resolve(false);
        });
      }
    });
  }

  /**
   * Spark's awaitTerminationOrTimeout: true once the context has stopped,
   * false when `timeoutMs` (on the context's clock) passes first; rejects
   * with the JobError of a failed batch.
   */
  awaitTerminationOrTimeout(timeoutMs: number): Promise<boolean> {
    if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0)) {
      throw new InvalidArgumentError(`awaitTerminationOrTimeout(timeoutMs) needs a duration in ms ≥ 0, e.g. 10_000; got ${describeValue(timeoutMs)}`);
    }
    return this.awaitTermination(timeoutMs);
  }

  private async shutdown(graceful: boolean): Promise<void> {
    const inputs = this.graph.inputStreams();
    this.generator.stop();
    if (graceful) {
      for (const input of inputs) await input.stop();
      if (inputs.some((input) => input.hasPendingData())) {
        const last = this.generator.lastBatchTime ?? (this.zero as number);
        void this.generator.generate(last + this.batchIntervalMs);
      }
      await this.scheduler.idle();
    } else {
      this.scheduler.cancelPending();
      await this.scheduler.idle();
      for (const input of inputs) await input.stop();
    }
    // After a failed batch the state may hold part of it: the last checkpoint stays the one to recover from.
    if (this.failure === undefined) {
      await this.writer?.flush().catch((error: unknown) => {
        this.failure = new JobError(`The checkpoint written at stop failed: ${messageOf(error)}`, { cause: error });
      });
    }
    for (const input of inputs) await input.close();
    this.terminate();
  }

  private fail(error: JobError): void {
    // Said where the operator looks (Spark logs "Error running job"), not only to whoever awaits termination.
    if (this.failure === undefined) this.logger.warn(`${error.message} awaitTermination() rejects with this error (${error.code}).`);
    this.failure ??= error;
    void this.stop();
  }

  private terminate(): void {
    this.terminated = true;
    for (const stream of this.graph.streams()) stream.release();
    for (const waiter of this.terminationWaiters.splice(0)) {
      if (this.failure === undefined) waiter.resolve(true);
      else waiter.reject(this.failure);
    }
  }
}
