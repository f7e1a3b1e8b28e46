import { Batch } from '../batch/batch.js';
import { requireFunction } from '../arguments.js';
import { DStream } from '../engine/dstream.js';
import { InvalidArgumentError } from '../errors.js';

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
    if (batch === undefined) return undefined;
    return batchResult('transform(fn)', this.fn(batch, time));
  }
}

/**
 * The Batch a transform function returned; anything else is a clear error.
 * Spark requires an RDD here too; an array (the likely mistake) would
 * otherwise fail later, far from the cause.
 */
export function batchResult<U>(operation: string, result: unknown): Batch<U> {
  if (!(result instanceof Batch)) {
    const got = Array.isArray(result) ? 'an array (wrap it: Batch.of(array))' : result === undefined || result === null ? String(result) : `a ${typeof result}`;
    throw new InvalidArgumentError(`${operation}: fn must return a Batch (e.g. batch.map(...) or Batch.of(array)), got ${got}`);
  }
  return result as Batch<U>;
}

declare module '../engine/dstream.js' {
  interface DStream<T> {
    /** Applies a Batch-to-Batch function to every batch (it may use any Batch operation). */
    transform<U>(fn: (batch: Batch<T>, time: number) => Batch<U>): DStream<U>;
  }
}

DStream.prototype.transform = function transform<T, U>(this: DStream<T>, fn: (batch: Batch<T>, time: number) => Batch<U>): DStream<U> {
  requireFunction('transform(fn)', fn, 'transform((batch) => batch.sortByKey())');
  return new TransformedDStream(this, fn);
};
