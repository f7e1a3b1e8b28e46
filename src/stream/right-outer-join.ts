import type { Pair } from '../batch/batch.js';
import { DStream } from '../engine/dstream.js';
import { CoGroupedDStream } from './cogroup-dstream.js';
import './flat-map-dstream.js';

declare module '../engine/dstream.js' {
  interface DStream<T> {
    /**
     * Spark's rightOuterJoin, per batch: every value w of `other` as
     * (key, [v, w]) for each v of this stream under its key, or
     * (key, [undefined, w]) when this stream has none (undefined for None).
     */
    rightOuterJoin<K, V, W>(this: DStream<Pair<K, V>>, other: DStream<Pair<K, W>>): DStream<Pair<K, readonly [V | undefined, W]>>;
  }
}

DStream.prototype.rightOuterJoin = function rightOuterJoin<K, V, W>(this: DStream<Pair<K, V>>, other: DStream<Pair<K, W>>): DStream<Pair<K, readonly [V | undefined, W]>> {
  return new CoGroupedDStream(this, other, 'rightOuterJoin').flatMap(([key, [values, others]]) => {
    const out: Pair<K, readonly [V | undefined, W]>[] = [];
    for (const w of others) {
      if (values.length === 0) out.push([key, [undefined, w]]);
      else for (const v of values) out.push([key, [v, w]]);
    }
    return out;
  });
};
