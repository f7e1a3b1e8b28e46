/**
 * The one TypeScript module that knows how kernel memory is laid out. It
 * mirrors assembly/layout.ts constant for constant (same names; the compiled
 * module exports each as a global, and test/kernels/layout.test.ts proves they
 * agree). Nothing outside src/kernels reads kernel memory.
 *
 *   0               STATIC_LIMIT                                        memory end
 *   ├───────────────┼─────────────────────────────────────────────────────────┤
 *   │ static data   │ regions from the RegionAllocator (region-allocator.ts): │
 *   │ (pow10 table) │ input bytes + 16 padding, tables, export buffers, ...   │
 *   └───────────────┴─────────────────────────────────────────────────────────┘
 *
 * Aggregation table region (16-byte aligned):
 *
 *   t ─► ┌──────────────── header: TABLE_HEADER_BYTES (64) ──────────────────┐
 *        │ +0  u32 magic 'SLT1'      +4  u32 capacity (slots, power of two)  │
 *        │ +8  u32 size (live keys)  +12 u32 maxLoad (size limit before grow)│
 *        │ +16 u32 arenaCapacity     +20 u32 arenaUsed (bytes)               │
 *        │ +24 u32 deadBytes         +28 u32 valueKind (0 i64, 1 f64)        │
 *        │ +32 u32 reducer           +36 u32 pendingBytes (entry that failed)│
 *        │ +40 u64 seed              +48..63 reserved                        │
 *        ├──────────────── slots: capacity × SLOT_BYTES (8) ─────────────────┤
 *        │ +0 u32 low 32 bits of the hash (home slot; cheap reject)          │
 *        │ +4 u32 entry (arena offset + 1; 0 = empty)                        │
 *        ├──────────────── key arena: arenaCapacity bytes ───────────────────┤
 *        │ entries in insertion order, each 8-byte aligned:                  │
 *        │ +0 u32 key length | ENTRY_DEAD_BIT when removed                   │
 *        │ +4 u32 origin     +8 value (i64 or f64)   +16 key bytes, padding  │
 *        │ origin: address of the key's first occurrence (kept by merges), so │
 *        │ tables merged from partitions list keys in first-occurrence order │
 *        └───────────────────────────────────────────────────────────────────┘
 *
 * Delimited statistics region: +0 u32 lines seen, +4 u32 malformed lines.
 *
 * Range merge (the worker pool's 'ranges' merge, assembly/range-merge.ts):
 * one state region per hash range, written by the thread merging that
 * range, for a batch of `count` partial tables:
 *
 *   state ─► ┌ +0 u32 next source (partial index to scan next; starts at 1)  ┐
 *            │ +4 u32 next slot (position in it; RANGE_FRESH: not yet)       │
 *            ├ +8 runs: count × RUN_BYTES (8), run k = source k:             ┤
 *            │ +0 u32 arena offset in the range's overflow table where the   │
 *            │    keys first seen in partial k start                         │
 *            │ +4 u32 how many there are (they lie back to back)             │
 *            └───────────────────────────────────────────────────────────────┘
 *
 * Known-word counts (assembly/known-words.ts): each partition is counted
 * into a copy of the key cache's table, whose words keep the cache's arena
 * offsets, and lists its words in a seen list:
 *
 *   seen ─► ┌ +0 u32 count      +4 u32 capacity (entries)                 ┐
 *           ├ +8 count × u32: the arena offsets of the partition's words   ┤
 *           │ in its copy, in first-occurrence order (below the cache's   │
 *           │ arenaUsed: a word the cache knows, at the same offset there)│
 *           └─────────────────────────────────────────────────────────────┘
 *
 * Known-word results (knownWordsTotals, knownWordsList): an arguments
 * block of u32 words, written by the owner, read by every thread:
 *
 *   args ─► ┌ +0 cache table   +4 copied (its arenaUsed when copied)      ┐
 *           │ +8 merged (new words folded; 0: none)   +12 parts           │
 *           │ +16 tables, +20 seens: u32 pointers, one per partition      │
 *           │ +24 offsets: u32 arena offset per cache id (id order)       │
 *           │ +28 firsts: u32 per id, first partition with the word       │
 *           │     (KNOWN_NONE: none)   +32 totals: f64 per id              │
 *           │ +36 ids (i32), +40 values (f64): the result, partition k's  │
 *           │     part from starts[k] (+44, u32 per partition), counts[k] │
 *           │     (+48, u32 per partition) long                           │
 *           └─────────────────────────────────────────────────────────────┘
 *
 * Sort scratch of tableOrderRuns for n keys: SORT_HISTOGRAM_BYTES of
 * counters, then n × SORT_ITEM_BYTES (two u64 arrays of n).
 */
export const LAYOUT = {
  LAYOUT_VERSION: 1,
  LAYOUT_STATIC_LIMIT: 4096,
  LAYOUT_INPUT_PADDING: 16,

  LAYOUT_TABLE_MAGIC: 0x31544c53,
  LAYOUT_TABLE_HEADER_BYTES: 64,
  LAYOUT_H_MAGIC: 0,
  LAYOUT_H_CAPACITY: 4,
  LAYOUT_H_SIZE: 8,
  LAYOUT_H_MAX_LOAD: 12,
  LAYOUT_H_ARENA_CAPACITY: 16,
  LAYOUT_H_ARENA_USED: 20,
  LAYOUT_H_DEAD_BYTES: 24,
  LAYOUT_H_VALUE_KIND: 28,
  LAYOUT_H_REDUCER: 32,
  LAYOUT_H_PENDING_BYTES: 36,
  LAYOUT_H_SEED: 40,

  LAYOUT_SLOT_BYTES: 8,
  LAYOUT_SLOT_SHIFT: 3,
  LAYOUT_S_HASH: 0,
  LAYOUT_S_ENTRY: 4,

  LAYOUT_ENTRY_HEADER_BYTES: 16,
  LAYOUT_E_KEY_LENGTH: 0,
  LAYOUT_E_ORIGIN: 4,
  LAYOUT_E_VALUE: 8,
  LAYOUT_E_KEY: 16,
  LAYOUT_ENTRY_DEAD_BIT: 0x80000000,
  LAYOUT_MAX_KEY_BYTES: 0x7fffffff,

  LAYOUT_LOAD_NUM: 11,
  LAYOUT_LOAD_DEN: 16,
  LAYOUT_MIN_CAPACITY: 8,

  LAYOUT_VALUE_I64: 0,
  LAYOUT_VALUE_F64: 1,
  LAYOUT_REDUCER_SUM: 0,
  LAYOUT_REDUCER_COUNT: 1,
  LAYOUT_REDUCER_MIN: 2,
  LAYOUT_REDUCER_MAX: 3,

  LAYOUT_MODE_FOLD: 0,
  LAYOUT_MODE_SUBTRACT: 1,
  LAYOUT_MODE_SUBTRACT_DROP_ZERO: 2,

  LAYOUT_KEY_SEPARATOR: 10,

  LAYOUT_STATS_LINES: 0,
  LAYOUT_STATS_MALFORMED: 4,
  LAYOUT_STATS_BYTES: 8,

  LAYOUT_RANGE_NEXT_SOURCE: 0,
  LAYOUT_RANGE_NEXT_SLOT: 4,
  LAYOUT_RANGE_RUNS: 8,
  LAYOUT_RANGE_FRESH: 0xffffffff,
  LAYOUT_RUN_BYTES: 8,
  LAYOUT_RUN_START: 0,
  LAYOUT_RUN_COUNT: 4,
  LAYOUT_SORT_HISTOGRAM_BYTES: 8192,
  LAYOUT_SORT_ITEM_BYTES: 16,

  LAYOUT_SEEN_COUNT: 0,
  LAYOUT_SEEN_CAPACITY: 4,
  LAYOUT_SEEN_ENTRIES: 8,

  LAYOUT_KNOWN_CACHE: 0,
  LAYOUT_KNOWN_COPIED: 4,
  LAYOUT_KNOWN_MERGED: 8,
  LAYOUT_KNOWN_PARTS: 12,
  LAYOUT_KNOWN_TABLES: 16,
  LAYOUT_KNOWN_SEENS: 20,
  LAYOUT_KNOWN_OFFSETS: 24,
  LAYOUT_KNOWN_FIRSTS: 28,
  LAYOUT_KNOWN_TOTALS: 32,
  LAYOUT_KNOWN_IDS: 36,
  LAYOUT_KNOWN_VALUES: 40,
  LAYOUT_KNOWN_STARTS: 44,
  LAYOUT_KNOWN_COUNTS: 48,
  LAYOUT_KNOWN_ARGS_BYTES: 52,
  LAYOUT_KNOWN_NONE: 0xffffffff,
} as const;

export const STATIC_LIMIT = LAYOUT.LAYOUT_STATIC_LIMIT;
export const INPUT_PADDING = LAYOUT.LAYOUT_INPUT_PADDING;
export const TABLE_HEADER_BYTES = LAYOUT.LAYOUT_TABLE_HEADER_BYTES;
export const SLOT_BYTES = LAYOUT.LAYOUT_SLOT_BYTES;
export const MIN_CAPACITY = LAYOUT.LAYOUT_MIN_CAPACITY;

export const VALUE_I64 = LAYOUT.LAYOUT_VALUE_I64;
export const VALUE_F64 = LAYOUT.LAYOUT_VALUE_F64;
export type ValueKind = typeof VALUE_I64 | typeof VALUE_F64;

export const MODE_FOLD = LAYOUT.LAYOUT_MODE_FOLD;
export const MODE_SUBTRACT = LAYOUT.LAYOUT_MODE_SUBTRACT;
export const MODE_SUBTRACT_DROP_ZERO = LAYOUT.LAYOUT_MODE_SUBTRACT_DROP_ZERO;
export type CombineMode = typeof MODE_FOLD | typeof MODE_SUBTRACT | typeof MODE_SUBTRACT_DROP_ZERO;

export const REDUCER_CODES = {
  sum: LAYOUT.LAYOUT_REDUCER_SUM,
  count: LAYOUT.LAYOUT_REDUCER_COUNT,
  min: LAYOUT.LAYOUT_REDUCER_MIN,
  max: LAYOUT.LAYOUT_REDUCER_MAX,
} as const;

/** Header fields of a table, read from kernel memory. */
export interface TableHeader {
  readonly capacity: number;
  readonly size: number;
  readonly maxLoad: number;
  readonly arenaCapacity: number;
  readonly arenaUsed: number;
  readonly deadBytes: number;
  readonly valueKind: ValueKind;
  readonly reducer: number;
  readonly pendingBytes: number;
}

export function readTableHeader(view: DataView, t: number): TableHeader {
  return {
    capacity: view.getUint32(t + LAYOUT.LAYOUT_H_CAPACITY, true),
    size: view.getUint32(t + LAYOUT.LAYOUT_H_SIZE, true),
    maxLoad: view.getUint32(t + LAYOUT.LAYOUT_H_MAX_LOAD, true),
    arenaCapacity: view.getUint32(t + LAYOUT.LAYOUT_H_ARENA_CAPACITY, true),
    arenaUsed: view.getUint32(t + LAYOUT.LAYOUT_H_ARENA_USED, true),
    deadBytes: view.getUint32(t + LAYOUT.LAYOUT_H_DEAD_BYTES, true),
    valueKind: view.getUint32(t + LAYOUT.LAYOUT_H_VALUE_KIND, true) === VALUE_F64 ? VALUE_F64 : VALUE_I64,
    reducer: view.getUint32(t + LAYOUT.LAYOUT_H_REDUCER, true),
    pendingBytes: view.getUint32(t + LAYOUT.LAYOUT_H_PENDING_BYTES, true),
  };
}

/** Bytes of a table region with `capacity` slots and `arenaCapacity` arena bytes. */
export function tableRegionBytes(capacity: number, arenaCapacity: number): number {
  return TABLE_HEADER_BYTES + capacity * SLOT_BYTES + arenaCapacity;
}

/** Arena bytes one entry with a key of `keyBytes` bytes takes. */
export function entryBytes(keyBytes: number): number {
  return LAYOUT.LAYOUT_ENTRY_HEADER_BYTES + ((keyBytes + 7) & ~7);
}

/** Largest size a table of `capacity` slots holds before it must grow. */
export function maxLoadOf(capacity: number): number {
  return Math.floor((capacity * LAYOUT.LAYOUT_LOAD_NUM) / LAYOUT.LAYOUT_LOAD_DEN);
}

export interface TableGeometry {
  readonly capacity: number;
  readonly arenaCapacity: number;
}

/** Smallest geometry holding `keys` entries with `keyBytes` key bytes in all. */
export function geometryFor(keys: number, keyBytes: number): TableGeometry {
  let capacity: number = MIN_CAPACITY;
  while (maxLoadOf(capacity) < keys + 1) capacity *= 2;
  const arenaCapacity = roundUp8(keys * LAYOUT.LAYOUT_ENTRY_HEADER_BYTES + keyBytes + keys * 7 + 64);
  return { capacity, arenaCapacity };
}

/**
 * The geometry to move a full table to: double the slots when the load
 * limit was hit, and double the arena (at least enough for the live entries
 * plus the pending one) when it was. Dead entries are dropped by the move.
 */
export function grownGeometry(h: TableHeader): TableGeometry {
  const capacity = h.size + 1 > h.maxLoad ? h.capacity * 2 : h.capacity;
  const live = h.arenaUsed - h.deadBytes;
  const needed = live + h.pendingBytes;
  let arenaCapacity = h.arenaCapacity;
  if (needed > arenaCapacity || h.arenaUsed + h.pendingBytes > arenaCapacity) {
    arenaCapacity = Math.max(needed, Math.min(arenaCapacity * 2, needed * 2));
  }
  return { capacity, arenaCapacity: roundUp8(Math.max(arenaCapacity, 64)) };
}

/** Bytes of a range merge state region for a batch of `count` partial tables. */
export function rangeStateBytes(count: number): number {
  return LAYOUT.LAYOUT_RANGE_RUNS + count * LAYOUT.LAYOUT_RUN_BYTES;
}

/** Sets a range merge state region to "start at source 1" (the overflow table is cleared then). */
export function initRangeState(view: DataView, state: number): void {
  view.setUint32(state + LAYOUT.LAYOUT_RANGE_NEXT_SOURCE, 1, true);
  view.setUint32(state + LAYOUT.LAYOUT_RANGE_NEXT_SLOT, LAYOUT.LAYOUT_RANGE_FRESH, true);
}

/** How many keys first seen in source k a finished range merge state lists. */
export function rangeRunCount(view: DataView, state: number, k: number): number {
  return view.getUint32(state + LAYOUT.LAYOUT_RANGE_RUNS + k * LAYOUT.LAYOUT_RUN_BYTES + LAYOUT.LAYOUT_RUN_COUNT, true);
}

/** Bytes of tableOrderRuns' sort scratch for n keys. */
export function sortScratchBytes(n: number): number {
  return LAYOUT.LAYOUT_SORT_HISTOGRAM_BYTES + n * LAYOUT.LAYOUT_SORT_ITEM_BYTES;
}

export function roundUp8(n: number): number {
  return Math.ceil(n / 8) * 8;
}
