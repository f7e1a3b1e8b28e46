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
import { findSpace, skipSpace } from './text';
import { slotsOf, arenaOf, probe, insertAt } from './table';

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
  const end = ptr + len;
  const seed = load<u64>(t, LAYOUT_H_SEED);
  const slots = slotsOf(t);
  const arena = arenaOf(t);
  const mask = load<u32>(t, LAYOUT_H_CAPACITY) - 1;
  const countsAreI64 = load<u32>(t, LAYOUT_H_VALUE_KIND) == LAYOUT_VALUE_I64;
  let p = ptr;
  while (true) {
    if (p >= end) break;
    // Words are mostly separated by one space: test one byte before going wide.
    let b = <u32>load<u8>(p);
    if (b == 0x20 || b - 9 <= 4) {
      p = skipSpace(p + 1, end);
      if (p >= end) break;
    }
    const q = findSpace(p + 1, end);
    const wordLength = q - p;
    const h = hashRange(p, wordLength, seed);
    const s = probe(slots, arena, mask, p, wordLength, h);
    const ref = load<u32>(s, LAYOUT_S_ENTRY);
    let e: usize;
    if (ref != 0) {
      e = arena + ref - 1;
    } else {
      e = insertAt(t, arena, s, p, wordLength, h);
      if (e == 0) return p - ptr;
    }
    if (countsAreI64) store<i64>(e, load<i64>(e, LAYOUT_E_VALUE) + 1, LAYOUT_E_VALUE);
    else store<f64>(e, load<f64>(e, LAYOUT_E_VALUE) + 1.0, LAYOUT_E_VALUE);
    p = q;
  }
  return len;
}
