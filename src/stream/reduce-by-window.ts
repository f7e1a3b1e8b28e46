import type { Pair } from '../batch/batch.js';
import { nameStateHolder } from '../checkpoint/stream-names.js';
import { DStream } from '../engine/dstream.js';
import { InvalidArgumentError } from '../errors.js';
import { ReducedWindowedDStream } from './reduce-by-key-and-window-dstream.js';
import { checkWindow } from './window-args.js';
import './map-dstream.js';

/** The one key all elements share when a whole window is reduced as one key (a string, so kernel tables can hold it). */
const WINDOW_KEY = 'window';

/**
 * reduceByWindow as Spark builds it: every element under one key, then
 * reduceByKeyAndWindow, then the value. Empty windows give empty batches;
 * in the inverse form the key stays once it has been seen, so a window
 * emptied of data gives the inverse-reduced value (0 for counts), as in Spark.
 */
export function reduceWindowAsOneKey<T>(
  stream: DStream<T>,
  reduce: (a: T, b: T) => T,
  inverse: ((a: T, b: T) => T) | undefined,
  windowMs: number,
  slideMs: number | undefined,
  operator = 'reduceByWindow',
): DStream<T> {
  checkWindow(stream, operator, windowMs, slideMs);
  const keyed = stream.map((value): Pair<string, T> => [WINDOW_KEY, value]);
  const windowed = new ReducedWindowedDStream<string, T>(keyed, reduce, inverse, windowMs, slideMs, undefined, operator);
  return nameStateHolder(windowed.map((pair) => pair[1]), windowed);
}

declare module '../engine/dstream.js' {
  interface DStream<T> {
    /** Every `slideMs`, all elements of the last `windowMs` reduced with `reduce` (one element; none for an empty window). */
    reduceByWindow(reduce: (a: T, b: T) => T, windowMs: number, slideMs?: number): DStream<T>;
    /** The incremental form: `inverse` undoes `reduce` for batches leaving the window. Needs ssc.checkpoint(store). */
    reduceByWindow(reduce: (a: T, b: T) => T, inverse: (a: T, b: T) => T, windowMs: number, slideMs?: number): DStream<T>;
  }
}

DStream.prototype.reduceByWindow = function reduceByWindow<T>(
  this: DStream<T>,
  reduce: (a: T, b: T) => T,
  inverseOrWindow: ((a: T, b: T) => T) | number,
  windowOrSlide?: number,
  slide?: number,
): DStream<T> {
  if (typeof inverseOrWindow === 'function') {
    if (windowOrSlide === undefined) throw new InvalidArgumentError('reduceByWindow(reduce, inverse, windowMs, slideMs?) needs windowMs');
    return reduceWindowAsOneKey(this, reduce, inverseOrWindow, windowOrSlide, slide);
  }
  return reduceWindowAsOneKey(this, reduce, undefined, inverseOrWindow, windowOrSlide);
} as DStream<unknown>['reduceByWindow'];
