/*
 * Byte classification shared by the scanning kernels. Whitespace is Java's
 * `\s`: space, \t, \n, \x0B, \f, \r (0x20 and 0x09..0x0D). Every other byte,
 * including all non-ASCII bytes, belongs to a token.
 */

// @ts-ignore: decorator
@inline export function isSpace(b: u32): bool {
  return b == 0x20 || b - 9 <= 4;
}

/** Bit i set when byte i of the 16 at p is whitespace. */
// @ts-ignore: decorator
@inline export function spaceMask(p: usize): u32 {
  const v = v128.load(p);
  const sp = i8x16.eq(v, i8x16.splat(0x20));
  const ctl = i8x16.le_u(i8x16.sub(v, i8x16.splat(9)), i8x16.splat(4));
  return <u32>i8x16.bitmask(v128.or(sp, ctl));
}

/**
 * Bit i set when byte p+i (i < 64) is whitespace or at/after `end`. Loads
 * 16 bytes at a time and never starts a load at or past `end`, so it reads at
 * most 15 bytes beyond `end` (within LAYOUT_INPUT_PADDING).
 */
// @ts-ignore: decorator
@inline export function spaceMask64(p: usize, end: usize): u64 {
  if (p + 64 <= end) {
    return <u64>spaceMask(p) | (<u64>spaceMask(p + 16) << 16) | (<u64>spaceMask(p + 32) << 32) | (<u64>spaceMask(p + 48) << 48);
  }
  let m: u64 = 0;
  for (let lane: usize = 0; lane < 64; lane += 16) {
    const bits: u64 = p + lane < end ? <u64>spaceMask(p + lane) : 0xffff;
    m |= bits << <u64>lane;
  }
  const valid = end - p;
  return valid >= 64 ? m : m | (<u64>-1 << <u64>valid);
}

/** First whitespace byte in [p, end), or end. Reads up to 15 bytes past end. */
// @ts-ignore: decorator
@inline export function findSpace(p: usize, end: usize): usize {
  while (p < end) {
    const m = spaceMask(p);
    if (m != 0) {
      const q = p + ctz<u32>(m);
      return q < end ? q : end;
    }
    p += 16;
  }
  return end;
}

/** First non-whitespace byte in [p, end), or end. Reads up to 15 bytes past end. */
// @ts-ignore: decorator
@inline export function skipSpace(p: usize, end: usize): usize {
  while (p < end) {
    const m = ~spaceMask(p) & 0xffff;
    if (m != 0) {
      const q = p + ctz<u32>(m);
      return q < end ? q : end;
    }
    p += 16;
  }
  return end;
}

/** Whether [a, a+len) and [b, b+len) hold the same bytes. Reads up to 7 bytes past both. */
// @ts-ignore: decorator
@inline export function bytesEqual(a: usize, b: usize, len: usize): bool {
  if (len - 1 < 8) return ((load<u64>(a) ^ load<u64>(b)) & (<u64>-1 >> (<u64>(64 - (len << 3))))) == 0;
  let i: usize = 0;
  while (i + 8 <= len) {
    if (load<u64>(a + i) != load<u64>(b + i)) return false;
    i += 8;
  }
  if (i == len) return true;
  const mask = (<u64>1 << (<u64>(len - i) << 3)) - 1;
  return ((load<u64>(a + i) ^ load<u64>(b + i)) & mask) == 0;
}

/** memcmp: negative, zero or positive as [a, a+la) sorts before, with or after [b, b+lb). */
export function compareBytes(a: usize, la: usize, b: usize, lb: usize): i32 {
  const n = la < lb ? la : lb;
  for (let i: usize = 0; i < n; i++) {
    const x = <i32>load<u8>(a + i);
    const y = <i32>load<u8>(b + i);
    if (x != y) return x - y;
  }
  return la < lb ? -1 : la > lb ? 1 : 0;
}

/**
 * Number of UTF-16 code units TextDecoder('utf-8') produces for [p, p+len),
 * following the WHATWG decoder exactly, including one U+FFFD per maximal
 * invalid subsequence. Lets the TypeScript side split one bulk decode of many
 * keys by offsets, whatever bytes the keys hold.
 */
export function utf16Length(p: usize, len: usize): u32 {
  const end = p + len;
  let units: u32 = 0;
  let needed: u32 = 0;
  let seen: u32 = 0;
  let lower: u32 = 0x80;
  let upper: u32 = 0xbf;
  while (p < end) {
    if (needed == 0 && p + 8 <= end && (load<u64>(p) & 0x8080808080808080) == 0) {
      units += 8;
      p += 8;
      continue;
    }
    const b = <u32>load<u8>(p);
    if (needed == 0) {
      p++;
      if (b < 0x80) units++;
      else if (b >= 0xc2 && b <= 0xdf) needed = 1;
      else if (b >= 0xe0 && b <= 0xef) {
        if (b == 0xe0) lower = 0xa0;
        if (b == 0xed) upper = 0x9f;
        needed = 2;
      } else if (b >= 0xf0 && b <= 0xf4) {
        if (b == 0xf0) lower = 0x90;
        if (b == 0xf4) upper = 0x8f;
        needed = 3;
      } else units++;
      seen = 0;
      continue;
    }
    if (b < lower || b > upper) {
      // Invalid continuation: one U+FFFD, and the byte is looked at again.
      units++;
      needed = 0;
      lower = 0x80;
      upper = 0xbf;
      continue;
    }
    p++;
    lower = 0x80;
    upper = 0xbf;
    seen++;
    if (seen == needed) {
      units += needed == 3 ? 2 : 1;
      needed = 0;
    }
  }
  if (needed != 0) units++;
  return units;
}
