import type { Pair } from '../batch/batch.js';
import { DStream } from '../engine/dstream.js';
import { CoGroupedDStream } from './cogroup-dstream.js';
import './flat-map-dstream.js';

declare module '../engine/dstream.js' {
  interface DStream<T> {
    /**
     * Spark's fullOuterJoin, per batch: (key, [v, w]) for every pair under a
     * key on both sides, and (key, [v, undefined]) / (key, [undefined, w]) for
     * keys on one side only (undefined stands for Spark's None).
     */
    fullOuterJoin<K, V, W>(this: DStream<Pair<K, V>>, other: DStream<Pair<K, W>>): DStream<Pair<K, readonly [V | undefined, W | undefined]>>;
  }
}

DStream.prototype.fullOuterJoin = function fullOuterJoin<K, V, W>(this: DStream<Pair<K, V>>, other: DStream<Pair<K, W>>): DStream<Pair<K, readonly [V | undefined, W | undefined]>> {
  return new CoGroupedDStream(this, other, 'fullOuterJoin').flatMap(([key, [values, others]]) => {
    const out: Pair<K, readonly [V | undefined, W | undefined]>[] = [];
    if (values.length === 0) for (const w of others) out.push([key, [undefined, w]]);
    else if (others.length === 0) for (const v of values) out.push([key, [v, undefined]]);
    else for (const v of values) for (const w of others) out.push([key, [v, w]]);
    return out;
  });
};
