import { Batch } from '../batch/batch.js';
import { requireFunction } from '../arguments.js';
import { DStream } from '../engine/dstream.js';
import { TransformedDStream } from './transform-dstream.js';

declare module '../engine/dstream.js' {
  interface DStream<T> {
    /** One element per non-empty batch: all its elements reduced with `reduce` (empty batches give empty batches). */
    reduce(reduce: (a: T, b: T) => T): DStream<T>;
  }
}

DStream.prototype.reduce = function reduce<T>(this: DStream<T>, fn: (a: T, b: T) => T): DStream<T> {
  requireFunction('reduce(fn)', fn, 'reduce((a, b) => a + b)');
  return new TransformedDStream(this, (batch: Batch<T>) => (batch.isEmpty() ? Batch.empty<T>() : Batch.of([batch.reduce(fn)])));
};
