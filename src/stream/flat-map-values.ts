import type { Pair } from '../batch/batch.js';
import { requireFunction } from '../arguments.js';
import { DStream } from '../engine/dstream.js';
import { TransformedDStream } from './transform-dstream.js';

declare module '../engine/dstream.js' {
  interface DStream<T> {
    /** `(k, u)` for every u in `fn(v)`, for every pair (Spark's flatMapValues). */
    flatMapValues<K, V, U>(this: DStream<Pair<K, V>>, fn: (value: V) => Iterable<U>): DStream<Pair<K, U>>;
  }
}

DStream.prototype.flatMapValues = function flatMapValues<K, V, U>(this: DStream<Pair<K, V>>, fn: (value: V) => Iterable<U>): DStream<Pair<K, U>> {
  requireFunction('flatMapValues(fn)', fn, 'flatMapValues((v) => v.split(","))');
  return new TransformedDStream(this, (batch) => batch.flatMapValues(fn));
};
