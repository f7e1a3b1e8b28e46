/**
 * The fallback's number parsing for delimited fields: exactly the forms the
 * WASM parser accepts (assembly/number.ts documents them), converted by
 * Number() itself, so both implementations agree bit for bit. Both reject
 * values beyond ±MAX_FIELD_MAGNITUDE, those that overflow to ±Infinity
 * included.
 */
const ACCEPTED = /^[ \t\n\v\f\r]*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[ \t\n\v\f\r]*$/;

/**
 * The largest magnitude a delimited value may have: 2^959 (about 4.9e288).
 * No sum of fewer than 2^64 values within it can reach ±Infinity (2^64 ·
 * 2^959 = 2^1023), so batch sums, running totals and window sums of parsed
 * values stay finite, in any order and partitioning of the additions, and a
 * line is accepted or rejected for what it holds alone, on every path.
 */
export const MAX_FIELD_MAGNITUDE = 2 ** 959;

/** The number in `text`, or NaN when it is not an accepted form or lies beyond ±MAX_FIELD_MAGNITUDE. */
export function parseDecimalField(text: string): number {
  if (!ACCEPTED.test(text)) return NaN;
  const value = Number(text);
  return Math.abs(value) <= MAX_FIELD_MAGNITUDE ? value : NaN;
}
