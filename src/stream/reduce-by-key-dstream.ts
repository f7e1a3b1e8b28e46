import type { Batch, Pair } from '../batch/batch.js';
import { requireFunction } from '../arguments.js';
import { DStream } from '../engine/dstream.js';
import { fuseReduceByKey } from './fuse.js';

/**
 * `reduceByKey(reduce)`: one pair per key per batch, its values folded with
 * `reduce` (the built-in `count` counts values instead). Key order in the
 * result is unspecified, as in Spark.
 */
export class ReducedByKeyDStream<K, V> extends DStream<Pair<K, V>> {
  readonly dependencies: readonly DStream<unknown>[];

  constructor(
    readonly parent: DStream<Pair<K, V>>,
    readonly reduceFn: (a: V, b: V) => V,
  ) {
    super(parent.context);
    this.dependencies = [parent];
  }

  compute(time: number): Batch<Pair<K, V>> | undefined {
    return this.parent.getOrCompute(time)?.reduceByKey(this.reduceFn);
  }
}

declare module '../engine/dstream.js' {
  interface DStream<T> {
    /**
     * Per-batch reduce of the values of each key. Built-in chains
     * (`flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum)`,
     * `flatMap(keyValueFields(...)).reduceByKey(sum|count|min|max)`) run as one kernel call.
     */
    reduceByKey<K, V>(this: DStream<Pair<K, V>>, reduce: (a: V, b: V) => V): DStream<Pair<K, V>>;
  }
}

DStream.prototype.reduceByKey = function reduceByKey<K, V>(this: DStream<Pair<K, V>>, reduce: (a: V, b: V) => V): DStream<Pair<K, V>> {
  requireFunction('reduceByKey(reduce)', reduce, 'reduceByKey((a, b) => a + b) or reduceByKey(sum)');
  const plain = new ReducedByKeyDStream(this, reduce);
  return fuseReduceByKey(plain) ?? plain;
};
