/**
 * The fallback's number parsing for delimited fields: exactly the forms the
 * WASM parser accepts (assembly/number.ts documents them), converted by
 * Number() itself, so both implementations agree bit for bit (values that
 * overflow to ±Infinity are rejected by both).
 */
const ACCEPTED = /^[ \t\n\v\f\r]*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[ \t\n\v\f\r]*$/;

/** The number in `text`, or NaN when it is not an accepted form. */
export function parseDecimalField(text: string): number {
  if (!ACCEPTED.test(text)) return NaN;
  const value = Number(text);
  return Number.isFinite(value) ? value : NaN;
}
