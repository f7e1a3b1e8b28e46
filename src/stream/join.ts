import type { Pair } from '../batch/batch.js';
import { DStream } from '../engine/dstream.js';
import { innerJoinGroup } from '../batch/joins.js';
import { CoGroupedDStream } from './cogroup-dstream.js';
import './flat-map-dstream.js';

declare module '../engine/dstream.js' {
  interface DStream<T> {
    /**
     * Spark's join, per batch: (key, [v, w]) for every pair of a value v of
     * this stream and a value w of `other` under the same key. Keys on one
     * side only are left out. Both streams need the same slide.
     */
    join<K, V, W>(this: DStream<Pair<K, V>>, other: DStream<Pair<K, W>>): DStream<Pair<K, readonly [V, W]>>;
  }
}

DStream.prototype.join = function join<K, V, W>(this: DStream<Pair<K, V>>, other: DStream<Pair<K, W>>): DStream<Pair<K, readonly [V, W]>> {
  return new CoGroupedDStream(this, other, 'join').flatMap(innerJoinGroup);
};
