import type { Pair } from '../batch/batch.js';
import { DStream } from '../engine/dstream.js';
import { leftOuterJoinGroup } from '../batch/joins.js';
import { CoGroupedDStream } from './cogroup-dstream.js';
import './flat-map-dstream.js';

declare module '../engine/dstream.js' {
  interface DStream<T> {
    /**
     * Spark's leftOuterJoin, per batch: every value v of this stream as
     * (key, [v, w]) for each w of `other` under its key, or (key, [v, undefined])
     * when `other` has none (undefined stands for Spark's None).
     */
    leftOuterJoin<K, V, W>(this: DStream<Pair<K, V>>, other: DStream<Pair<K, W>>): DStream<Pair<K, readonly [V, W | undefined]>>;
  }
}

DStream.prototype.leftOuterJoin = function leftOuterJoin<K, V, W>(this: DStream<Pair<K, V>>, other: DStream<Pair<K, W>>): DStream<Pair<K, readonly [V, W | undefined]>> {
  return new CoGroupedDStream(this, other, 'leftOuterJoin').flatMap(leftOuterJoinGroup);
};
