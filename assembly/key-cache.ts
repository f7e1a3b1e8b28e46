/*
 * The key cache: a table (layout.ts) whose values are ids of JS strings the
 * TypeScript side decoded before, so that keys exported batch after batch
 * (a word count's vocabulary) are decoded once, not at every export.
 * Exporting then costs a lookup per key instead of a copy, a UTF-16 length,
 * a decode and a string per key; the lookups read the cache only, so the
 * worker pool's threads look up slices of one export at once.
 */
import {
  LAYOUT_H_CAPACITY, LAYOUT_H_SEED, LAYOUT_H_VALUE_KIND, LAYOUT_VALUE_F64,
  LAYOUT_S_ENTRY, LAYOUT_E_KEY_LENGTH, LAYOUT_E_VALUE, LAYOUT_E_KEY, LAYOUT_ENTRY_DEAD_BIT,
  LAYOUT_KEY_SEPARATOR,
} from './layout';
import { hashRange } from './hash';
import { utf16Length } from './text';
import { slotsOf, arenaOf, probe, insertAt } from './table';

/**
 * For the listed entries [from, to) of t (arena offsets at `list`, as
 * tableList writes them): ids[i] = the key's id in `cache` (i32), or -1 when
 * it has none; values[i] = the entry's value as f64. Only reads `cache`.
 * Returns the number of keys without an id.
 */
export function keyCacheLookup(cache: usize, t: usize, list: usize, from: u32, to: u32, ids: usize, values: usize): u32 {
  const seed = load<u64>(cache, LAYOUT_H_SEED);
  const slots = slotsOf(cache);
  const cacheArena = arenaOf(cache);
  const mask = load<u32>(cache, LAYOUT_H_CAPACITY) - 1;
  const arena = arenaOf(t);
  const isF64 = load<u32>(t, LAYOUT_H_VALUE_KIND) == LAYOUT_VALUE_F64;
  let misses: u32 = 0;
  for (let i = from; i < to; i++) {
    const e = arena + load<u32>(list + (<usize>i << 2));
    const len = <usize>(load<u32>(e, LAYOUT_E_KEY_LENGTH) & ~LAYOUT_ENTRY_DEAD_BIT);
    const key = e + LAYOUT_E_KEY;
    const ref = load<u32>(probe(slots, cacheArena, mask, key, len, hashRange(key, len, seed)), LAYOUT_S_ENTRY);
    let id: i32 = -1;
    if (ref != 0) id = <i32>load<i64>(cacheArena + ref - 1, LAYOUT_E_VALUE);
    else misses++;
    store<i32>(ids + (<usize>i << 2), id);
    store<f64>(values + (<usize>i << 3), isF64 ? load<f64>(e, LAYOUT_E_VALUE) : <f64>load<i64>(e, LAYOUT_E_VALUE));
  }
  return misses;
}

/**
 * For the n listed entries of t whose ids[i] is -1, in list order (miss m):
 * writes the key and a LAYOUT_KEY_SEPARATOR to keysOut and its UTF-16 length
 * (as TextDecoder will decode it) to lengthsOut[m], as tableExport does, and
 * adds the key to `cache` with id nextId + m while the cache has room and
 * fewer than `maxAdds` keys were added (it is never grown here; after the
 * first key that does not fit, no more are added). ids[i] becomes
 * nextId + m, or -2 - m for a key not added. Returns the bytes written to
 * keysOut.
 */
export function keyCacheAdd(cache: usize, t: usize, list: usize, n: u32, ids: usize, nextId: i32, maxAdds: u32, keysOut: usize, lengthsOut: usize): u32 {
  const seed = load<u64>(cache, LAYOUT_H_SEED);
  const slots = slotsOf(cache);
  const cacheArena = arenaOf(cache);
  const mask = load<u32>(cache, LAYOUT_H_CAPACITY) - 1;
  const arena = arenaOf(t);
  let out = keysOut;
  let m: i32 = 0;
  let room = maxAdds > 0;
  for (let i: u32 = 0; i < n; i++) {
    const at = ids + (<usize>i << 2);
    if (load<i32>(at) != -1) continue;
    const e = arena + load<u32>(list + (<usize>i << 2));
    const len = <usize>(load<u32>(e, LAYOUT_E_KEY_LENGTH) & ~LAYOUT_ENTRY_DEAD_BIT);
    const key = e + LAYOUT_E_KEY;
    memory.copy(out, key, len);
    store<u8>(out + len, <u8>LAYOUT_KEY_SEPARATOR);
    store<u32>(lengthsOut + (<usize>m << 2), utf16Length(out, len));
    out += len + 1;
    let id = -2 - m;
    if (room) {
      const h = hashRange(key, len, seed);
      const s = probe(slots, cacheArena, mask, key, len, h);
      // A listed table holds each key once, so a miss is never in the cache yet.
      const entry = insertAt(cache, cacheArena, s, key, len, h);
      if (entry == 0) {
        room = false;
      } else {
        id = nextId + m;
        store<i64>(entry, <i64>id, LAYOUT_E_VALUE);
        if (<u32>(m + 1) >= maxAdds) room = false;
      }
    }
    store<i32>(at, id);
    m++;
  }
  return <u32>(out - keysOut);
}
