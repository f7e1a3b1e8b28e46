import type { Batch, Pair } from '../batch/batch.js';
import { DStream } from '../engine/dstream.js';

/** `groupByKey()`: one (key, values[]) pair per key per batch, values in arrival order. */
export class GroupedByKeyDStream<K, V> extends DStream<Pair<K, V[]>> {
  readonly dependencies: readonly DStream<unknown>[];

  constructor(readonly parent: DStream<Pair<K, V>>) {
    super(parent.context);
    this.dependencies = [parent];
  }

  compute(time: number): Batch<Pair<K, V[]>> | undefined {
    return this.parent.getOrCompute(time)?.groupByKey();
  }
}

declare module '../engine/dstream.js' {
  interface DStream<T> {
    /** All values of each key in the batch. */
    groupByKey<K, V>(this: DStream<Pair<K, V>>): DStream<Pair<K, V[]>>;
  }
}

DStream.prototype.groupByKey = function groupByKey<K, V>(this: DStream<Pair<K, V>>): DStream<Pair<K, V[]>> {
  return new GroupedByKeyDStream(this);
};
