import type { Pair } from '../batch/batch.js';
import { pairWithOne, sum } from '../batch/builtins.js';
import { DStream } from '../engine/dstream.js';
import './map-dstream.js';
import './reduce-by-key-dstream.js';

declare module '../engine/dstream.js' {
  interface DStream<T> {
    /**
     * (value, occurrences) per distinct value per batch; built from the
     * built-ins, so `lines.flatMap(splitWhitespace).countByValue()` runs as one kernel call.
     */
    countByValue(): DStream<Pair<T, number>>;
  }
}

DStream.prototype.countByValue = function countByValue<T>(this: DStream<T>): DStream<Pair<T, number>> {
  return this.map<Pair<T, number>>(pairWithOne).reduceByKey(sum);
};
