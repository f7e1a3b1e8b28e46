/** Rules both table implementations share, so their behaviour cannot drift apart. */
import type { Reducer } from './api.js';
import { InvalidArgumentError } from '../errors.js';

/** Folds x into the current value (undefined: a new key) the way the kernel's combine() does. */
export function foldValue(reducer: Reducer, current: number | undefined, x: number): number {
  if (current === undefined) return x;
  switch (reducer) {
    case 'min':
      return Math.min(current, x);
    case 'max':
      return Math.max(current, x);
    default:
      // Count tables hold counts, and merging counts adds them.
      return current + x;
  }
}

export function requireSubtractable(reducer: Reducer): void {
  if (reducer === 'min' || reducer === 'max') {
    throw new InvalidArgumentError(`subtract needs a sum or count table; this one reduces with ${reducer}`);
  }
}

export function requireCountingTable(reducer: Reducer): void {
  if (reducer !== 'sum' && reducer !== 'count') {
    throw new InvalidArgumentError(`Word counts go into a sum or count table, not a ${reducer} table`);
  }
}

export function checkReducer(reducer: Reducer): void {
  if (reducer !== 'sum' && reducer !== 'count' && reducer !== 'min' && reducer !== 'max') {
    throw new InvalidArgumentError(`Unknown reducer ${JSON.stringify(reducer)}; use sum, count, min or max`);
  }
}
