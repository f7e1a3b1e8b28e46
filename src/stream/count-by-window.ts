import { subtract, sum } from '../batch/builtins.js';
import { DStream } from '../engine/dstream.js';
import { checkWindow } from './window-args.js';
import { reduceWindowAsOneKey } from './reduce-by-window.js';
import './map-dstream.js';

declare module '../engine/dstream.js' {
  interface DStream<T> {
    /**
     * Every `slideMs`, the number of elements in the last `windowMs` (Spark's
     * countByWindow: an incremental count, so it needs ssc.checkpoint(store);
     * nothing is emitted before the first element, 0 for a window emptied since).
     */
    countByWindow(windowMs: number, slideMs?: number): DStream<number>;
  }
}

DStream.prototype.countByWindow = function countByWindow<T>(this: DStream<T>, windowMs: number, slideMs?: number): DStream<number> {
  checkWindow(this, 'countByWindow', windowMs, slideMs);
  return reduceWindowAsOneKey(this.map(() => 1), sum, subtract, windowMs, slideMs, 'countByWindow');
};
