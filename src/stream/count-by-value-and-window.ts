import type { Pair } from '../batch/batch.js';
import { nonZero, pairWithOne, subtract, sum } from '../batch/builtins.js';
import { DStream } from '../engine/dstream.js';
import { checkWindow } from './window-args.js';
import { ReducedWindowedDStream } from './reduce-by-key-and-window-dstream.js';
import './map-dstream.js';

declare module '../engine/dstream.js' {
  interface DStream<T> {
    /**
     * Every `slideMs`, (value, occurrences) for each distinct value in the
     * last `windowMs`; values whose count falls to 0 disappear. Incremental
     * (Spark's countByValueAndWindow), so it needs ssc.checkpoint(store); on
     * string values the counts live in a kernel table, and
     * `lines.flatMap(splitWhitespace).countByValueAndWindow(...)` counts each batch in one kernel call.
     */
    countByValueAndWindow(windowMs: number, slideMs?: number): DStream<Pair<T, number>>;
  }
}

DStream.prototype.countByValueAndWindow = function countByValueAndWindow<T>(this: DStream<T>, windowMs: number, slideMs?: number): DStream<Pair<T, number>> {
  checkWindow(this, 'countByValueAndWindow', windowMs, slideMs);
  return new ReducedWindowedDStream<T, number>(this.map<Pair<T, number>>(pairWithOne), sum, subtract, windowMs, slideMs, nonZero);
};
