import { Batch } from '../batch/batch.js';
import { InputDStream } from '../engine/input-dstream.js';
import type { StreamingContext } from '../engine/streaming-context.js';

export interface QueueStreamOptions<T> {
  /** Take one array per batch (default true); otherwise all queued arrays, as partitions of one batch. */
  readonly oneAtATime?: boolean;
  /** The batch to use when the queue is empty (default: an empty batch). */
  readonly defaultBatch?: readonly T[];
}

/**
 * Spark's queueStream: a queue of arrays (Spark: of RDDs) that the caller may
 * keep pushing to; each batch takes the next one (or all of them). Arrays are
 * taken at batch time. Not replayable, so not recoverable from a checkpoint.
 */
export class QueueInputDStream<T> extends InputDStream<T> {
  constructor(
    context: StreamingContext,
    private readonly queue: (readonly T[])[],
    private readonly options: QueueStreamOptions<T> = {},
  ) {
    super(context);
  }

  protected take(_time: number): Batch<T> {
    if (this.queue.length === 0) {
      return this.options.defaultBatch === undefined ? Batch.empty<T>() : Batch.of(this.options.defaultBatch);
    }
    if (this.options.oneAtATime ?? true) return Batch.of(this.queue.shift() as readonly T[]);
    return Batch.fromPartitions(this.queue.splice(0));
  }
}
