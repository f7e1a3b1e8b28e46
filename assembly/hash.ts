/*
 * sluice-hash64: a seeded 64-bit hash of a byte range, identical in
 * src/kernels/hash.ts (the TypeScript fallback, BigInt).
 *
 *   h = (seed + P5) ^ (len * P1)                  (mod 2^64)
 *   for each 8-byte little-endian word w:  h = rotl(h + w * P2, 31) * P1
 *   a final 1..7-byte tail is read as a word zero-extended in its high bytes
 *   h ^= h >> 33; h *= P2; h ^= h >> 29; h *= P3; h ^= h >> 32   (xxh64's avalanche)
 *
 * with xxh64's primes. The round is a bijection of h for a fixed word and of
 * the word for a fixed h, and the avalanche is a bijection, so keys of the
 * same length up to 8 bytes never collide. Reads may run up to 7 bytes past
 * the range (masked off), so callers keep LAYOUT_INPUT_PADDING after inputs.
 */

// @ts-ignore: decorator
@inline const P1: u64 = 0x9e3779b185ebca87;
// @ts-ignore: decorator
@inline const P2: u64 = 0xc2b2ae3d27d4eb4f;
// @ts-ignore: decorator
@inline const P3: u64 = 0x165667b19e3779f9;
// @ts-ignore: decorator
@inline const P5: u64 = 0x27d4eb2f165667c5;

// @ts-ignore: decorator
@inline function round(acc: u64, word: u64): u64 {
  return rotl<u64>(acc + word * P2, 31) * P1;
}

/** The low `n` (1..7) bytes at p as a little-endian word. */
// @ts-ignore: decorator
@inline export function tailWord(p: usize, n: usize): u64 {
  return load<u64>(p) & ((<u64>1 << (<u64>n << 3)) - 1);
}

// @ts-ignore: decorator
@inline export function hashRange(p: usize, len: usize, seed: u64): u64 {
  let h = (seed + P5) ^ (<u64>len * P1);
  if (len - 1 < 8) {
    // 1..8 bytes (most words): one masked load, no loop.
    h = round(h, load<u64>(p) & (<u64>-1 >> (<u64>(64 - (len << 3)))));
  } else {
    const end = p + len;
    while (p + 8 <= end) {
      h = round(h, load<u64>(p));
      p += 8;
    }
    if (p < end) h = round(h, tailWord(p, end - p));
  }
  h ^= h >> 33;
  h *= P2;
  h ^= h >> 29;
  h *= P3;
  h ^= h >> 32;
  return h;
}

/** Which of `parts` hash partitions a hash belongs to (uses the high 32 bits; slots use the low bits). */
// @ts-ignore: decorator
@inline export function partitionOf(h: u64, parts: u32): u32 {
  return <u32>(((h >> 32) * <u64>parts) >> 32);
}

export function hash64(p: usize, len: usize, seed: u64): u64 {
  return hashRange(p, len, seed);
}
