import type { Pair } from '../batch/batch.js';
import { requireFunction } from '../arguments.js';
import { DStream } from '../engine/dstream.js';
import { TransformedDStream } from './transform-dstream.js';

declare module '../engine/dstream.js' {
  interface DStream<T> {
    /** `(k, fn(v))` for every pair, keys untouched (Spark's mapValues). */
    mapValues<K, V, U>(this: DStream<Pair<K, V>>, fn: (value: V) => U): DStream<Pair<K, U>>;
  }
}

DStream.prototype.mapValues = function mapValues<K, V, U>(this: DStream<Pair<K, V>>, fn: (value: V) => U): DStream<Pair<K, U>> {
  requireFunction('mapValues(fn)', fn, 'mapValues((v) => v * 2)');
  return new TransformedDStream(this, (batch) => batch.mapValues(fn));
};
