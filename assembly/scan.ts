/*
 * Whitespace tokenizing and the fused word count. Inputs are [ptr, ptr+len)
 * followed by LAYOUT_INPUT_PADDING readable bytes: whitespace is found 16
 * bytes at a time with 128-bit SIMD compares, and tokens are hashed 8 bytes
 * at a time.
 */
import {
  LAYOUT_H_CAPACITY, LAYOUT_H_SEED, LAYOUT_H_VALUE_KIND, LAYOUT_VALUE_I64,
  LAYOUT_S_ENTRY, LAYOUT_E_VALUE,
} from './layout';
import { hashRange } from './hash';
import { findSpace, skipSpace, spaceMask64 } from './text';
import { slotsOf, arenaOf, probe, insertAt } from './table';
import { appendSeen, seenIsFull } from './known-words';

/**
 * Writes the start and end offsets (relative to ptr, u32) of up to `max`
 * tokens to starts/ends. Returns the number written; when it equals max the
 * caller resumes after the last end.
 */
export function tokenize(ptr: usize, len: usize, starts: usize, ends: usize, max: u32): u32 {
  const end = ptr + len;
  let p = ptr;
  let n: u32 = 0;
  while (n < max) {
    p = skipSpace(p, end);
    if (p >= end) break;
    const q = findSpace(p + 1, end);
    store<u32>(starts + (<usize>n << 2), <u32>(p - ptr));
    store<u32>(ends + (<usize>n << 2), <u32>(q - ptr));
    n++;
    p = q;
  }
  return n;
}

/**
 * lines → words → (word, 1) → sum, in one pass, into table t (a sum or count
 * table of either value kind). Returns the number of bytes consumed: len when
 * done, or the offset of the first word that did not fit, after which the
 * caller grows the table and calls again from there.
 */
export function wordCount(t: usize, ptr: usize, len: usize): usize {
  return scanWords(false, t, ptr, len, 0);
}

/**
 * wordCount that also lists, in the seen list `seen`, the arena offset of
 * each word whose count goes from zero to one, in that order: t is a copy
 * of the key cache's table (assembly/known-words.ts), so these are the
 * partition's words in first-occurrence order. Returns the bytes consumed,
 * as wordCount: less than len when t or the seen list is full (the caller
 * grows the one that is and resumes). t holds i64 counts.
 */
export function wordCountListed(t: usize, seen: usize, ptr: usize, len: usize): usize {
  return scanWords(true, t, ptr, len, seen);
}

/**
 * The input is walked in 64-byte blocks: four 128-bit compares give a 64-bit
 * whitespace mask, and word starts and ends come out of that mask with
 * count-trailing-zeros, so finding a word costs a few register operations.
 * `listed` is a constant at both call sites: inlined, each gets its own loop.
 */
// @ts-ignore: decorator
@inline function scanWords(listed: bool, t: usize, ptr: usize, len: usize, seen: usize): usize {
  const end = ptr + len;
  const seed = load<u64>(t, LAYOUT_H_SEED);
  const slots = slotsOf(t);
  const arena = arenaOf(t);
  const mask = load<u32>(t, LAYOUT_H_CAPACITY) - 1;
  const countsAreI64 = load<u32>(t, LAYOUT_H_VALUE_KIND) == LAYOUT_VALUE_I64;
  let base = ptr;
  let wordStart: usize = 0;
  let inWord = false;
  while (base < end) {
    const spaces = spaceMask64(base, end);
    // Bits below `from` are done; a word start is a non-space bit, a word end a space bit.
    let from: u64 = 0;
    while (from < 64) {
      if (!inWord) {
        const starts = ~spaces & (<u64>-1 << from);
        if (starts == 0) break;
        from = ctz<u64>(starts);
        wordStart = base + <usize>from;
        inWord = true;
      }
      const ends = spaces & (<u64>-1 << from);
      if (ends == 0) break;
      from = ctz<u64>(ends);
      inWord = false;
      const counted = countWord(listed, t, slots, arena, mask, seed, seen, wordStart, base + <usize>from - wordStart, countsAreI64);
      if (!counted) return wordStart - ptr;
    }
    base += 64;
  }
  // A word running exactly to the end of a whole block has not met a space.
  if (inWord) {
    const counted = countWord(listed, t, slots, arena, mask, seed, seen, wordStart, end - wordStart, countsAreI64);
    if (!counted) return wordStart - ptr;
  }
  return len;
}

/** Adds 1 to the word's count (listing it at its first, see wordCountListed); false when t or the seen list must grow first. */
// @ts-ignore: decorator
@inline function countWord(
  listed: bool, t: usize, slots: usize, arena: usize, mask: u32, seed: u64, seen: usize, word: usize, wordLength: usize, countsAreI64: bool,
): bool {
  const h = hashRange(word, wordLength, seed);
  const s = probe(slots, arena, mask, word, wordLength, h);
  const ref = load<u32>(s, LAYOUT_S_ENTRY);
  let e: usize;
  if (ref != 0) {
    e = arena + ref - 1;
  } else {
    // Room in the seen list first: a word put in t must be listed too.
    if (listed && seenIsFull(seen)) return false;
    e = insertAt(t, arena, s, word, wordLength, h);
    if (e == 0) return false;
  }
  if (listed) {
    const count = load<i64>(e, LAYOUT_E_VALUE);
    if (count == 0 && !appendSeen(seen, <u32>(e - arena))) return false;
    store<i64>(e, count + 1, LAYOUT_E_VALUE);
  } else if (countsAreI64) {
    store<i64>(e, load<i64>(e, LAYOUT_E_VALUE) + 1, LAYOUT_E_VALUE);
  } else {
    store<f64>(e, load<f64>(e, LAYOUT_E_VALUE) + 1.0, LAYOUT_E_VALUE);
  }
  return true;
}
