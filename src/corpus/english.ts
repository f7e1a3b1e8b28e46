import { Rng } from './prng.js';
import { ZipfSampler } from './zipf.js';
import { englishVocabulary } from './vocabulary.js';
import type { LineSource } from './line-source.js';

export const MIN_WORDS_PER_LINE = 5;
export const MAX_WORDS_PER_LINE = 20;

let sampler: ZipfSampler | undefined;

/** Zipf (s = 1) over the English vocabulary, shared by the english and mixed corpora. */
export function englishSampler(): ZipfSampler {
  sampler ??= new ZipfSampler(englishVocabulary().length, 1);
  return sampler;
}

/** Lines of 5–20 Zipf-distributed lowercase words separated by single spaces. */
export class EnglishSource implements LineSource {
  private readonly rng: Rng;
  private readonly words = englishVocabulary();
  private readonly zipf = englishSampler();

  constructor(seed: number) {
    this.rng = new Rng(seed);
  }

  nextLine(): string {
    const count = this.rng.nextRange(MIN_WORDS_PER_LINE, MAX_WORDS_PER_LINE);
    let line = this.words[this.zipf.sample(this.rng)] as string;
    for (let i = 1; i < count; i++) line += ' ' + (this.words[this.zipf.sample(this.rng)] as string);
    return line;
  }
}
