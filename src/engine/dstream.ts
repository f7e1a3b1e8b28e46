/**
 * DStream: a stream of batches, one per `slideDurationMs`, as in Spark Streaming.
 *
 * HOW TO WRITE AN OPERATOR (one file per operator under src/stream/)
 *
 * 1. Subclass DStream<Out> and pass the context to super. Declare
 *    - `dependencies`: the parent streams `compute` reads from;
 *    - `slideDurationMs`: how often it produces a batch (the default is the
 *      first parent's; an input stream slides by the batch interval; a
 *      window slides by its `slide` argument);
 *    - `compute(time)`: the batch for `time`, built from
 *      `parent.getOrCompute(t)` for the times it needs, or undefined when
 *      it has no batch at `time`. `getOrCompute` caches: each stream
 *      computes each time at most once, however many children read it.
 * 2. Add the user-facing method in the same file by augmenting the class
 *    (`declare module '../engine/dstream.js' { interface DStream<T> { ... } }`
 *    plus `DStream.prototype.x = function ...`), export the file from
 *    src/index.ts and import it in src/stream/operators.ts (for sluice/edge):
 *    the import is what installs the method. Methods only for
 *    pair streams take `this: DStream<Pair<K, V>>`.
 * 3. Output operators (print, foreachRDD, saveAsTextFiles) are ForEachDStreams
 *    (src/stream/foreach-dstream.ts); they `register()` with the context,
 *    and only what they reach is ever computed.
 *
 * Windows. A stream keeps its computed batches for `rememberDurationMs`
 * (default: its slide) and drops older ones after each batch completes. An
 * operator that reads older parent batches (a window of length L reads
 * (t−L, t]) overrides `parentRememberDurationMs()` to ask its parents to keep
 * L more; the engine propagates this from the outputs up at start().
 * `isTimeValid(t)` says whether t falls on this stream's slide.
 *
 * State and checkpoints. A stateful operator reads its own previous batch
 * (`this.getOrCompute(time - this.slideDurationMs)`) as Spark does, or keeps
 * state in a field keyed by batch time. Operators that cannot recompute their
 * state from a bounded history (updateStateByKey, mapWithState, inverse
 * windows) set `requiresCheckpoint = true`; start() then fails with
 * CheckpointError ERR_SLUICE_CHECKPOINT_REQUIRED unless `ssc.checkpoint(store)`
 * was called. Checkpoint writing/recovery attaches through the context:
 * `ssc.graph.streams()` lists every stream, `ssc.addAfterBatchHook(fn)`
 * runs (awaited) after each batch whose outputs succeeded, and
 * `cachedTimes()` / `getOrCompute` expose what a stream holds.
 *
 * Counters. `this.context.addBatchCounter(time, name, n)` adds to a named
 * counter of the batch's BatchInfo (e.g. malformed records skipped).
 */
import type { Batch } from '../batch/batch.js';
import { IllegalStateError } from '../errors.js';
import type { StreamingContext } from './streaming-context.js';

/** A stream of batches (Spark's DStream): chain operators on it (map, reduceByKey, window, ...) and end in an output (print, foreachRDD, saveAsTextFiles). See the top of this file for writing operators. */
export abstract class DStream<T> {
  readonly context: StreamingContext;
  /** Unique within the context, in creation order. */
  readonly id: number;
  /** Parents that `compute` reads from. */
  abstract readonly dependencies: readonly DStream<unknown>[];
  /** True for operators whose state needs a checkpoint store (checked at start()). */
  requiresCheckpoint = false;
  /** How long computed batches are kept; undefined until start() (then at least the slide). */
  rememberDurationMs: number | undefined;
  /** The time before the first batch (first batch = zeroTime + slide); set at start(). */
  protected zeroTime: number | undefined;
  private readonly generated = new Map<number, Batch<T> | undefined>();

  constructor(context: StreamingContext) {
    if (context.state !== 'initialized') {
      throw new IllegalStateError(
        `Cannot add a stream to a StreamingContext that is ${context.state}; build the whole graph before start().`,
      );
    }
    this.context = context;
    this.id = context.graph.nextStreamId();
    context.graph.addStream(this as DStream<unknown>);
  }

  /** Batch interval of this stream. Default: the first parent's. */
  get slideDurationMs(): number {
    const first = this.dependencies[0];
    if (first === undefined) throw new IllegalStateError(`${this.constructor.name} has no parent; it must define slideDurationMs`);
    return first.slideDurationMs;
  }

  /** The batch for `time` (a valid time for this stream), or undefined when there is none. */
  abstract compute(time: number): Batch<T> | undefined;

  /** How long parents must keep their batches for this stream. Windows add their length. */
  parentRememberDurationMs(): number {
    return this.rememberDurationMs ?? this.slideDurationMs;
  }

  /** True when `time` is after zeroTime and on this stream's slide. */
  isTimeValid(time: number): boolean {
    if (this.zeroTime === undefined) return false;
    const offset = time - this.zeroTime;
    return offset > 0 && offset % this.slideDurationMs === 0;
  }

  /** The cached batch for `time`, computing it on first request; undefined for invalid times. */
  getOrCompute(time: number): Batch<T> | undefined {
    if (this.generated.has(time)) return this.generated.get(time);
    if (!this.isTimeValid(time)) return undefined;
    const batch = this.compute(time);
    this.generated.set(time, batch);
    return batch;
  }

  /** Batch times currently cached (oldest first), for checkpointing and tests. */
  cachedTimes(): number[] {
    return [...this.generated.keys()].sort((a, b) => a - b);
  }

  /** Registers this stream as an output of the graph (used by output operators). */
  register(): this {
    this.context.graph.addOutputStream(this as DStream<unknown>);
    return this;
  }

  /** Output streams return the job for `time`; other streams have none. */
  generateJob(_time: number): (() => Promise<void>) | undefined {
    return undefined;
  }

  /** Called at start(), from the outputs up. */
  initialize(zeroTime: number): void {
    if (this.zeroTime !== undefined && this.zeroTime !== zeroTime) {
      throw new IllegalStateError(`Stream ${this.id} was already initialised with another zero time`);
    }
    this.zeroTime = zeroTime;
    const slide = this.slideDurationMs;
    this.rememberDurationMs = Math.max(this.rememberDurationMs ?? slide, slide);
    for (const parent of this.dependencies) parent.initialize(zeroTime);
  }

  /** Keep batches for at least `durationMs`; propagates to parents (called after initialize). */
  remember(durationMs: number): void {
    this.rememberDurationMs = Math.max(this.rememberDurationMs ?? durationMs, durationMs);
    const forParents = this.parentRememberDurationMs();
    for (const parent of this.dependencies) parent.remember(forParents);
  }

  /** Frees what the stream holds outside the JS heap (kernel tables); called once when its context has stopped. */
  release(): void {}

  /** Drops batches older than the remember duration, after batch `time` completed. */
  clearMetadata(time: number): void {
    const keepAfter = time - (this.rememberDurationMs ?? this.slideDurationMs);
    for (const t of [...this.generated.keys()]) if (t <= keepAfter) this.generated.delete(t);
    for (const parent of this.dependencies) parent.clearMetadata(time);
  }
}
