/**
 * Deterministic text corpora for benchmarks, tests and `sluice gen`: the same
 * name, seed and options always give the same lines and bytes, on every
 * runtime (edge-safe: no Node-only APIs).
 */
import { DistinctSource, DEFAULT_DISTINCT_KEYS, DISTINCT_KEYS_PER_LINE } from './distinct.js';
import { EnglishSource } from './english.js';
import { fillBytes, iterateLines, type LineSource } from './line-source.js';
import { MixedSource } from './mixed.js';
import { OrdersSource } from './orders.js';

export type { LineSource } from './line-source.js';
export { fillBytes, iterateLines } from './line-source.js';
export { Rng } from './prng.js';
export { ZipfSampler } from './zipf.js';
export { englishVocabulary, cjkVocabulary, ENGLISH_VOCABULARY_SIZE, CJK_VOCABULARY_SIZE } from './vocabulary.js';
export { EnglishSource } from './english.js';
export { MixedSource, CJK_WORD_SHARE } from './mixed.js';
export { DistinctSource, DEFAULT_DISTINCT_KEYS, DISTINCT_KEYS_PER_LINE } from './distinct.js';
export { OrdersSource, PROVINCE_COUNT, BAD_PRICES } from './orders.js';

export const CORPUS_NAMES = ['english', 'mixed', 'distinct', 'orders'] as const;
export type CorpusName = (typeof CORPUS_NAMES)[number];

export const DEFAULT_SEED = 42;

export interface CorpusOptions {
  /** Default 42. */
  readonly seed?: number;
  /** distinct only: number of distinct keys per pass. Default 5,000,000. */
  readonly distinctKeys?: number;
  /** orders only: share of deliberately malformed lines. Default 0. */
  readonly malformedRate?: number;
}

export function isCorpusName(name: string): name is CorpusName {
  return (CORPUS_NAMES as readonly string[]).includes(name);
}

export function createCorpus(name: CorpusName, options: CorpusOptions = {}): LineSource {
  const seed = options.seed ?? DEFAULT_SEED;
  switch (name) {
    case 'english':
      return new EnglishSource(seed);
    case 'mixed':
      return new MixedSource(seed);
    case 'distinct':
      return new DistinctSource(seed, options.distinctKeys ?? DEFAULT_DISTINCT_KEYS);
    case 'orders':
      return new OrdersSource(seed, options.malformedRate === undefined ? {} : { malformedRate: options.malformedRate });
  }
}

/** The corpus as an endless iterator of lines (without '\n'). */
export function corpusLines(name: CorpusName, options: CorpusOptions = {}): Generator<string, never, undefined> {
  return iterateLines(createCorpus(name, options));
}

/**
 * The first lines of the corpus as UTF-8, each followed by '\n', at most
 * `byteLength` bytes (whole lines only, so shorter by less than one line).
 */
export function corpusBytes(name: CorpusName, byteLength: number, options: CorpusOptions & { maxLines?: number } = {}): Uint8Array {
  const source = createCorpus(name, options);
  return fillBytes(source, options.maxLines === undefined ? { byteLength } : { byteLength, maxLines: options.maxLines });
}

/** One full pass of the distinct corpus: every one of `keyCount` keys exactly once (keyCount a multiple of 10). */
export function distinctPassBytes(keyCount: number, seed = DEFAULT_SEED): Uint8Array {
  if (keyCount % DISTINCT_KEYS_PER_LINE !== 0) throw new RangeError(`keyCount must be a multiple of ${DISTINCT_KEYS_PER_LINE}, got ${keyCount}`);
  return fillBytes(new DistinctSource(seed, keyCount), {
    byteLength: DistinctSource.passByteBound(keyCount),
    maxLines: keyCount / DISTINCT_KEYS_PER_LINE,
  });
}
