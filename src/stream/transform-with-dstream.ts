import { Batch, type MapResult } from '../batch/batch.js';
import { requireFunction } from '../arguments.js';
import { DStream } from '../engine/dstream.js';
import { InvalidArgumentError } from '../errors.js';
import { batchResult } from './transform-dstream.js';

/**
 * `transformWith(other, fn)`: per batch time, `fn(thisBatch, otherBatch, time)`
 * (Spark's transformWith). Both streams must belong to one context and
 * slide alike; a stream with no batch at that time is seen as an empty batch.
 */
export class TransformedWithDStream<T, U, R> extends DStream<R> {
  readonly dependencies: readonly DStream<unknown>[];

  constructor(
    readonly left: DStream<T>,
    readonly right: DStream<U>,
    readonly fn: (left: Batch<T>, right: Batch<U>, time: number) => Batch<R>,
  ) {
    if (!(right instanceof DStream)) throw new InvalidArgumentError('transformWith(other, fn): other must be a DStream of the same StreamingContext');
    if (right.context !== left.context) throw new InvalidArgumentError('transformWith of streams from different StreamingContexts: build both from one context');
    if (right.slideDurationMs !== left.slideDurationMs) {
      throw new InvalidArgumentError(
        `transformWith of streams with different slides (${left.slideDurationMs} ms and ${right.slideDurationMs} ms): window them to the same slide first`,
      );
    }
    super(left.context);
    this.dependencies = [left, right];
  }

  compute(time: number): Batch<R> | undefined {
    const left = this.left.getOrCompute(time);
    const right = this.right.getOrCompute(time);
    if (left === undefined && right === undefined) return undefined;
    return batchResult('transformWith(other, fn)', this.fn(left ?? Batch.empty<T>(), right ?? Batch.empty<U>(), time));
  }
}

declare module '../engine/dstream.js' {
  interface DStream<T> {
    /**
     * Applies a function of this stream's batch and `other`'s batch of the
     * same time (e.g. `(a, b) => a.join(b)`); it may use any Batch operation.
     */
    transformWith<U extends MapResult, R>(other: DStream<U>, fn: (batch: Batch<T>, other: Batch<U>, time: number) => Batch<R>): DStream<R>;
  }
}

DStream.prototype.transformWith = function transformWith<T, U extends MapResult, R>(
  this: DStream<T>,
  other: DStream<U>,
  fn: (batch: Batch<T>, other: Batch<U>, time: number) => Batch<R>,
): DStream<R> {
  requireFunction('transformWith(other, fn)', fn, 'transformWith(other, (a, b) => a.union(b))');
  return new TransformedWithDStream(this, other, fn);
};
