import type { Rng } from '../../src/corpus/prng.js';

/** Cuts `bytes` into consecutive chunks of random sizes (some empty), covering every byte once. */
export function randomChunks(bytes: Uint8Array, rng: Rng, maxChunk: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    const size = rng.nextInt(maxChunk + 1);
    chunks.push(bytes.slice(at, Math.min(at + size, bytes.length)));
    at += size;
  }
  return chunks;
}
