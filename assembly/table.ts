/*
 * The aggregation table (layout drawn in layout.ts): open addressing with
 * linear probing in a caller-owned region. Nothing here allocates; when a new
 * key does not fit (load limit or arena full) the operation stops, records the
 * entry size in the header's pendingBytes and reports where it stopped, so
 * the TypeScript side can allocate a bigger region, move the table with
 * tableMerge(bigger, old, 0, 0, 1, MODE_FOLD) and resume.
 */
import {
  LAYOUT_TABLE_MAGIC as MAGIC,
  LAYOUT_TABLE_HEADER_BYTES as HEADER,
  LAYOUT_H_MAGIC, LAYOUT_H_CAPACITY, LAYOUT_H_SIZE, LAYOUT_H_MAX_LOAD, LAYOUT_H_ARENA_CAPACITY,
  LAYOUT_H_ARENA_USED, LAYOUT_H_DEAD_BYTES, LAYOUT_H_VALUE_KIND, LAYOUT_H_REDUCER,
  LAYOUT_H_PENDING_BYTES, LAYOUT_H_SEED,
  LAYOUT_SLOT_SHIFT, LAYOUT_S_HASH, LAYOUT_S_ENTRY,
  LAYOUT_ENTRY_HEADER_BYTES, LAYOUT_E_KEY_LENGTH, LAYOUT_E_ORIGIN, LAYOUT_E_VALUE, LAYOUT_E_KEY, LAYOUT_ENTRY_DEAD_BIT,
  LAYOUT_LOAD_NUM, LAYOUT_LOAD_DEN,
  LAYOUT_VALUE_I64, LAYOUT_VALUE_F64,
  LAYOUT_REDUCER_MIN, LAYOUT_REDUCER_MAX,
  LAYOUT_MODE_FOLD, LAYOUT_MODE_SUBTRACT_DROP_ZERO,
  LAYOUT_KEY_SEPARATOR,
} from './layout';
import { hashRange, partitionOf } from './hash';
import { bytesEqual, compareBytes, utf16Length } from './text';

// @ts-ignore: decorator
@inline export function slotsOf(t: usize): usize {
  return t + HEADER;
}

// @ts-ignore: decorator
@inline export function arenaOf(t: usize): usize {
  return t + HEADER + (<usize>load<u32>(t, LAYOUT_H_CAPACITY) << LAYOUT_SLOT_SHIFT);
}

// @ts-ignore: decorator
@inline export function entryBytes(keyLength: usize): u32 {
  return LAYOUT_ENTRY_HEADER_BYTES + ((<u32>keyLength + 7) & ~7);
}

/** Bytes a table region needs for `capacity` slots and `arenaCapacity` arena bytes. */
export function tableBytes(capacity: u32, arenaCapacity: u32): u32 {
  return HEADER + (capacity << LAYOUT_SLOT_SHIFT) + arenaCapacity;
}

/** Formats an empty table at t. capacity must be a power of two >= LAYOUT_MIN_CAPACITY, arenaCapacity a multiple of 8. */
export function tableInit(t: usize, capacity: u32, arenaCapacity: u32, valueKind: u32, reducer: u32, seed: u64): void {
  store<u32>(t, MAGIC, LAYOUT_H_MAGIC);
  store<u32>(t, capacity, LAYOUT_H_CAPACITY);
  store<u32>(t, <u32>((<u64>capacity * LAYOUT_LOAD_NUM) / LAYOUT_LOAD_DEN), LAYOUT_H_MAX_LOAD);
  store<u32>(t, arenaCapacity, LAYOUT_H_ARENA_CAPACITY);
  store<u32>(t, valueKind, LAYOUT_H_VALUE_KIND);
  store<u32>(t, reducer, LAYOUT_H_REDUCER);
  store<u64>(t, seed, LAYOUT_H_SEED);
  tableClear(t);
}

/** Removes every entry, keeping geometry, value kind, reducer and seed. */
export function tableClear(t: usize): void {
  memory.fill(slotsOf(t), 0, <usize>load<u32>(t, LAYOUT_H_CAPACITY) << LAYOUT_SLOT_SHIFT);
  store<u32>(t, 0, LAYOUT_H_SIZE);
  store<u32>(t, 0, LAYOUT_H_ARENA_USED);
  store<u32>(t, 0, LAYOUT_H_DEAD_BYTES);
  store<u32>(t, 0, LAYOUT_H_PENDING_BYTES);
}

/**
 * The slot holding key [key, key+len) with hash h, or the empty slot where it
 * would go. Reads up to 7 bytes past the key.
 */
// @ts-ignore: decorator
@inline export function probe(slots: usize, arena: usize, mask: u32, key: usize, len: usize, h: u64): usize {
  const tag = <u32>h;
  let i = tag & mask;
  while (true) {
    const s = slots + (<usize>i << LAYOUT_SLOT_SHIFT);
    const slot = load<u64>(s);
    const ref = <u32>(slot >> 32);
    if (ref == 0) return s;
    if (<u32>slot == tag) {
      const e = arena + ref - 1;
      if (<usize>load<u32>(e, LAYOUT_E_KEY_LENGTH) == len && bytesEqual(e + LAYOUT_E_KEY, key, len)) return s;
    }
    i = (i + 1) & mask;
  }
  return 0;
}

/**
 * Adds the key at the empty slot s with a zero value. Returns the entry, or 0
 * (and records pendingBytes) when the table must grow first.
 */
// @ts-ignore: decorator
@inline export function insertAt(t: usize, arena: usize, s: usize, key: usize, len: usize, h: u64): usize {
  const size = load<u32>(t, LAYOUT_H_SIZE);
  const used = load<u32>(t, LAYOUT_H_ARENA_USED);
  const need = entryBytes(len);
  if (size >= load<u32>(t, LAYOUT_H_MAX_LOAD) || <u64>used + need > <u64>load<u32>(t, LAYOUT_H_ARENA_CAPACITY)) {
    store<u32>(t, need, LAYOUT_H_PENDING_BYTES);
    return 0;
  }
  const e = arena + used;
  store<u32>(e, <u32>len, LAYOUT_E_KEY_LENGTH);
  store<u32>(e, <u32>key, LAYOUT_E_ORIGIN);
  store<u64>(e, 0, LAYOUT_E_VALUE);
  memory.copy(e + LAYOUT_E_KEY, key, len);
  store<u32>(s, <u32>h, LAYOUT_S_HASH);
  store<u32>(s, used + 1, LAYOUT_S_ENTRY);
  store<u32>(t, used + need, LAYOUT_H_ARENA_USED);
  store<u32>(t, size + 1, LAYOUT_H_SIZE);
  return e;
}

/** Removes the key in slot s: backward-shift deletion, the arena entry is marked dead. */
export function removeAt(t: usize, s: usize): void {
  const slots = slotsOf(t);
  const arena = arenaOf(t);
  const mask = load<u32>(t, LAYOUT_H_CAPACITY) - 1;
  const e = arena + load<u32>(s, LAYOUT_S_ENTRY) - 1;
  const len = load<u32>(e, LAYOUT_E_KEY_LENGTH);
  store<u32>(e, len | LAYOUT_ENTRY_DEAD_BIT, LAYOUT_E_KEY_LENGTH);
  store<u32>(t, load<u32>(t, LAYOUT_H_DEAD_BYTES) + entryBytes(len), LAYOUT_H_DEAD_BYTES);
  store<u32>(t, load<u32>(t, LAYOUT_H_SIZE) - 1, LAYOUT_H_SIZE);
  let hole = <u32>((s - slots) >> LAYOUT_SLOT_SHIFT);
  let j = hole;
  while (true) {
    j = (j + 1) & mask;
    const sj = slots + (<usize>j << LAYOUT_SLOT_SHIFT);
    if (load<u32>(sj, LAYOUT_S_ENTRY) == 0) break;
    const home = load<u32>(sj, LAYOUT_S_HASH) & mask;
    // The entry at j may fill the hole only if its home is not cyclically in (hole, j].
    const stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
    if (stays) continue;
    const sh = slots + (<usize>hole << LAYOUT_SLOT_SHIFT);
    store<u64>(sh, load<u64>(sj));
    hole = j;
  }
  store<u64>(slots + (<usize>hole << LAYOUT_SLOT_SHIFT), 0);
}

/**
 * Combines `bits` (an i64, or an f64 when srcIsF64) into entry e of table t.
 * Fold uses the table's reducer (count tables add counts); subtract modes
 * compute current - value. Returns true when the result is zero.
 */
export function combine(t: usize, e: usize, isNew: bool, bits: u64, srcIsF64: bool, mode: u32): bool {
  const reducer = load<u32>(t, LAYOUT_H_REDUCER);
  if (load<u32>(t, LAYOUT_H_VALUE_KIND) == LAYOUT_VALUE_I64) {
    const x: i64 = srcIsF64 ? <i64>reinterpret<f64>(bits) : <i64>bits;
    const cur = load<i64>(e, LAYOUT_E_VALUE);
    let r: i64;
    if (mode != LAYOUT_MODE_FOLD) r = cur - x;
    else if (isNew) r = x;
    else if (reducer == LAYOUT_REDUCER_MIN) r = x < cur ? x : cur;
    else if (reducer == LAYOUT_REDUCER_MAX) r = x > cur ? x : cur;
    else r = cur + x;
    store<i64>(e, r, LAYOUT_E_VALUE);
    return r == 0;
  }
  const y: f64 = srcIsF64 ? reinterpret<f64>(bits) : <f64><i64>bits;
  const cur = isNew ? 0.0 : load<f64>(e, LAYOUT_E_VALUE);
  let r: f64;
  if (mode != LAYOUT_MODE_FOLD) r = cur - y;
  else if (isNew) r = y;
  else if (reducer == LAYOUT_REDUCER_MIN) r = min<f64>(cur, y);
  else if (reducer == LAYOUT_REDUCER_MAX) r = max<f64>(cur, y);
  else r = cur + y;
  store<f64>(e, r, LAYOUT_E_VALUE);
  return r == 0;
}

/**
 * Finds or adds one key and combines a value into it; removes it when
 * mode is SUBTRACT_DROP_ZERO and the result is zero. Returns false when the
 * table must grow first (nothing changed).
 */
export function upsert(t: usize, key: usize, len: usize, h: u64, bits: u64, srcIsF64: bool, mode: u32): bool {
  const slots = slotsOf(t);
  const arena = arenaOf(t);
  const s = probe(slots, arena, load<u32>(t, LAYOUT_H_CAPACITY) - 1, key, len, h);
  const ref = load<u32>(s, LAYOUT_S_ENTRY);
  let e: usize;
  if (ref == 0) {
    e = insertAt(t, arena, s, key, len, h);
    if (e == 0) return false;
  } else {
    e = arena + ref - 1;
  }
  if (combine(t, e, ref == 0, bits, srcIsF64, mode) && mode == LAYOUT_MODE_SUBTRACT_DROP_ZERO) removeAt(t, s);
  return true;
}

/**
 * Folds n (key, value) pairs into t: keys are consecutive at `keys` (lengths
 * as u32 at `lengths`, followed by LAYOUT_INPUT_PADDING bytes), values f64 at
 * `values`. Starts at pair `from`, at key byte offset `keyOffset`. Returns the
 * index of the first pair not applied (n when done); the TS side grows and
 * resumes from there.
 */
export function tableApply(t: usize, keys: usize, keyOffset: usize, lengths: usize, values: usize, from: u32, n: u32, mode: u32): u32 {
  const seed = load<u64>(t, LAYOUT_H_SEED);
  let k = keys + keyOffset;
  for (let i = from; i < n; i++) {
    const len = <usize>load<u32>(lengths + (<usize>i << 2));
    const bits = load<u64>(values + (<usize>i << 3));
    if (!upsert(t, k, len, hashRange(k, len, seed), bits, true, mode)) return i;
    k += len;
  }
  return n;
}

/**
 * Folds entry e (of a table whose values are f64 when srcIsF64) into dst
 * under hash h (dst's seed). A new entry in dst keeps where the key first
 * occurred (e's origin), not where e lies. False when dst must grow first.
 */
// @ts-ignore: decorator
@inline export function mergeEntry(dst: usize, e: usize, len: usize, h: u64, srcIsF64: bool, mode: u32): bool {
  const dstUsed = load<u32>(dst, LAYOUT_H_ARENA_USED);
  if (!upsert(dst, e + LAYOUT_E_KEY, len, h, load<u64>(e, LAYOUT_E_VALUE), srcIsF64, mode)) return false;
  if (load<u32>(dst, LAYOUT_H_ARENA_USED) != dstUsed) store<u32>(arenaOf(dst) + dstUsed, load<u32>(e, LAYOUT_E_ORIGIN), LAYOUT_E_ORIGIN);
  return true;
}

/**
 * Merges the live entries of src into dst, walking src's arena (insertion
 * order) from arena offset `from`. With parts > 1 only keys whose hash (with
 * dst's seed) falls in partition `part` are taken, so n workers can each
 * merge one partition of every partial table into their own target in
 * parallel (all targets of one merge must share a seed). Also used to move a
 * table into a bigger region. Returns the arena offset where it stopped
 * (src's arenaUsed when done). New entries in dst keep src's origin.
 */
export function tableMerge(dst: usize, src: usize, from: u32, part: u32, parts: u32, mode: u32): u32 {
  const seed = load<u64>(dst, LAYOUT_H_SEED);
  const srcIsF64 = load<u32>(src, LAYOUT_H_VALUE_KIND) == LAYOUT_VALUE_F64;
  const arena = arenaOf(src);
  const used = load<u32>(src, LAYOUT_H_ARENA_USED);
  let off = from;
  while (off < used) {
    const e = arena + off;
    const word = load<u32>(e, LAYOUT_E_KEY_LENGTH);
    const len = <usize>(word & ~LAYOUT_ENTRY_DEAD_BIT);
    const next = off + entryBytes(len);
    if ((word & LAYOUT_ENTRY_DEAD_BIT) == 0) {
      const h = hashRange(e + LAYOUT_E_KEY, len, seed);
      if ((parts <= 1 || partitionOf(h, parts) == part) && !mergeEntry(dst, e, len, h, srcIsF64, mode)) return off;
    }
    off = next;
  }
  return used;
}

/**
 * One worker's share of folding src into dst in place, several workers at
 * once: share `part` of `parts` is the live entries of src that start in
 * the part-th of `parts` equal slices of src's arena. Each is folded into
 * dst when dst holds its key already; the others are listed (src arena
 * offsets, ascending) at `pendingOut`, for ONE thread to add afterwards, in
 * src order, with tableMergeListed. Nothing is inserted and src's keys are
 * distinct, so workers folding different shares into one dst touch
 * different entries, and dst never has to grow. (Slicing by arena position
 * rather than by hash spares each worker hashing the other shares' keys.)
 * Returns the count listed.
 */
export function tableFoldExisting(dst: usize, src: usize, part: u32, parts: u32, pendingOut: usize): u32 {
  const seed = load<u64>(dst, LAYOUT_H_SEED);
  const srcIsF64 = load<u32>(src, LAYOUT_H_VALUE_KIND) == LAYOUT_VALUE_F64;
  const slots = slotsOf(dst);
  const dstArena = arenaOf(dst);
  const mask = load<u32>(dst, LAYOUT_H_CAPACITY) - 1;
  const arena = arenaOf(src);
  const used = load<u32>(src, LAYOUT_H_ARENA_USED);
  const sliceStart = <u32>((<u64>used * part) / parts);
  const sliceEnd = <u32>((<u64>used * (part + 1)) / parts);
  // Entry starts are only known by walking from the first entry.
  let off: u32 = 0;
  while (off < sliceStart) off = nextEntry(arena, off);
  let pending: u32 = 0;
  while (off < sliceEnd) {
    const e = arena + off;
    const word = load<u32>(e, LAYOUT_E_KEY_LENGTH);
    const len = <usize>(word & ~LAYOUT_ENTRY_DEAD_BIT);
    if ((word & LAYOUT_ENTRY_DEAD_BIT) == 0) {
      const key = e + LAYOUT_E_KEY;
      const ref = load<u32>(probe(slots, dstArena, mask, key, len, hashRange(key, len, seed)), LAYOUT_S_ENTRY);
      if (ref != 0) {
        combine(dst, dstArena + ref - 1, false, load<u64>(e, LAYOUT_E_VALUE), srcIsF64, LAYOUT_MODE_FOLD);
      } else {
        store<u32>(pendingOut + (<usize>pending << 2), off);
        pending++;
      }
    }
    off += entryBytes(len);
  }
  return pending;
}

/**
 * Folds the src entries listed (arena offsets) at `list`, from index `from`
 * to n, into dst in list order (new entries keep their origin). Returns the
 * index of the first entry not folded (n when done); the TypeScript side
 * grows dst and resumes there.
 */
export function tableMergeListed(dst: usize, src: usize, list: usize, from: u32, n: u32, mode: u32): u32 {
  const seed = load<u64>(dst, LAYOUT_H_SEED);
  const srcIsF64 = load<u32>(src, LAYOUT_H_VALUE_KIND) == LAYOUT_VALUE_F64;
  const arena = arenaOf(src);
  for (let i = from; i < n; i++) {
    const e = arena + load<u32>(list + (<usize>i << 2));
    const len = <usize>(load<u32>(e, LAYOUT_E_KEY_LENGTH) & ~LAYOUT_ENTRY_DEAD_BIT);
    if (!mergeEntry(dst, e, len, hashRange(e + LAYOUT_E_KEY, len, seed), srcIsF64, mode)) return i;
  }
  return n;
}

/** Arena offset + 1 of the entry for [key, key+len), or 0 when absent. */
export function tableFind(t: usize, key: usize, len: usize): u32 {
  const h = hashRange(key, len, load<u64>(t, LAYOUT_H_SEED));
  const s = probe(slotsOf(t), arenaOf(t), load<u32>(t, LAYOUT_H_CAPACITY) - 1, key, len, h);
  return load<u32>(s, LAYOUT_S_ENTRY);
}

/** Writes the arena offsets (u32) of all live entries, in insertion order, to out. Returns the count. */
export function tableList(t: usize, out: usize): u32 {
  const arena = arenaOf(t);
  const used = load<u32>(t, LAYOUT_H_ARENA_USED);
  let off: u32 = 0;
  let n: u32 = 0;
  while (off < used) {
    const word = load<u32>(arena + off, LAYOUT_E_KEY_LENGTH);
    if ((word & LAYOUT_ENTRY_DEAD_BIT) == 0) {
      store<u32>(out + (<usize>n << 2), off);
      n++;
    }
    off += entryBytes(word & ~LAYOUT_ENTRY_DEAD_BIT);
  }
  return n;
}

/** Arena offset of the first live entry of t at or after `off` (arenaUsed when none). */
// @ts-ignore: decorator
@inline function liveFrom(arena: usize, used: u32, off: u32): u32 {
  while (off < used) {
    const word = load<u32>(arena + off, LAYOUT_E_KEY_LENGTH);
    if ((word & LAYOUT_ENTRY_DEAD_BIT) == 0) return off;
    off += entryBytes(word & ~LAYOUT_ENTRY_DEAD_BIT);
  }
  return used;
}

// @ts-ignore: decorator
@inline function nextEntry(arena: usize, off: u32): u32 {
  return off + entryBytes(load<u32>(arena + off, LAYOUT_E_KEY_LENGTH) & ~LAYOUT_ENTRY_DEAD_BIT);
}

/**
 * tableList for `count` tables at once (their pointers are u32s at `tables`),
 * as ONE list in origin order, for tables whose entries are each in origin
 * order already (merge targets filled partition by partition are): the
 * lists merged by origin give the order one pass over the whole input gives.
 * Items are (entry address - first table's arena) mod 2^32, so tableExport
 * on the first table reads entries of all of them (wasm32 addresses wrap).
 * `cursors` is scratch for `count` u32s. Returns the number of items.
 */
export function tableListByOrigin(tables: usize, count: u32, cursors: usize, out: usize): u32 {
  if (count == 0) return 0;
  const first = arenaOf(<usize>load<u32>(tables));
  if (count == 2) return listTwoByOrigin(first, <usize>load<u32>(tables), <usize>load<u32>(tables, 4), out);
  for (let i: u32 = 0; i < count; i++) store<u32>(cursors + (<usize>i << 2), 0);
  let n: u32 = 0;
  while (true) {
    let best: i32 = -1;
    let bestOrigin: u32 = 0;
    let bestArena: usize = 0;
    let bestOff: u32 = 0;
    for (let i: u32 = 0; i < count; i++) {
      const t = <usize>load<u32>(tables + (<usize>i << 2));
      const arena = arenaOf(t);
      const off = liveFrom(arena, load<u32>(t, LAYOUT_H_ARENA_USED), load<u32>(cursors + (<usize>i << 2)));
      store<u32>(cursors + (<usize>i << 2), off);
      if (off >= load<u32>(t, LAYOUT_H_ARENA_USED)) continue;
      const origin = load<u32>(arena + off, LAYOUT_E_ORIGIN);
      if (best < 0 || origin < bestOrigin) {
        best = <i32>i;
        bestOrigin = origin;
        bestArena = arena;
        bestOff = off;
      }
    }
    if (best < 0) return n;
    store<u32>(out + (<usize>n << 2), <u32>(bestArena + bestOff - first));
    n++;
    store<u32>(cursors + (<usize>best << 2), nextEntry(bestArena, bestOff));
  }
  return n;
}

/** tableListByOrigin for two tables (the worker pool's usual case), with its cursors in locals. */
function listTwoByOrigin(first: usize, a: usize, b: usize, out: usize): u32 {
  const arenaA = arenaOf(a);
  const arenaB = arenaOf(b);
  const usedA = load<u32>(a, LAYOUT_H_ARENA_USED);
  const usedB = load<u32>(b, LAYOUT_H_ARENA_USED);
  let offA = liveFrom(arenaA, usedA, 0);
  let offB = liveFrom(arenaB, usedB, 0);
  let n: u32 = 0;
  while (offA < usedA && offB < usedB) {
    if (load<u32>(arenaA + offA, LAYOUT_E_ORIGIN) < load<u32>(arenaB + offB, LAYOUT_E_ORIGIN)) {
      store<u32>(out + (<usize>n << 2), <u32>(arenaA + offA - first));
      offA = liveFrom(arenaA, usedA, nextEntry(arenaA, offA));
    } else {
      store<u32>(out + (<usize>n << 2), <u32>(arenaB + offB - first));
      offB = liveFrom(arenaB, usedB, nextEntry(arenaB, offB));
    }
    n++;
  }
  while (offA < usedA) {
    store<u32>(out + (<usize>n << 2), <u32>(arenaA + offA - first));
    offA = liveFrom(arenaA, usedA, nextEntry(arenaA, offA));
    n++;
  }
  while (offB < usedB) {
    store<u32>(out + (<usize>n << 2), <u32>(arenaB + offB - first));
    offB = liveFrom(arenaB, usedB, nextEntry(arenaB, offB));
    n++;
  }
  return n;
}

/**
 * For the n entries listed (arena offsets) at `list`: writes each key followed
 * by LAYOUT_KEY_SEPARATOR to keysOut, its value as f64 to valuesOut and the
 * UTF-16 length TextDecoder will give the key to lengthsOut. Returns the key
 * bytes written. One decode of keysOut then splits by those lengths.
 */
export function tableExport(t: usize, list: usize, n: u32, keysOut: usize, valuesOut: usize, lengthsOut: usize): u32 {
  const arena = arenaOf(t);
  const isF64 = load<u32>(t, LAYOUT_H_VALUE_KIND) == LAYOUT_VALUE_F64;
  let out = keysOut;
  for (let i: u32 = 0; i < n; i++) {
    const e = arena + load<u32>(list + (<usize>i << 2));
    const len = <usize>(load<u32>(e, LAYOUT_E_KEY_LENGTH) & ~LAYOUT_ENTRY_DEAD_BIT);
    memory.copy(out, e + LAYOUT_E_KEY, len);
    store<u8>(out + len, <u8>LAYOUT_KEY_SEPARATOR);
    store<u32>(lengthsOut + (<usize>i << 2), utf16Length(out, len));
    const v = isF64 ? load<f64>(e, LAYOUT_E_VALUE) : <f64>load<i64>(e, LAYOUT_E_VALUE);
    store<f64>(valuesOut + (<usize>i << 3), v);
    out += len + 1;
  }
  return <u32>(out - keysOut);
}

/** Value of an entry as f64 (NaN sorts below everything in top-K). */
// @ts-ignore: decorator
@inline function rankValue(e: usize, isF64: bool): f64 {
  return isF64 ? load<f64>(e, LAYOUT_E_VALUE) : <f64>load<i64>(e, LAYOUT_E_VALUE);
}

/** Whether entry a ranks strictly before entry b: larger value first, NaN last, ties by key bytes ascending. */
function ranksBefore(arena: usize, a: u32, b: u32, isF64: bool): bool {
  const ea = arena + a;
  const eb = arena + b;
  if (isF64) {
    const x = load<f64>(ea, LAYOUT_E_VALUE);
    const y = load<f64>(eb, LAYOUT_E_VALUE);
    const xn = x != x;
    const yn = y != y;
    if (xn != yn) return yn;
    if (!xn && x != y) return x > y;
  } else {
    const x = load<i64>(ea, LAYOUT_E_VALUE);
    const y = load<i64>(eb, LAYOUT_E_VALUE);
    if (x != y) return x > y;
  }
  const la = <usize>(load<u32>(ea, LAYOUT_E_KEY_LENGTH) & ~LAYOUT_ENTRY_DEAD_BIT);
  const lb = <usize>(load<u32>(eb, LAYOUT_E_KEY_LENGTH) & ~LAYOUT_ENTRY_DEAD_BIT);
  return compareBytes(ea + LAYOUT_E_KEY, la, eb + LAYOUT_E_KEY, lb) < 0;
}

/** Restores the heap property (root = worst-ranked) below index i of a heap of n arena offsets. */
function siftDown(arena: usize, heap: usize, n: u32, i: u32, isF64: bool): void {
  while (true) {
    const l: u32 = 2 * i + 1;
    if (l >= n) return;
    let worst = l;
    const r: u32 = l + 1;
    if (r < n && ranksBefore(arena, load<u32>(heap + (<usize>l << 2)), load<u32>(heap + (<usize>r << 2)), isF64)) worst = r;
    const wi = load<u32>(heap + (<usize>worst << 2));
    const ii = load<u32>(heap + (<usize>i << 2));
    if (!ranksBefore(arena, ii, wi, isF64)) return;
    store<u32>(heap + (<usize>i << 2), wi);
    store<u32>(heap + (<usize>worst << 2), ii);
    i = worst;
  }
}

/**
 * Writes the arena offsets of the k best entries to out (k u32), best first:
 * larger value first, NaN last, ties broken by key bytes ascending. A heap of
 * k entries, O(n log k). Returns how many were written (min(k, size)).
 */
export function tableTop(t: usize, k: u32, out: usize): u32 {
  if (k == 0) return 0;
  const arena = arenaOf(t);
  const isF64 = load<u32>(t, LAYOUT_H_VALUE_KIND) == LAYOUT_VALUE_F64;
  const used = load<u32>(t, LAYOUT_H_ARENA_USED);
  let n: u32 = 0;
  let off: u32 = 0;
  while (off < used) {
    const word = load<u32>(arena + off, LAYOUT_E_KEY_LENGTH);
    if ((word & LAYOUT_ENTRY_DEAD_BIT) == 0) {
      if (n < k) {
        // Sift up: the root must stay the worst.
        let i = n++;
        store<u32>(out + (<usize>i << 2), off);
        while (i > 0) {
          const parent = (i - 1) >> 1;
          const pv = load<u32>(out + (<usize>parent << 2));
          if (!ranksBefore(arena, pv, off, isF64)) break;
          store<u32>(out + (<usize>i << 2), pv);
          store<u32>(out + (<usize>parent << 2), off);
          i = parent;
        }
      } else if (ranksBefore(arena, off, load<u32>(out), isF64)) {
        store<u32>(out, off);
        siftDown(arena, out, n, 0, isF64);
      }
    }
    off += entryBytes(word & ~LAYOUT_ENTRY_DEAD_BIT);
  }
  // Heapsort: repeatedly move the worst to the end, leaving best first.
  for (let m = n; m > 1; m--) {
    const last = out + (<usize>(m - 1) << 2);
    const root = load<u32>(out);
    store<u32>(out, load<u32>(last));
    store<u32>(last, root);
    siftDown(arena, out, m - 1, 0, isF64);
  }
  return n;
}
