/**
 * sluice-hash64 in TypeScript (BigInt), bit-identical to assembly/hash.ts,
 * which documents the algorithm: xxh64's round applied serially to 8-byte
 * little-endian words (zero-extended tail), the length folded into the seed,
 * and xxh64's avalanche. Used by the fallback's `hash64` and by tests; the
 * fallback's tables do not need hashes (they are JS Maps).
 */
const MASK = (1n << 64n) - 1n;
const P1 = 0x9e3779b185ebca87n;
const P2 = 0xc2b2ae3d27d4eb4fn;
const P3 = 0x165667b19e3779f9n;
const P5 = 0x27d4eb2f165667c5n;

function round(acc: bigint, word: bigint): bigint {
  const x = (acc + word * P2) & MASK;
  const rotated = ((x << 31n) | (x >> 33n)) & MASK;
  return (rotated * P1) & MASK;
}

/** A seed as the unsigned 64-bit value the kernels use. */
export function seedBits(seed: number | bigint = 0): bigint {
  return BigInt.asUintN(64, typeof seed === 'bigint' ? seed : BigInt(Math.trunc(seed)));
}

export function hash64Bytes(bytes: Uint8Array, seed: number | bigint = 0): bigint {
  const len = bytes.length;
  const padded = new Uint8Array(len + 8);
  padded.set(bytes);
  const view = new DataView(padded.buffer);
  let h = ((seedBits(seed) + P5) & MASK) ^ ((BigInt(len) * P1) & MASK);
  let p = 0;
  for (; p + 8 <= len; p += 8) h = round(h, view.getBigUint64(p, true));
  if (p < len) h = round(h, view.getBigUint64(p, true));
  h ^= h >> 33n;
  h = (h * P2) & MASK;
  h ^= h >> 29n;
  h = (h * P3) & MASK;
  h ^= h >> 32n;
  return h;
}
