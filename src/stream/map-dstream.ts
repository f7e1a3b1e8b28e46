import type { Batch, MapResult } from '../batch/batch.js';
import { requireFunction } from '../arguments.js';
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
    /**
     * A stream of `fn(x)` for every element x. A function returning a
     * two-element array literal (`(w) => [w, 1]`) gives a stream of pairs,
     * ready for reduceByKey and the other pair operations.
     */
    map<U extends MapResult>(fn: (value: T) => U): DStream<U>;
  }
}

DStream.prototype.map = function map<T, U>(this: DStream<T>, fn: (value: T) => U): DStream<U> {
  requireFunction('map(fn)', fn, 'map((x) => x * 2) or map((w) => [w, 1])');
  return new MappedDStream(this, fn);
};
