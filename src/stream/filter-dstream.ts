import type { Batch } from '../batch/batch.js';
import { requireFunction } from '../arguments.js';
import { DStream } from '../engine/dstream.js';

/** `filter(predicate)`: the elements for which `predicate` is true. */
export class FilteredDStream<T> extends DStream<T> {
  readonly dependencies: readonly DStream<unknown>[];

  constructor(
    readonly parent: DStream<T>,
    readonly predicate: (value: T) => boolean,
  ) {
    super(parent.context);
    this.dependencies = [parent];
  }

  compute(time: number): Batch<T> | undefined {
    return this.parent.getOrCompute(time)?.filter(this.predicate);
  }
}

declare module '../engine/dstream.js' {
  interface DStream<T> {
    /** The elements for which `predicate` returns true. */
    filter(predicate: (value: T) => boolean): DStream<T>;
  }
}

DStream.prototype.filter = function filter<T>(this: DStream<T>, predicate: (value: T) => boolean): DStream<T> {
  requireFunction('filter(predicate)', predicate, 'filter((x) => x > 0)');
  return new FilteredDStream(this, predicate);
};
