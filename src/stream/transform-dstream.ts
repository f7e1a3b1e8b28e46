import { Batch } from '../batch/batch.js';
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
    const result: unknown = this.fn(batch, time);
    // Spark requires an RDD here too; an array (the likely mistake) would otherwise fail later, far from the cause.
    if (!(result instanceof Batch)) {
      const got = Array.isArray(result) ? 'an array (wrap it: Batch.of(array))' : result === undefined || result === null ? String(result) : `a ${typeof result}`;
      throw new InvalidArgumentError(`transform(fn): fn must return a Batch (e.g. batch.map(...) or Batch.of(array)), got ${got}`);
    }
    return result as Batch<U>;
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
