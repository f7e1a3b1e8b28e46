import { requireInteger } from '../arguments.js';
import { DStream } from '../engine/dstream.js';
import { TransformedDStream } from './transform-dstream.js';

declare module '../engine/dstream.js' {
  interface DStream<T> {
    /**
     * Every batch's elements dealt round-robin into `numPartitions`
     * partitions (Spark's repartition): e.g. saveAsTextFiles then writes
     * that many part files, and foreachRDD's foreachPartition sees that many.
     */
    repartition(numPartitions: number): DStream<T>;
  }
}

DStream.prototype.repartition = function repartition<T>(this: DStream<T>, numPartitions: number): DStream<T> {
  requireInteger('repartition(numPartitions)', 'numPartitions', numPartitions, 1);
  return new TransformedDStream(this, (batch) => batch.repartition(numPartitions));
};
