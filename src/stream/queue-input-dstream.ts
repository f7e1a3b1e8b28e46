import { Batch } from '../batch/batch.js';
import { CheckpointError, InvalidArgumentError } from '../errors.js';
import { describeValue } from '../arguments.js';
import { InputDStream } from '../engine/input-dstream.js';
import type { StreamingContext } from '../engine/streaming-context.js';

/** Options of `ssc.queueStream(queue, options)`. */
export interface QueueStreamOptions<T> {
  /** Take one array per batch (default true); otherwise all queued arrays, as partitions of one batch. */
  readonly oneAtATime?: boolean;
  /** The batch to use when the queue is empty (default: an empty batch). */
  readonly defaultBatch?: readonly T[];
}

/**
 * Spark's queueStream: a queue of arrays (Spark: of RDDs) that the caller may
 * keep pushing to; each batch takes the next one (or all of them). Arrays are
 * taken at batch time.
 *
 * Replayable when the queue is rebuilt the same way: its checkpoint position
 * is the number of arrays taken so far, and a recovered stream skips that
 * many arrays of the new queue (as they arrive) before taking any.
 */
export class QueueInputDStream<T> extends InputDStream<T> {
  private taken = 0;
  private toSkip = 0;

  constructor(
    context: StreamingContext,
    private readonly queue: (readonly T[])[],
    private readonly options: QueueStreamOptions<T> = {},
  ) {
    super(context);
  }

  override checkpointPosition(): number {
    return this.taken;
  }

  override restorePosition(position: unknown): void {
    if (!Number.isSafeInteger(position) || (position as number) < 0) {
      throw new CheckpointError('ERR_SLUICE_CHECKPOINT_INCOMPATIBLE', `A queueStream position must be a count of arrays taken, got ${JSON.stringify(position)}: the checkpoint was written for another kind of source. Start from an empty checkpoint store.`);
    }
    this.taken = position as number;
    this.toSkip = position as number;
  }

  /** Each batch takes the next array (or the default batch), so a batch is empty only once the queue is. */
  override mightHaveData(): boolean {
    return this.queue.length > this.toSkip || this.options.defaultBatch !== undefined;
  }

  protected take(_time: number): Batch<T> {
    const skipped = this.queue.splice(0, Math.min(this.toSkip, this.queue.length)).length;
    this.toSkip -= skipped;
    if (this.queue.length === 0 || this.toSkip > 0) {
      return this.options.defaultBatch === undefined ? Batch.empty<T>() : Batch.of(this.options.defaultBatch);
    }
    if (this.options.oneAtATime ?? true) {
      this.taken++;
      return Batch.of(queuedArray(this.queue.shift()));
    }
    this.taken += this.queue.length;
    return Batch.fromPartitions(this.queue.splice(0).map(queuedArray));
  }
}

/** A queued item, which must be an array (Spark: an RDD); anything else fails the batch saying so. */
function queuedArray<T>(item: readonly T[] | undefined): readonly T[] {
  if (!Array.isArray(item)) {
    throw new InvalidArgumentError(`queueStream: each item pushed to the queue must be an array of one batch's elements, e.g. queue.push(['a b', 'c']); got ${describeValue(item)}`);
  }
  return item;
}
