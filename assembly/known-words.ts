/*
 * Word counts of known words: a stream's batches keep counting the same
 * vocabulary, which the key cache (key-cache.ts) holds with an id per word.
 * Each partition is counted into a copy of the cache's table (tableCopyKeys:
 * same slots, same arena offsets, counts zero), so a word the cache knows
 * costs what a word already in a table costs, and its arena offset is the
 * same in every partition's copy and in the cache: partitions counted on
 * different threads are added up offset by offset, with no table merge, and
 * their keys need no lookup (the cache entry at that offset holds the id of
 * the word's string). Words the cache lacks are appended to the copy as in
 * any table (offsets from the cache's arenaUsed on). Regions (layout.ts):
 *
 *   seen list: +0 u32 count, +4 u32 capacity, +8 count × u32 entries: the
 *   arena offsets of the partition's words in first-occurrence order
 */
import {
  LAYOUT_H_CAPACITY, LAYOUT_H_SIZE, LAYOUT_H_MAX_LOAD, LAYOUT_H_ARENA_USED, LAYOUT_H_DEAD_BYTES, LAYOUT_H_VALUE_KIND,
  LAYOUT_H_REDUCER, LAYOUT_H_PENDING_BYTES, LAYOUT_H_SEED, LAYOUT_SLOT_SHIFT, LAYOUT_S_ENTRY, LAYOUT_E_VALUE, LAYOUT_E_KEY,
  LAYOUT_E_KEY_LENGTH, LAYOUT_E_ORIGIN, LAYOUT_ENTRY_DEAD_BIT, LAYOUT_VALUE_I64, LAYOUT_REDUCER_SUM,
  LAYOUT_SEEN_COUNT, LAYOUT_SEEN_CAPACITY, LAYOUT_SEEN_ENTRIES,
  LAYOUT_KNOWN_CACHE, LAYOUT_KNOWN_COPIED, LAYOUT_KNOWN_MERGED, LAYOUT_KNOWN_PARTS, LAYOUT_KNOWN_TABLES, LAYOUT_KNOWN_SEENS,
  LAYOUT_KNOWN_OFFSETS, LAYOUT_KNOWN_FIRSTS, LAYOUT_KNOWN_TOTALS, LAYOUT_KNOWN_IDS, LAYOUT_KNOWN_VALUES, LAYOUT_KNOWN_STARTS,
  LAYOUT_KNOWN_COUNTS, LAYOUT_KNOWN_NONE,
} from './layout';
import { hashRange } from './hash';
import { slotsOf, arenaOf, probe, entryBytes } from './table';

/**
 * Makes dst an i64 count table holding src's keys at src's slots and arena
 * offsets, every count zero. dst has src's capacity and room for at least
 * src's arenaUsed (its own arenaCapacity is kept).
 */
export function tableCopyKeys(dst: usize, src: usize): void {
  const capacity = load<u32>(src, LAYOUT_H_CAPACITY);
  const used = load<u32>(src, LAYOUT_H_ARENA_USED);
  store<u32>(dst, capacity, LAYOUT_H_CAPACITY);
  store<u32>(dst, load<u32>(src, LAYOUT_H_SIZE), LAYOUT_H_SIZE);
  store<u32>(dst, load<u32>(src, LAYOUT_H_MAX_LOAD), LAYOUT_H_MAX_LOAD);
  store<u32>(dst, used, LAYOUT_H_ARENA_USED);
  store<u32>(dst, load<u32>(src, LAYOUT_H_DEAD_BYTES), LAYOUT_H_DEAD_BYTES);
  store<u32>(dst, LAYOUT_VALUE_I64, LAYOUT_H_VALUE_KIND);
  store<u32>(dst, LAYOUT_REDUCER_SUM, LAYOUT_H_REDUCER);
  store<u32>(dst, 0, LAYOUT_H_PENDING_BYTES);
  store<u64>(dst, load<u64>(src, LAYOUT_H_SEED), LAYOUT_H_SEED);
  memory.copy(slotsOf(dst), slotsOf(src), <usize>capacity << LAYOUT_SLOT_SHIFT);
  const arena = arenaOf(dst);
  memory.copy(arena, arenaOf(src), used);
  let off: u32 = 0;
  while (off < used) {
    store<u64>(arena + off, 0, LAYOUT_E_VALUE);
    off += entryBytes(<usize>(load<u32>(arena + off, LAYOUT_E_KEY_LENGTH) & ~LAYOUT_ENTRY_DEAD_BIT));
  }
}

/** Appends an arena offset to a seen list; false when it is full. */
// @ts-ignore: decorator
@inline export function appendSeen(seen: usize, offset: u32): bool {
  const n = load<u32>(seen, LAYOUT_SEEN_COUNT);
  if (n >= load<u32>(seen, LAYOUT_SEEN_CAPACITY)) return false;
  store<u32>(seen + LAYOUT_SEEN_ENTRIES + (<usize>n << 2), offset);
  store<u32>(seen, n + 1, LAYOUT_SEEN_COUNT);
  return true;
}

// @ts-ignore: decorator
@inline export function seenIsFull(seen: usize): bool {
  return load<u32>(seen, LAYOUT_SEEN_COUNT) >= load<u32>(seen, LAYOUT_SEEN_CAPACITY);
}

/**
 * The result of a batch counted by wordCountListed into copies of the
 * cache, in two parallel steps over the arguments block at `args`
 * (layout.ts: KNOWN_*), then joined by the caller partition by partition:
 *
 * knownWordsTotals(args, from, to): for the cache ids [from, to), the
 * total over every partition's copy at the id's offset (offsets[id]) and
 * the first partition whose count there is not zero (LAYOUT_KNOWN_NONE for
 * none): ids ascend with offsets, so each copy is read in order.
 */
export function knownWordsTotals(args: usize, from: u32, to: u32): void {
  const parts = load<u32>(args, LAYOUT_KNOWN_PARTS);
  const tables = <usize>load<u32>(args, LAYOUT_KNOWN_TABLES);
  const offsets = <usize>load<u32>(args, LAYOUT_KNOWN_OFFSETS);
  const firsts = <usize>load<u32>(args, LAYOUT_KNOWN_FIRSTS);
  const totals = <usize>load<u32>(args, LAYOUT_KNOWN_TOTALS);
  for (let id = from; id < to; id++) {
    const offset = <usize>load<u32>(offsets + (<usize>id << 2));
    let total: i64 = 0;
    let first = LAYOUT_KNOWN_NONE;
    for (let k: u32 = 0; k < parts; k++) {
      const count = load<i64>(arenaOf(<usize>load<u32>(tables + (<usize>k << 2))) + offset, LAYOUT_E_VALUE);
      if (count != 0 && first == LAYOUT_KNOWN_NONE) first = k;
      total += count;
    }
    store<u32>(firsts + (<usize>id << 2), first);
    store<f64>(totals + (<usize>id << 3), <f64>total);
  }
}

/**
 * knownWordsList(args, k): partition k's words, in its first-occurrence
 * order, that no earlier partition had, written at starts[k] of ids (i32)
 * and values (f64): a known word (offset below `copied`) when firsts[id] is
 * k, with ids[i] = its cache id and its total; a new word when `merged`
 * (the partitions' new words folded in partition order, which keeps each
 * word's first occurrence as origin) has it with this very origin, with
 * ids[i] = -1 - its arena offset in `merged` and its total there. Returns
 * how many it wrote, also stored at counts[k].
 */
export function knownWordsList(args: usize, k: u32): u32 {
  const cacheArena = arenaOf(<usize>load<u32>(args, LAYOUT_KNOWN_CACHE));
  const copied = load<u32>(args, LAYOUT_KNOWN_COPIED);
  const merged = <usize>load<u32>(args, LAYOUT_KNOWN_MERGED);
  const seen = <usize>load<u32>(<usize>load<u32>(args, LAYOUT_KNOWN_SEENS) + (<usize>k << 2));
  const arena = arenaOf(<usize>load<u32>(<usize>load<u32>(args, LAYOUT_KNOWN_TABLES) + (<usize>k << 2)));
  const firsts = <usize>load<u32>(args, LAYOUT_KNOWN_FIRSTS);
  const totals = <usize>load<u32>(args, LAYOUT_KNOWN_TOTALS);
  const start = <usize>load<u32>(<usize>load<u32>(args, LAYOUT_KNOWN_STARTS) + (<usize>k << 2));
  const ids = <usize>load<u32>(args, LAYOUT_KNOWN_IDS) + (start << 2);
  const values = <usize>load<u32>(args, LAYOUT_KNOWN_VALUES) + (start << 3);
  const mergedSeed: u64 = merged == 0 ? 0 : load<u64>(merged, LAYOUT_H_SEED);
  const mergedSlots: usize = merged == 0 ? 0 : slotsOf(merged);
  const mergedArena: usize = merged == 0 ? 0 : arenaOf(merged);
  const mergedMask: u32 = merged == 0 ? 0 : load<u32>(merged, LAYOUT_H_CAPACITY) - 1;
  const count = load<u32>(seen, LAYOUT_SEEN_COUNT);
  let n: u32 = 0;
  for (let i: u32 = 0; i < count; i++) {
    const offset = load<u32>(seen + LAYOUT_SEEN_ENTRIES + (<usize>i << 2));
    let value: f64;
    let id: i32;
    if (offset < copied) {
      id = <i32>load<u32>(cacheArena + offset, LAYOUT_E_VALUE);
      if (load<u32>(firsts + (<usize>id << 2)) != k) continue;
      value = load<f64>(totals + (<usize>id << 3));
    } else {
      const e = arena + <usize>offset;
      const len = <usize>load<u32>(e, LAYOUT_E_KEY_LENGTH);
      const key = e + LAYOUT_E_KEY;
      const ref = load<u32>(probe(mergedSlots, mergedArena, mergedMask, key, len, hashRange(key, len, mergedSeed)), LAYOUT_S_ENTRY);
      const m = mergedArena + ref - 1;
      if (load<u32>(m, LAYOUT_E_ORIGIN) != load<u32>(e, LAYOUT_E_ORIGIN)) continue;
      value = <f64>load<i64>(m, LAYOUT_E_VALUE);
      id = -1 - <i32>(ref - 1);
    }
    store<i32>(ids + (<usize>n << 2), id);
    store<f64>(values + (<usize>n << 3), value);
    n++;
  }
  store<u32>(<usize>load<u32>(args, LAYOUT_KNOWN_COUNTS) + (<usize>k << 2), n);
  return n;
}
