import type { Batch } from '../batch/batch.js';
import { DStream } from '../engine/dstream.js';

/** `map(fn)`: each element through `fn`. */
export class MappedDStream<T, U> extends DStream<U> {
  readonly dependencies: readonly DStream<unknown>[];

  constructor(
    readonly parent: DStream<T>,
    readonly fn: (value: T) => U,
  ) {
    super(parent.context);
    this.dependencies = [parent];
  }

  compute(time: number): Batch<U> | undefined {
    return this.parent.getOrCompute(time)?.map(this.fn);
  }
}

declare module '../engine/dstream.js' {
  interface DStream<T> {
    /** A stream of `fn(x)` for every element x. */
    map<U>(fn: (value: T) => U): DStream<U>;
  }
}

DStream.prototype.map = function map<T, U>(this: DStream<T>, fn: (value: T) => U): DStream<U> {
  return new MappedDStream(this, fn);
};
