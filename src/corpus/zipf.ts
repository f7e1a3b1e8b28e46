import type { Rng } from './prng.js';

/**
 * Draws ranks 0..n-1 with P(rank r) ∝ 1 / (r + 1)^s (Zipf's law; s = 1 is the
 * classic word-frequency shape). Inverse-CDF sampling over a precomputed
 * cumulative table: exact, deterministic, O(log n) per draw.
 */
export class ZipfSampler {
  readonly size: number;
  private readonly cdf: Float64Array;

  constructor(size: number, exponent = 1) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`Zipf size must be a positive integer, got ${size}`);
    this.size = size;
    this.cdf = new Float64Array(size);
    let total = 0;
    for (let r = 0; r < size; r++) {
      total += 1 / Math.pow(r + 1, exponent);
      this.cdf[r] = total;
    }
    for (let r = 0; r < size; r++) this.cdf[r] = (this.cdf[r] as number) / total;
    this.cdf[size - 1] = 1;
  }

  /** Probability of rank r (for tests and documentation). */
  probability(rank: number): number {
    const hi = this.cdf[rank];
    if (hi === undefined) return 0;
    return hi - (rank === 0 ? 0 : (this.cdf[rank - 1] as number));
  }

  sample(rng: Rng): number {
    const u = rng.nextFloat();
    const cdf = this.cdf;
    let lo = 0;
    let hi = this.size - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (u < (cdf[mid] as number)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
