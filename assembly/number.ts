/*
 * Decimal number parsing for delimited fields, agreeing with JS Number() on
 * every form it accepts:
 *
 *   [ws] [+|-] ( digits [. [digits]] | . digits ) [(e|E) [+|-] digits] [ws]
 *
 * where ws is Java `\s` (space, \t, \n, \x0B, \f, \r). Anything else (empty,
 * hex, "Infinity", "NaN", "1_000", "1,5") is rejected: NaN is returned and
 * the line is counted as malformed, whereas Number() would give 0 for "" and
 * accept hex/Infinity. A value beyond ±MAX_FIELD_MAGNITUDE (2^959, about
 * 4.9e288; "1e309", which overflows, included) is rejected too: below it, no
 * sum of fewer than 2^64 accepted values can overflow, so batch sums and
 * running totals stay finite whatever the order or partitioning of the
 * additions (src/kernels/js-number.ts applies the same bound). For accepted forms the result is bit-identical to
 * Number(): when the significant digits fit 2^53 and the decimal exponent is
 * within ±22, one correctly rounded multiply or divide by an exact power of
 * ten gives the exact answer (Clinger's fast path); every other accepted
 * string is handed to Number() itself through the `env.parseNumber` import.
 */

import { isSpace } from './text';

// @ts-ignore: decorator
@external("env", "parseNumber")
declare function parseNumberSlow(ptr: usize, len: usize): f64;

/** 2^959: the largest magnitude a field may have (see the module comment); the exponent bits of 2^959. */
const MAX_FIELD_MAGNITUDE: f64 = reinterpret<f64>(<u64>(959 + 1023) << 52);

const POW10 = memory.data<f64>([
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
]);


// @ts-ignore: decorator
@inline const ONES: u64 = 0x0101010101010101;

/**
 * Fixed-point prices of at most 8 bytes (`12345`, `123.45`, `7.`, `.5`:
 * digits with at most one '.', no sign), branch-free: one load, the dot found
 * and squeezed out, all bytes checked as digits at once, and the digits
 * combined pairwise (8 → 4 → 2 → 1) by three multiplies. The mantissa is below
 * 10^8 and the scale at most 10^7, so `m / 10^f` is the same single correctly
 * rounded division as the general path's: the result is bit-identical.
 * Returns -1 (never a result here) when the bytes are not of this form.
 * n must be 1..8.
 */
// @ts-ignore: decorator
@inline export function parseShortFixed(p: usize, n: usize): f64 {
  const keep = <u64>-1 >> (<u64>(64 - (n << 3)));
  let w = load<u64>(p) & keep;
  // The first '.' among the n bytes (exact for the lowest match), or none.
  const x = (w ^ (ONES * 0x2e)) | ~keep;
  const dots = (x - ONES) & ~x & (ONES * 0x80);
  const dot = <u64>ctz<u64>(dots) & ~7;
  // The dot reads as '0' for the digit check: a second '.' still fails it.
  if (dots != 0) w += <u64>2 << dot;
  const d = w - ONES * 0x30;
  if ((((d + ONES * 0x76) | d) & (ONES * 0x80) & keep) != 0) return -1;
  let digits = n;
  let fraction: usize = 0;
  if (dots != 0) {
    // Squeeze the dot out (two shifts: a shift by 64 would be a shift by 0).
    w = (w & ((<u64>1 << dot) - 1)) | ((w >> dot >> 8) << dot);
    digits = n - 1;
    fraction = digits - <usize>(dot >> 3);
    if (digits == 0) return -1;
  }
  // Left-align so missing leading digits are zero bytes, then combine pairwise.
  w <<= <u64>(64 - (digits << 3));
  w = ((w & (ONES * 0x0f)) * 2561) >> 8;
  w = ((w & 0x00ff00ff00ff00ff) * 6553601) >> 16;
  w = ((w & 0x0000ffff0000ffff) * 42949672960001) >> 32;
  const m = <f64>w;
  return fraction == 0 ? m : m / load<f64>(POW10 + (fraction << 3));
}

/**
 * The number in [p, end), or NaN when the bytes are not an accepted form.
 * Unsigned fixed-point values of up to 8 bytes take parseShortFixed; other
 * plain decimals (`-12.34`: no spaces, no exponent, at most 19 digits whose
 * value fits 2^53) a short path with one branch per digit.
 */
export function parseDecimal(p: usize, end: usize): f64 {
  const n = end - p;
  if (n - 1 < 8) {
    const v = parseShortFixed(p, n);
    if (v >= 0) return v;
  }
  let q = p;
  const negative = q < end && load<u8>(q) == 0x2d;
  if (negative) q++;
  const intStart = q;
  let mantissa: u64 = 0;
  while (q < end) {
    const d = <u32>load<u8>(q) - 0x30;
    if (d > 9) break;
    mantissa = mantissa * 10 + d;
    q++;
  }
  let digits = q - intStart;
  let fraction: usize = 0;
  if (q < end && load<u8>(q) == 0x2e) {
    q++;
    const fracStart = q;
    while (q < end) {
      const d = <u32>load<u8>(q) - 0x30;
      if (d > 9) break;
      mantissa = mantissa * 10 + d;
      q++;
    }
    fraction = q - fracStart;
    digits += fraction;
  }
  if (q == end && digits - 1 < 19 && mantissa <= (<u64>1 << 53)) {
    const m = <f64>mantissa;
    const v = fraction == 0 ? m : m / load<f64>(POW10 + (fraction << 3));
    return negative ? -v : v;
  }
  return parseGeneral(p, end);
}

/** Every accepted form (see the module comment). */
function parseGeneral(p: usize, end: usize): f64 {
  while (p < end && isSpace(load<u8>(p))) p++;
  while (end > p && isSpace(load<u8>(end - 1))) end--;
  if (p == end) return NaN;
  const start = p;
  let negative = false;
  let b = <u32>load<u8>(p);
  if (b == 0x2d || b == 0x2b) {
    negative = b == 0x2d;
    p++;
  }
  let mantissa: u64 = 0;
  let significant: u32 = 0;
  let exp10: i32 = 0;
  let digits: u32 = 0;
  let inexact = false;
  while (p < end) {
    const d = <u32>load<u8>(p) - 0x30;
    if (d > 9) break;
    digits++;
    if (significant < 19) {
      mantissa = mantissa * 10 + d;
      if (mantissa != 0) significant++;
    } else {
      exp10++;
      if (d != 0) inexact = true;
    }
    p++;
  }
  if (p < end && load<u8>(p) == 0x2e) {
    p++;
    while (p < end) {
      const d = <u32>load<u8>(p) - 0x30;
      if (d > 9) break;
      digits++;
      if (significant < 19) {
        mantissa = mantissa * 10 + d;
        if (mantissa != 0) significant++;
        exp10--;
      } else if (d != 0) inexact = true;
      p++;
    }
  }
  if (digits == 0) return NaN;
  if (p < end && (load<u8>(p) | 0x20) == 0x65) {
    p++;
    let expNegative = false;
    if (p < end) {
      b = <u32>load<u8>(p);
      if (b == 0x2d || b == 0x2b) {
        expNegative = b == 0x2d;
        p++;
      }
    }
    let e: i32 = 0;
    let expDigits = 0;
    while (p < end) {
      const d = <u32>load<u8>(p) - 0x30;
      if (d > 9) break;
      if (e < 100000) e = e * 10 + <i32>d;
      expDigits++;
      p++;
    }
    if (expDigits == 0) return NaN;
    exp10 += expNegative ? -e : e;
  }
  if (p != end) return NaN;
  if (mantissa == 0 && !inexact) return negative ? -0.0 : 0.0;
  if (!inexact && mantissa <= (<u64>1 << 53) && exp10 >= -22 && exp10 <= 22) {
    const m = <f64>mantissa;
    const v = exp10 >= 0 ? m * load<f64>(POW10 + (<usize>exp10 << 3)) : m / load<f64>(POW10 + (<usize>-exp10 << 3));
    return negative ? -v : v;
  }
  const slow = parseNumberSlow(start, end - start);
  // The fast paths above stay below 2^53 * 10^22, far inside the bound; NaN fails the comparison too.
  return abs<f64>(slow) <= MAX_FIELD_MAGNITUDE ? slow : NaN;
}
