/*
 * The one place (on the AssemblyScript side) that defines how kernel memory is
 * laid out. src/kernels/layout.ts mirrors every constant below under the same
 * name, and test/kernels/layout.test.ts compares them through the exports of
 * the compiled module (each constant is exported as an immutable global).
 *
 * Linear memory (one module instance or many on one shared memory):
 *
 *   0               LAYOUT_STATIC_LIMIT                                 memory end
 *   ├───────────────┼─────────────────────────────────────────────────────────┤
 *   │ static data   │ regions handed out by the TypeScript region allocator:  │
 *   │ (pow10 table) │ input bytes, tables, export buffers, ...                │
 *   └───────────────┴─────────────────────────────────────────────────────────┘
 *   __heap_base must be <= LAYOUT_STATIC_LIMIT (checked by the layout test).
 *
 * Input region: the bytes [ptr, ptr+len) followed by LAYOUT_INPUT_PADDING
 * readable bytes, because 128-bit loads and 8-byte hash reads may run past the
 * last byte. Their content does not matter.
 *
 * Aggregation table region (t is 16-byte aligned):
 *
 *   t ─► ┌──────────────── header: LAYOUT_TABLE_HEADER_BYTES ────────────────┐
 *        │ +0  u32 magic 'SLT1'      +4  u32 capacity (slots, power of two)  │
 *        │ +8  u32 size (live keys)  +12 u32 maxLoad (size limit before grow)│
 *        │ +16 u32 arenaCapacity     +20 u32 arenaUsed (bytes)               │
 *        │ +24 u32 deadBytes         +28 u32 valueKind (0 i64, 1 f64)        │
 *        │ +32 u32 reducer           +36 u32 pendingBytes (entry that failed)│
 *        │ +40 u64 seed              +48..63 reserved                        │
 *        ├──────────────── slots: capacity × LAYOUT_SLOT_BYTES (8) ──────────┤
 *        │ +0 u32 low 32 bits of the hash (home slot; cheap reject)          │
 *        │ +4 u32 entry (arena offset + 1; 0 = empty)                        │
 *        ├──────────────── key arena: arenaCapacity bytes ───────────────────┤
 *        │ entries in insertion order, each 8-byte aligned:                  │
 *        │ +0 u32 key length | LAYOUT_ENTRY_DEAD_BIT when removed            │
 *        │ +4 u32 origin     +8 value (i64 or f64)   +16 key bytes, padding  │
 *        │ origin: address of the key's first occurrence (kept by merges), so │
 *        │ tables merged from partitions list keys in first-occurrence order │
 *        └───────────────────────────────────────────────────────────────────┘
 *
 * Open addressing with linear probing and backward-shift deletion (no
 * tombstones). Removed entries stay in the arena, marked dead, until the
 * next grow compacts them. Because entries are kept in insertion order,
 * exports list keys in first-insertion order, like a JS Map, and merges walk
 * the source in that order rather than in slot order (walking slots in hash
 * order into a target with the same hash is what made prototype merges
 * quadratic).
 *
 * Delimited statistics region: +0 u32 lines seen, +4 u32 malformed lines.
 *
 * Range merge (assembly/range-merge.ts): one state region per hash range,
 * written by the thread merging that range, for a batch of `count` partials:
 *
 *   state ─► ┌ +0 u32 next source (partial index to scan next; starts at 1)  ┐
 *            │ +4 u32 next slot (position in it; LAYOUT_RANGE_FRESH: not yet)│
 *            ├ +8 runs: count × LAYOUT_RUN_BYTES (8), run k = source k:      ┤
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
 * Sort scratch of tableOrderRuns for n keys: LAYOUT_SORT_HISTOGRAM_BYTES of
 * counters, then n × LAYOUT_SORT_ITEM_BYTES (two u64 arrays of n).
 */

export const LAYOUT_VERSION: u32 = 1;
export const LAYOUT_STATIC_LIMIT: u32 = 4096;
export const LAYOUT_INPUT_PADDING: u32 = 16;

export const LAYOUT_TABLE_MAGIC: u32 = 0x31544c53;
export const LAYOUT_TABLE_HEADER_BYTES: u32 = 64;
export const LAYOUT_H_MAGIC: u32 = 0;
export const LAYOUT_H_CAPACITY: u32 = 4;
export const LAYOUT_H_SIZE: u32 = 8;
export const LAYOUT_H_MAX_LOAD: u32 = 12;
export const LAYOUT_H_ARENA_CAPACITY: u32 = 16;
export const LAYOUT_H_ARENA_USED: u32 = 20;
export const LAYOUT_H_DEAD_BYTES: u32 = 24;
export const LAYOUT_H_VALUE_KIND: u32 = 28;
export const LAYOUT_H_REDUCER: u32 = 32;
export const LAYOUT_H_PENDING_BYTES: u32 = 36;
export const LAYOUT_H_SEED: u32 = 40;

export const LAYOUT_SLOT_BYTES: u32 = 8;
export const LAYOUT_SLOT_SHIFT: u32 = 3;
export const LAYOUT_S_HASH: u32 = 0;
export const LAYOUT_S_ENTRY: u32 = 4;

export const LAYOUT_ENTRY_HEADER_BYTES: u32 = 16;
export const LAYOUT_E_KEY_LENGTH: u32 = 0;
export const LAYOUT_E_ORIGIN: u32 = 4;
export const LAYOUT_E_VALUE: u32 = 8;
export const LAYOUT_E_KEY: u32 = 16;
export const LAYOUT_ENTRY_DEAD_BIT: u32 = 0x80000000;
export const LAYOUT_MAX_KEY_BYTES: u32 = 0x7fffffff;

/** maxLoad = capacity * NUM / DEN: grow before the table is 11/16 (~69%) full. */
export const LAYOUT_LOAD_NUM: u32 = 11;
export const LAYOUT_LOAD_DEN: u32 = 16;
export const LAYOUT_MIN_CAPACITY: u32 = 8;

export const LAYOUT_VALUE_I64: u32 = 0;
export const LAYOUT_VALUE_F64: u32 = 1;
export const LAYOUT_REDUCER_SUM: u32 = 0;
export const LAYOUT_REDUCER_COUNT: u32 = 1;
export const LAYOUT_REDUCER_MIN: u32 = 2;
export const LAYOUT_REDUCER_MAX: u32 = 3;

/** How a merge or an apply combines a value with an existing entry. */
export const LAYOUT_MODE_FOLD: u32 = 0;
export const LAYOUT_MODE_SUBTRACT: u32 = 1;
export const LAYOUT_MODE_SUBTRACT_DROP_ZERO: u32 = 2;

/** Byte written after each exported key so one bulk decode can be split. */
export const LAYOUT_KEY_SEPARATOR: u32 = 10;

export const LAYOUT_STATS_LINES: u32 = 0;
export const LAYOUT_STATS_MALFORMED: u32 = 4;
export const LAYOUT_STATS_BYTES: u32 = 8;

export const LAYOUT_RANGE_NEXT_SOURCE: u32 = 0;
export const LAYOUT_RANGE_NEXT_SLOT: u32 = 4;
export const LAYOUT_RANGE_RUNS: u32 = 8;
export const LAYOUT_RANGE_FRESH: u32 = 0xffffffff;
export const LAYOUT_RUN_BYTES: u32 = 8;
export const LAYOUT_RUN_START: u32 = 0;
export const LAYOUT_RUN_COUNT: u32 = 4;
export const LAYOUT_SORT_HISTOGRAM_BYTES: u32 = 8192;
export const LAYOUT_SORT_ITEM_BYTES: u32 = 16;

export const LAYOUT_SEEN_COUNT: u32 = 0;
export const LAYOUT_SEEN_CAPACITY: u32 = 4;
export const LAYOUT_SEEN_ENTRIES: u32 = 8;
export const LAYOUT_KNOWN_CACHE: u32 = 0;
export const LAYOUT_KNOWN_COPIED: u32 = 4;
export const LAYOUT_KNOWN_MERGED: u32 = 8;
export const LAYOUT_KNOWN_PARTS: u32 = 12;
export const LAYOUT_KNOWN_TABLES: u32 = 16;
export const LAYOUT_KNOWN_SEENS: u32 = 20;
export const LAYOUT_KNOWN_OFFSETS: u32 = 24;
export const LAYOUT_KNOWN_FIRSTS: u32 = 28;
export const LAYOUT_KNOWN_TOTALS: u32 = 32;
export const LAYOUT_KNOWN_IDS: u32 = 36;
export const LAYOUT_KNOWN_VALUES: u32 = 40;
export const LAYOUT_KNOWN_STARTS: u32 = 44;
export const LAYOUT_KNOWN_COUNTS: u32 = 48;
export const LAYOUT_KNOWN_ARGS_BYTES: u32 = 52;
export const LAYOUT_KNOWN_NONE: u32 = 0xffffffff;
