import { Batch } from '../batch/batch.js';
import { DStream } from '../engine/dstream.js';
import { TransformedDStream } from './transform-dstream.js';

declare module '../engine/dstream.js' {
  interface DStream<T> {
    /** One element per batch: its number of elements (0 for an empty batch, as in Spark). */
    count(): DStream<number>;
  }
}

DStream.prototype.count = function count<T>(this: DStream<T>): DStream<number> {
  return new TransformedDStream(this, (batch: Batch<T>) => Batch.of([batch.count()]));
};
