import type { Pair } from '../batch/batch.js';
import { DStream } from '../engine/dstream.js';
import './group-by-key-dstream.js';
import './window-dstream.js';

declare module '../engine/dstream.js' {
  interface DStream<T> {
    /**
     * Every `slideMs` (default: this stream's slide), all values of each key
     * over the last `windowMs` (Spark's groupByKeyAndWindow: a window, then
     * groupByKey), values oldest batch first.
     */
    groupByKeyAndWindow<K, V>(this: DStream<Pair<K, V>>, windowMs: number, slideMs?: number): DStream<Pair<K, V[]>>;
  }
}

DStream.prototype.groupByKeyAndWindow = function groupByKeyAndWindow<K, V>(this: DStream<Pair<K, V>>, windowMs: number, slideMs?: number): DStream<Pair<K, V[]>> {
  return this.window(windowMs, slideMs).groupByKey();
};
