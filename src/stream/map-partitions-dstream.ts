import type { Batch } from '../batch/batch.js';
import { requireFunction } from '../arguments.js';
import { DStream } from '../engine/dstream.js';

/** `mapPartitions(fn)`: `fn` sees each whole partition and returns the new one's elements. */
export class MapPartitionedDStream<T, U> extends DStream<U> {
  readonly dependencies: readonly DStream<unknown>[];

  constructor(
    readonly parent: DStream<T>,
    readonly fn: (elements: readonly T[], partitionIndex: number) => Iterable<U>,
  ) {
    super(parent.context);
    this.dependencies = [parent];
  }

  compute(time: number): Batch<U> | undefined {
    return this.parent.getOrCompute(time)?.mapPartitions(this.fn);
  }
}

declare module '../engine/dstream.js' {
  interface DStream<T> {
    /** `fn` maps a whole partition at once (set-up cost paid once per partition). */
    mapPartitions<U>(fn: (elements: readonly T[], partitionIndex: number) => Iterable<U>): DStream<U>;
  }
}

DStream.prototype.mapPartitions = function mapPartitions<T, U>(
  this: DStream<T>,
  fn: (elements: readonly T[], partitionIndex: number) => Iterable<U>,
): DStream<U> {
  requireFunction('mapPartitions(fn)', fn, 'mapPartitions((elements) => [elements.length])');
  return new MapPartitionedDStream(this, fn);
};
