import type { Batch } from '../batch/batch.js';
import { DStream } from '../engine/dstream.js';

/** `transform(fn)`: any batch-to-batch function, given the batch time (Spark's transform). */
export class TransformedDStream<T, U> extends DStream<U> {
  readonly dependencies: readonly DStream<unknown>[];

  constructor(
    readonly parent: DStream<T>,
    readonly fn: (batch: Batch<T>, time: number) => Batch<U>,
  ) {
    super(parent.context);
    this.dependencies = [parent];
  }

  compute(time: number): Batch<U> | undefined {
    const batch = this.parent.getOrCompute(time);
    return batch === undefined ? undefined : this.fn(batch, time);
  }
}

declare module '../engine/dstream.js' {
  interface DStream<T> {
    /** Applies a Batch-to-Batch function to every batch (it may use any Batch operation). */
    transform<U>(fn: (batch: Batch<T>, time: number) => Batch<U>): DStream<U>;
  }
}

DStream.prototype.transform = function transform<T, U>(this: DStream<T>, fn: (batch: Batch<T>, time: number) => Batch<U>): DStream<U> {
  return new TransformedDStream(this, fn);
};
