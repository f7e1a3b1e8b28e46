import { Rng } from './prng.js';
import type { LineSource } from './line-source.js';

export const DEFAULT_DISTINCT_KEYS = 5_000_000;
export const DISTINCT_KEYS_PER_LINE = 10;

/**
 * Keys `k<base36>` over `keyCount` distinct values, 10 per line, each key
 * exactly once per pass: the key of position i is (i · stride + offset) mod
 * keyCount with stride coprime to keyCount, so the order is scattered (no
 * sequential runs for a hash table to enjoy) yet every key appears before any
 * repeats. After a full pass the same order starts again.
 */
export class DistinctSource implements LineSource {
  readonly keyCount: number;
  private readonly stride: number;
  private readonly offset: number;
  private position = 0;

  constructor(seed: number, keyCount = DEFAULT_DISTINCT_KEYS) {
    // i · stride must stay exact in a double: both below 2^26 keeps it < 2^52.
    if (!Number.isInteger(keyCount) || keyCount < 1 || keyCount > 1 << 26) {
      throw new RangeError(`keyCount must be an integer in [1, 2^26], got ${keyCount}`);
    }
    this.keyCount = keyCount;
    const rng = new Rng(seed);
    let stride = Math.max(1, Math.floor(keyCount * (0.3 + 0.4 * rng.nextFloat())));
    while (gcd(stride, keyCount) !== 1) stride++;
    this.stride = stride;
    this.offset = rng.nextInt(keyCount);
  }

  /** An upper bound on the UTF-8 size of one pass (keys have at most 6 base-36 digits). */
  static passByteBound(keyCount: number): number {
    return keyCount * 8;
  }

  nextLine(): string {
    let line = '';
    for (let i = 0; i < DISTINCT_KEYS_PER_LINE; i++) {
      const key = (this.position * this.stride + this.offset) % this.keyCount;
      this.position = this.position + 1 === this.keyCount ? 0 : this.position + 1;
      line += (i === 0 ? 'k' : ' k') + key.toString(36);
    }
    return line;
  }
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
