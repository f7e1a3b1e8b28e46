import { Rng } from './prng.js';
import { ZipfSampler } from './zipf.js';
import { cjkVocabulary, englishVocabulary } from './vocabulary.js';
import { englishSampler, MAX_WORDS_PER_LINE, MIN_WORDS_PER_LINE } from './english.js';
import type { LineSource } from './line-source.js';

/** Share of words drawn from the CJK vocabulary. */
export const CJK_WORD_SHARE = 0.2;

/**
 * Separators between words, with cumulative probabilities. Only Java `\s`
 * characters (space, \t, \x0B, \f, \r; '\n' ends lines) so that every
 * tokenizer that follows Spark's `split("\\s+")` sees the same words.
 */
const SEPARATORS: ReadonlyArray<readonly [number, string]> = [
  [0.85, ' '],
  [0.9, '\t'],
  [0.94, '  '],
  [0.96, '   '],
  [0.975, ' \t'],
  [0.9875, '\x0B'],
  [1, '\f'],
];
const CRLF_LINE_SHARE = 0.1;
const LEADING_SPACE_SHARE = 0.03;
const TRAILING_SPACE_SHARE = 0.03;
const BLANK_LINE_SHARE = 0.005;

let cjkSampler: ZipfSampler | undefined;

/**
 * The English corpus with 20% CJK words (UTF-8 multi-byte tokens) and mixed
 * whitespace: tabs, runs of spaces, \x0B, \f, leading and trailing blanks,
 * "\r\n" line ends and the odd whitespace-only line.
 */
export class MixedSource implements LineSource {
  private readonly rng: Rng;
  private readonly english = englishVocabulary();
  private readonly englishZipf = englishSampler();
  private readonly cjk = cjkVocabulary();
  private readonly cjkZipf: ZipfSampler;

  constructor(seed: number) {
    this.rng = new Rng(seed);
    cjkSampler ??= new ZipfSampler(this.cjk.length, 1);
    this.cjkZipf = cjkSampler;
  }

  nextLine(): string {
    const rng = this.rng;
    const end = rng.chance(CRLF_LINE_SHARE) ? '\r' : '';
    if (rng.chance(BLANK_LINE_SHARE)) return this.separator() + end;
    let line = rng.chance(LEADING_SPACE_SHARE) ? this.separator() : '';
    const count = rng.nextRange(MIN_WORDS_PER_LINE, MAX_WORDS_PER_LINE);
    for (let i = 0; i < count; i++) {
      if (i > 0) line += this.separator();
      line += rng.chance(CJK_WORD_SHARE)
        ? (this.cjk[this.cjkZipf.sample(rng)] as string)
        : (this.english[this.englishZipf.sample(rng)] as string);
    }
    if (rng.chance(TRAILING_SPACE_SHARE)) line += this.separator();
    return line + end;
  }

  private separator(): string {
    const u = this.rng.nextFloat();
    for (const [upTo, text] of SEPARATORS) if (u < upTo) return text;
    return ' ';
  }
}
