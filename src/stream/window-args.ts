import type { DStream } from '../engine/dstream.js';
import { InvalidArgumentError } from '../errors.js';

/**
 * Checks a window's length and slide against its parent (as Spark does, at
 * definition time): both positive whole multiples of the parent's slide,
 * which is the batch interval unless the parent is itself a window.
 * Returns the slide to use (default: the parent's slide).
 */
export function checkWindow(parent: DStream<unknown>, operator: string, windowMs: number, slideMs?: number): { windowMs: number; slideMs: number } {
  const parentSlide = parent.slideDurationMs;
  const slide = slideMs ?? parentSlide;
  const interval = parent.context.batchIntervalMs;
  const unit = parentSlide === interval ? `the batch interval (${interval} ms)` : `the parent stream's slide (${parentSlide} ms)`;
  for (const [what, value] of [['window length', windowMs], ['slide', slide]] as const) {
    if (!Number.isSafeInteger(value) || value <= 0 || value % parentSlide !== 0) {
      throw new InvalidArgumentError(`${operator}: the ${what} must be a positive multiple of ${unit}, got ${value} ms`);
    }
  }
  return { windowMs, slideMs: slide };
}
