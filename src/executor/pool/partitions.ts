/**
 * Cutting a batch into partitions at record boundaries, so that every
 * partition can be counted on its own and the partial results merge into
 * exactly what one pass over the whole batch gives.
 */
import { isJavaSpace } from '../../kernels/js-text.js';

/** Where a partition may end: `at` is the first byte of the next partition. */
export type BoundaryRule = (bytes: Uint8Array, at: number) => boolean;

/** Word count: cut on a whitespace byte (a word never spans two partitions). */
export const atWhitespace: BoundaryRule = (bytes, at) => isJavaSpace(bytes[at] as number);

/** Delimited lines: cut just after a '\n' (a line never spans two partitions). */
export const afterNewline: BoundaryRule = (bytes, at) => bytes[at - 1] === 0x0a;

/**
 * Ends of up to `parts` partitions of near-equal size covering [0, length);
 * the last end is `length`. Fewer partitions when boundaries are scarce
 * (a partition never ends inside a record) or the batch is small
 * (no partition below `minBytes`, except a batch smaller than that).
 */
export function partitionEnds(bytes: Uint8Array, parts: number, minBytes: number, isBoundary: BoundaryRule): number[] {
  const length = bytes.length;
  const count = Math.max(1, Math.min(parts, Math.floor(length / Math.max(1, minBytes))));
  const ends: number[] = [];
  let start = 0;
  for (let i = 1; i < count; i++) {
    let at = Math.max(start + 1, Math.floor((length * i) / count));
    while (at < length && !isBoundary(bytes, at)) at++;
    if (at >= length) break;
    ends.push(at);
    start = at;
  }
  ends.push(length);
  return ends;
}
