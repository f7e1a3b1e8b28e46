/*
 * The worker pool's 'ranges' merge: the partial tables of one batch become
 * one result in two parallel rounds, with no step whose work grows with the
 * number of threads.
 *
 * Round 1 (tableFoldRange, thread j of `parts`): hash range j is the keys
 * whose home slot, taken modulo `span` (the smallest capacity among the
 * partials 1..), falls in the j-th of `parts` equal slices of [0, span).
 * All partials share one seed, so a key has the same range in every one of
 * them, and the slots store the low 32 hash bits: a thread finds its keys
 * by reading its slices of each partial's slots, never hashing, and looks
 * them up in partial 0 with the stored bits. It folds a key partial 0 has
 * into partial 0's entry in place (no other thread touches a key of its
 * range, and partial 0 gains no entries, so its slots never move), and one
 * it lacks into the range's own overflow table. Sources are scanned in
 * partition order, so every key's value is folded in partition order, as
 * every other merge does: float sums come out the same to the bit.
 *
 * Round 2 (tableOrderRuns, one task per source): partial 0 lists in
 * first-occurrence order already, and every key of the overflow tables
 * first occurred after it (in partition 1 or later). The overflow keys
 * first seen in partial k lie in one run per overflow table (state layout
 * in layout.ts); their first occurrences are all in partition k, so
 * sorting the runs of source k by origin, each to its own place in the
 * list, gives the order one pass over the whole batch gives.
 */
import {
  LAYOUT_H_CAPACITY, LAYOUT_H_SIZE, LAYOUT_H_ARENA_USED, LAYOUT_H_SEED, LAYOUT_H_VALUE_KIND, LAYOUT_VALUE_F64,
  LAYOUT_SLOT_SHIFT, LAYOUT_S_ENTRY, LAYOUT_E_KEY_LENGTH, LAYOUT_E_ORIGIN, LAYOUT_E_VALUE, LAYOUT_E_KEY, LAYOUT_ENTRY_DEAD_BIT,
  LAYOUT_MODE_FOLD, LAYOUT_RANGE_NEXT_SOURCE, LAYOUT_RANGE_NEXT_SLOT, LAYOUT_RANGE_RUNS, LAYOUT_RANGE_FRESH,
  LAYOUT_RUN_BYTES, LAYOUT_RUN_START, LAYOUT_RUN_COUNT, LAYOUT_SORT_HISTOGRAM_BYTES,
} from './layout';
import { hashRange } from './hash';
import { slotsOf, arenaOf, probe, combine, mergeEntry, entryBytes, tableClear } from './table';

/** First position of slice j of `parts` of [0, span): ceil(j * span / parts). */
// @ts-ignore: decorator
@inline function sliceStart(j: u32, parts: u32, span: u32): u32 {
  return <u32>((<u64>j * span + parts - 1) / parts);
}

/**
 * Round 1 for hash range `part` of `parts`: sources are the u32 pointers
 * of the batch's `count` partial tables at `sources` (partial 0 first, all
 * with one seed), `overflow` the range's table for keys partial 0 lacks,
 * `state` its state region (layout.ts), which the caller sets to source 1,
 * LAYOUT_RANGE_FRESH (the overflow table is cleared then). Returns 1 when
 * done, 0 when the overflow table must grow: grow it (the move keeps arena
 * offsets) and call again with the same state to resume.
 */
export function tableFoldRange(sources: usize, count: u32, overflow: usize, part: u32, parts: u32, state: usize): u32 {
  const first = <usize>load<u32>(sources);
  const firstSlots = slotsOf(first);
  const firstArena = arenaOf(first);
  const firstMask = load<u32>(first, LAYOUT_H_CAPACITY) - 1;
  const overflowSeed = load<u64>(overflow, LAYOUT_H_SEED);
  let span: u32 = 0xffffffff;
  for (let k: u32 = 1; k < count; k++) span = min<u32>(span, load<u32>(<usize>load<u32>(sources + (<usize>k << 2)), LAYOUT_H_CAPACITY));
  const lo = sliceStart(part, parts, span);
  const hi = sliceStart(part + 1, parts, span);
  let k = load<u32>(state, LAYOUT_RANGE_NEXT_SOURCE);
  let i = load<u32>(state, LAYOUT_RANGE_NEXT_SLOT);
  if (k == 1 && i == LAYOUT_RANGE_FRESH) tableClear(overflow);
  for (; k < count; k++) {
    const src = <usize>load<u32>(sources + (<usize>k << 2));
    const run = state + LAYOUT_RANGE_RUNS + <usize>k * LAYOUT_RUN_BYTES;
    if (i == LAYOUT_RANGE_FRESH) {
      // Until the source is done, COUNT holds the overflow's size before it.
      store<u32>(run, load<u32>(overflow, LAYOUT_H_ARENA_USED), LAYOUT_RUN_START);
      store<u32>(run, load<u32>(overflow, LAYOUT_H_SIZE), LAYOUT_RUN_COUNT);
      i = lo;
    }
    const srcIsF64 = load<u32>(src, LAYOUT_H_VALUE_KIND) == LAYOUT_VALUE_F64;
    const slots = slotsOf(src);
    const arena = arenaOf(src);
    const capacity = load<u32>(src, LAYOUT_H_CAPACITY);
    const mask = capacity - 1;
    // Positions count on past the last slot; slot = position & mask. Copy m of the
    // range's slice sits at m * span + [lo, hi); a key homed there may have been
    // pushed past hi by linear probing, at most up to the next empty slot, which
    // is looked for up to the next copy's start (that copy is scanned itself).
    for (let m = (i - lo) / span; m < capacity / span; m++) {
      const start = m * span + lo;
      const end = m * span + hi;
      const next = start + span;
      if (i < start) i = start;
      for (; i < next; i++) {
        const s = slots + (<usize>(i & mask) << LAYOUT_SLOT_SHIFT);
        const slot = load<u64>(s);
        const ref = <u32>(slot >> 32);
        if (ref == 0) {
          if (i >= end) break;
          continue;
        }
        const tag = <u32>slot;
        // Slice `part` of [0, span) is exactly [lo, hi).
        const home = tag & (span - 1);
        if (home < lo || home >= hi) continue;
        const e = arena + ref - 1;
        const len = <usize>(load<u32>(e, LAYOUT_E_KEY_LENGTH) & ~LAYOUT_ENTRY_DEAD_BIT);
        const key = e + LAYOUT_E_KEY;
        const found = load<u32>(probe(firstSlots, firstArena, firstMask, key, len, <u64>tag), LAYOUT_S_ENTRY);
        if (found != 0) {
          combine(first, firstArena + found - 1, false, load<u64>(e, LAYOUT_E_VALUE), srcIsF64, LAYOUT_MODE_FOLD);
        } else if (!mergeEntry(overflow, e, len, hashRange(key, len, overflowSeed), srcIsF64, LAYOUT_MODE_FOLD)) {
          store<u32>(state, k, LAYOUT_RANGE_NEXT_SOURCE);
          store<u32>(state, i, LAYOUT_RANGE_NEXT_SLOT);
          return 0;
        }
      }
    }
    store<u32>(run, load<u32>(overflow, LAYOUT_H_SIZE) - load<u32>(run, LAYOUT_RUN_COUNT), LAYOUT_RUN_COUNT);
    i = LAYOUT_RANGE_FRESH;
  }
  store<u32>(state, count, LAYOUT_RANGE_NEXT_SOURCE);
  store<u32>(state, LAYOUT_RANGE_FRESH, LAYOUT_RANGE_NEXT_SLOT);
  return 1;
}

/**
 * Round 2 for source k >= 1: the runs of source k of the `parts` overflow
 * tables (u32 pointers at `overflows`; state j at states + j * stateBytes),
 * written to `out` in origin order as offsets from partial 0's arena (mod
 * 2^32, as tableListByOrigin writes them: tableExport on `first` reads
 * them). `scratch` holds LAYOUT_SORT_HISTOGRAM_BYTES + 16 bytes per key.
 * Returns how many were written.
 */
export function tableOrderRuns(first: usize, overflows: usize, parts: u32, states: usize, stateBytes: u32, k: u32, out: usize, scratch: usize): u32 {
  const base = arenaOf(first);
  const a = scratch + LAYOUT_SORT_HISTOGRAM_BYTES;
  let n: u32 = 0;
  let low: u32 = 0xffffffff;
  let high: u32 = 0;
  for (let j: u32 = 0; j < parts; j++) {
    const t = <usize>load<u32>(overflows + (<usize>j << 2));
    const arena = arenaOf(t);
    const run = states + <usize>j * stateBytes + LAYOUT_RANGE_RUNS + <usize>k * LAYOUT_RUN_BYTES;
    let off = load<u32>(run, LAYOUT_RUN_START);
    const c = load<u32>(run, LAYOUT_RUN_COUNT);
    for (let x: u32 = 0; x < c; x++) {
      const e = arena + off;
      const origin = load<u32>(e, LAYOUT_E_ORIGIN);
      low = min<u32>(low, origin);
      high = max<u32>(high, origin);
      store<u64>(a + (<usize>n << 3), (<u64>origin << 32) | <u64><u32>(e - base));
      n++;
      off += entryBytes(load<u32>(e, LAYOUT_E_KEY_LENGTH) & ~LAYOUT_ENTRY_DEAD_BIT);
    }
  }
  const sorted = sortByOrigin(a, a + (<usize>n << 3), n, low, high, scratch);
  for (let x: u32 = 0; x < n; x++) store<u32>(out + (<usize>x << 2), <u32>load<u64>(sorted + (<usize>x << 3)));
  return n;
}

// @ts-ignore: decorator
@inline const RADIX_BITS: u32 = 11;
// @ts-ignore: decorator
@inline const INSERTION_SORT_MAX: u32 = 32;

/**
 * Sorts the n u64s at a by their high 32 bits (origins, all in
 * [low, high]): a least-significant-digit radix sort on origin - low,
 * RADIX_BITS at a time, through b (n more u64s) and the histogram at
 * `counts`. Returns where the sorted items are (a or b).
 */
function sortByOrigin(a: usize, b: usize, n: u32, low: u32, high: u32, counts: usize): usize {
  if (n <= INSERTION_SORT_MAX) {
    for (let x: u32 = 1; x < n; x++) {
      const item = load<u64>(a + (<usize>x << 3));
      let y = x;
      while (y > 0 && load<u64>(a + (<usize>(y - 1) << 3)) > item) {
        store<u64>(a + (<usize>y << 3), load<u64>(a + (<usize>(y - 1) << 3)));
        y--;
      }
      store<u64>(a + (<usize>y << 3), item);
    }
    return a;
  }
  const buckets: u32 = 1 << RADIX_BITS;
  const bits: u32 = 32 - clz<u32>(high - low);
  let from = a;
  let to = b;
  for (let shift: u32 = 0; shift < bits; shift += RADIX_BITS) {
    memory.fill(counts, 0, <usize>buckets << 2);
    for (let x: u32 = 0; x < n; x++) {
      const d = ((<u32>(load<u64>(from + (<usize>x << 3)) >> 32) - low) >> shift) & (buckets - 1);
      const c = counts + (<usize>d << 2);
      store<u32>(c, load<u32>(c) + 1);
    }
    let sum: u32 = 0;
    for (let d: u32 = 0; d < buckets; d++) {
      const c = counts + (<usize>d << 2);
      const here = load<u32>(c);
      store<u32>(c, sum);
      sum += here;
    }
    for (let x: u32 = 0; x < n; x++) {
      const item = load<u64>(from + (<usize>x << 3));
      const c = counts + (<usize>((((<u32>(item >> 32)) - low) >> shift) & (buckets - 1)) << 2);
      const at = load<u32>(c);
      store<u64>(to + (<usize>at << 3), item);
      store<u32>(c, at + 1);
    }
    const swap = from;
    from = to;
    to = swap;
  }
  return from;
}
