/**
 * Word counts of known words, the owner's side (the kernels are in
 * assembly/known-words.ts, the regions drawn in layout.ts). Once the key
 * cache holds a stream's vocabulary, each partition of a batch is counted
 * into a copy of the cache's table, where every known word sits at the
 * cache's arena offset: partitions counted on different threads then need
 * no merge (counts are added offset by offset while the result is listed)
 * and their keys no lookup (the cache entry at that offset holds the id of
 * a cached string). Only the words the cache lacks are folded, from every
 * copy into one table, and exported as usual (their keys then cached).
 *
 * One KnownWordCounts per kernel context; `begin` readies the regions for a
 * batch of `parts` partitions, each partition's thread copies the cache
 * (tableCopyKeys) and counts (wordCountListed), and `finish` turns what they
 * counted into the result, in first-occurrence order like every word count.
 */
import type { KeyedValues } from './api.js';
import { LAYOUT, MODE_FOLD, VALUE_I64, geometryFor, tableRegionBytes } from './layout.js';
import { allocTable, growTable, movedTo, type KernelContext } from './wasm-table.js';

/** Seen-list room beyond the cache's ids at first (doubled when a partition's new words fill it). */
const SEEN_SLACK = 4096;
/** Arena room for new words in a copy beyond the cache's arena at first (a copy that fills is grown like any table). */
const NEW_WORD_ARENA_BYTES = 64 * 1024;
/**
 * A partition may be half as big as the cache table it is counted into:
 * copying the table is a sequential write, about 25 times faster per byte
 * than counting words, so the copy stays under a tenth of the partition's
 * count, less than the merge it saves (BENCHMARKS.md, issue 14, session 7).
 */
const COPY_BYTES_PER_PARTITION_BYTE = 2;
/** A seed of its own for the folded new words (the copies hash with the cache's). */
const MERGED_SEED = 0x2545f4914f6cdd1dn;
/**
 * Scratch regions the result's steps write (firsts, totals, ids, values,
 * and the counts beside the partitions' pointers): the worker pool's
 * threads write them, see its quarantine.
 */
export const KNOWN_OUTPUT_SCRATCH = ['known-firsts', 'known-totals', 'known-ids', 'known-values', 'known-pointers'] as const;

/**
 * Runs the result's two steps on the arguments block at `args` (layout.ts):
 * knownWordsTotals over the `ids` cache ids (in slices, in any order), and
 * once that is done, knownWordsList for each of the `parts` partitions.
 */
export interface KnownWordsSteps {
  run(args: number, ids: number, parts: number): void;
}

/** Both steps on the calling thread. */
export function stepsOnThisThread(ctx: KernelContext): KnownWordsSteps {
  return {
    run: (args, ids, parts) => {
      ctx.instance.exports.knownWordsTotals(args, 0, ids);
      for (let k = 0; k < parts; k++) ctx.instance.exports.knownWordsList(args, k);
    },
  };
}

/** A result's arrays, made before its length is known (see KnownWordCounts.prepare). */
export interface ResultArrays {
  readonly keys: string[];
  readonly values: Float64Array;
}

/** One batch counted against the cache. */
export interface KnownWordsBatch {
  /** The key cache's table (read only while the batch is counted). */
  readonly cache: number;
  /** Ids the cache has. */
  readonly ids: number;
  /** The cache's arenaUsed: offsets below it in a copy are known words. */
  readonly copied: number;
  /** Per partition: the table it is counted into (the owner replaces one it grows). */
  readonly tables: number[];
  /** Per partition: its seen list (replaced when grown, see growSeen). */
  readonly seens: number[];
}

export class KnownWordCounts {
  private tables: number[] = [];
  private seens: number[] = [];
  private merged = 0;
  /** Words in the last result: the next one's arrays are made that long ahead (see prepare). */
  private lastWords = 0;
  private prepared: ResultArrays | undefined;

  constructor(private readonly ctx: KernelContext) {}

  /**
   * Makes the next result's arrays, as long as the last result's (a stream's
   * vocabulary changes little from batch to batch), as one step of owner
   * work: the worker pool runs it while its workers count. Making them is
   * mostly page faults of fresh memory (BENCHMARKS.md, issue 14), work the
   * owner thread otherwise does alone after the count. finish uses them when
   * the result has that length, else makes its own.
   */
  *prepare(): Generator<void> {
    if (this.lastWords === 0) return;
    this.prepared = { keys: new Array<string>(this.lastWords), values: new Float64Array(this.lastWords) };
    yield;
  }

  /**
   * Regions for a batch of `parts` partitions, the smallest of
   * `partitionBytes`, counted against the cache; undefined when the cache
   * does not know enough of the stream's words for this to pay (see
   * KeyCache.knownWordsTable), or when copying the cache would cost too
   * much of counting a partition (COPY_BYTES_PER_PARTITION_BYTE).
   */
  begin(parts: number, partitionBytes: number): KnownWordsBatch | undefined {
    const known = this.ctx.keyCache.knownWordsTable();
    if (known === undefined) return undefined;
    const { ctx } = this;
    const cache = ctx.instance.header(known.table);
    if (tableRegionBytes(cache.capacity, cache.arenaUsed) > COPY_BYTES_PER_PARTITION_BYTE * partitionBytes || cache.size !== known.ids) return undefined;
    const arenaWant = cache.arenaUsed + NEW_WORD_ARENA_BYTES;
    const view = (): DataView => ctx.instance.memory.view();
    for (let k = 0; k < parts; k++) {
      const t = this.tables[k];
      if (t !== undefined) {
        const h = ctx.instance.header(t);
        if (h.capacity === cache.capacity && h.arenaCapacity >= arenaWant) continue;
        this.tables[k] = 0;
        ctx.allocator.release(t);
      }
      this.tables[k] = allocTable(ctx, { capacity: cache.capacity, arenaCapacity: alignedArena(arenaWant) }, VALUE_I64, 'sum');
    }
    const seenWant = known.ids + SEEN_SLACK;
    for (let k = 0; k < parts; k++) {
      const seen = this.seens[k];
      if (seen !== undefined && view().getUint32(seen + LAYOUT.LAYOUT_SEEN_CAPACITY, true) >= seenWant) continue;
      if (seen !== undefined) ctx.allocator.release(seen);
      this.seens[k] = 0;
      const fresh = ctx.allocator.alloc(LAYOUT.LAYOUT_SEEN_ENTRIES + seenWant * 4);
      view().setUint32(fresh + LAYOUT.LAYOUT_SEEN_CAPACITY, seenWant, true);
      this.seens[k] = fresh;
    }
    for (let k = 0; k < parts; k++) view().setUint32((this.seens[k] as number) + LAYOUT.LAYOUT_SEEN_COUNT, 0, true);
    return { cache: known.table, ids: known.ids, copied: cache.arenaUsed, tables: this.tables.slice(0, parts), seens: this.seens.slice(0, parts) };
  }

  /** Whether partition k's seen list is full (when its count stopped: else its table is). */
  seenFull(batch: KnownWordsBatch, k: number): boolean {
    const view = this.ctx.instance.memory.view();
    const seen = batch.seens[k] as number;
    return view.getUint32(seen + LAYOUT.LAYOUT_SEEN_COUNT, true) >= view.getUint32(seen + LAYOUT.LAYOUT_SEEN_CAPACITY, true);
  }

  /** Doubles partition k's seen list, keeping what it holds; returns the new one (also in batch.seens). */
  growSeen(batch: KnownWordsBatch, k: number): number {
    const { ctx } = this;
    const old = batch.seens[k] as number;
    const count = ctx.instance.memory.view().getUint32(old + LAYOUT.LAYOUT_SEEN_COUNT, true);
    const capacity = 2 * ctx.instance.memory.view().getUint32(old + LAYOUT.LAYOUT_SEEN_CAPACITY, true);
    const grown = ctx.allocator.alloc(LAYOUT.LAYOUT_SEEN_ENTRIES + capacity * 4);
    ctx.instance.memory.u8().copyWithin(grown, old, old + LAYOUT.LAYOUT_SEEN_ENTRIES + count * 4);
    ctx.instance.memory.view().setUint32(grown + LAYOUT.LAYOUT_SEEN_CAPACITY, capacity, true);
    ctx.allocator.release(old);
    batch.seens[k] = grown;
    this.seens[k] = grown;
    return grown;
  }

  /** Grows partition k's table (full of new words); returns the new one (also in batch.tables). Offsets stay. */
  growTable(batch: KnownWordsBatch, k: number): number {
    const grown = growTable(this.ctx, batch.tables[k] as number);
    batch.tables[k] = grown;
    this.tables[k] = grown;
    return grown;
  }

  /** Counts [ptr, ptr+len) as partition k on this thread (the inline kernels' one partition). */
  count(batch: KnownWordsBatch, k: number, ptr: number, len: number): void {
    const { exports } = this.ctx.instance;
    exports.tableCopyKeys(batch.tables[k] as number, batch.cache);
    let at = 0;
    for (;;) {
      at += exports.wordCountListed(batch.tables[k] as number, batch.seens[k] as number, ptr + at, len - at) >>> 0;
      if (at >= len) return;
      if (this.seenFull(batch, k)) this.growSeen(batch, k);
      else this.growTable(batch, k);
    }
  }

  /**
   * The batch's result: the partitions' words in partition order, each in
   * first-occurrence order. The two steps over the partitions' copies run
   * through `steps` (the worker pool splits them across its threads).
   */
  finish(batch: KnownWordsBatch, steps: KnownWordsSteps = stepsOnThisThread(this.ctx)): KeyedValues {
    const { ctx } = this;
    const { instance, scratch } = ctx;
    const parts = batch.tables.length;
    const merged = this.mergeNewWords(batch);
    const view = instance.memory.view();
    const starts: number[] = [];
    let listed = 0;
    for (const seen of batch.seens) {
      starts.push(listed);
      listed += view.getUint32(seen + LAYOUT.LAYOUT_SEEN_COUNT, true);
    }
    // The cache's entries lie in id order (begin checked that every id has one).
    const offsets = scratch.get('known-offsets', batch.ids * 4);
    instance.exports.tableList(batch.cache, offsets);
    const pointers = scratch.get(KNOWN_OUTPUT_SCRATCH[4], 4 * parts * 4);
    const region = (name: string, bytes: number): number => scratch.get(name, bytes);
    const args = region('known-args', LAYOUT.LAYOUT_KNOWN_ARGS_BYTES);
    const words: Record<number, number> = {
      [LAYOUT.LAYOUT_KNOWN_CACHE]: batch.cache,
      [LAYOUT.LAYOUT_KNOWN_COPIED]: batch.copied,
      [LAYOUT.LAYOUT_KNOWN_MERGED]: merged,
      [LAYOUT.LAYOUT_KNOWN_PARTS]: parts,
      [LAYOUT.LAYOUT_KNOWN_TABLES]: pointers,
      [LAYOUT.LAYOUT_KNOWN_SEENS]: pointers + parts * 4,
      [LAYOUT.LAYOUT_KNOWN_STARTS]: pointers + 2 * parts * 4,
      [LAYOUT.LAYOUT_KNOWN_COUNTS]: pointers + 3 * parts * 4,
      [LAYOUT.LAYOUT_KNOWN_OFFSETS]: offsets,
      [LAYOUT.LAYOUT_KNOWN_FIRSTS]: region(KNOWN_OUTPUT_SCRATCH[0], batch.ids * 4),
      [LAYOUT.LAYOUT_KNOWN_TOTALS]: region(KNOWN_OUTPUT_SCRATCH[1], batch.ids * 8),
      [LAYOUT.LAYOUT_KNOWN_IDS]: region(KNOWN_OUTPUT_SCRATCH[2], listed * 4),
      [LAYOUT.LAYOUT_KNOWN_VALUES]: region(KNOWN_OUTPUT_SCRATCH[3], listed * 8),
    };
    const u32 = new Uint32Array(instance.memory.u8().buffer);
    for (const [at, value] of Object.entries(words)) u32[(args + Number(at)) >>> 2] = value;
    u32.set(batch.tables, pointers >>> 2);
    u32.set(batch.seens, (pointers >>> 2) + parts);
    u32.set(starts, (pointers >>> 2) + 2 * parts);
    steps.run(args, batch.ids, parts);
    const counts = [...new Uint32Array(instance.memory.u8().buffer, pointers + 3 * parts * 4, parts)];
    const segments = starts.map((start, k) => ({ start, count: counts[k] as number }));
    const prepared = this.prepared;
    this.prepared = undefined;
    const result = ctx.keyCache.exportKnown(ctx, words[LAYOUT.LAYOUT_KNOWN_IDS] as number, words[LAYOUT.LAYOUT_KNOWN_VALUES] as number, segments, merged, prepared);
    this.lastWords = result.keys.length;
    return result;
  }

  /**
   * Every region a counting thread writes, forgotten here (fresh ones are
   * made for the next batch): for a lost worker thread, which may still be
   * writing, to release once it has exited.
   */
  surrender(): number[] {
    // A slot is 0 while its replacement is allocated (an allocation that failed leaves it so).
    return [...this.tables.splice(0), ...this.seens.splice(0)].filter((ptr) => ptr !== 0);
  }

  /** Gives every region back (the context is going away, or memory is short). */
  release(): void {
    const { allocator } = this.ctx;
    for (const ptr of this.surrender()) allocator.release(ptr);
    if (this.merged !== 0) allocator.release(this.merged);
    this.merged = 0;
  }

  /** The new words of every partition folded, in partition order, into one table (0 when there are none). */
  private mergeNewWords(batch: KnownWordsBatch): number {
    const { ctx } = this;
    const { instance } = ctx;
    const cacheSize = instance.header(batch.cache).size;
    let words = 0;
    let bytes = 0;
    for (const t of batch.tables) {
      const h = instance.header(t);
      words += h.size - cacheSize;
      bytes += h.arenaUsed - batch.copied;
    }
    if (words === 0) return 0;
    if (this.merged !== 0) instance.exports.tableClear(this.merged);
    else this.merged = allocTable(ctx, geometryFor(words, bytes), VALUE_I64, 'sum', MERGED_SEED);
    for (const t of batch.tables) {
      const used = instance.header(t).arenaUsed;
      let from = batch.copied;
      while ((from = instance.mergeTable(this.merged, t, from, 0, 1, MODE_FOLD)) < used) {
        this.merged = movedTo(growTable(ctx, this.merged), this.merged, (moved) => (this.merged = moved));
      }
    }
    return this.merged;
  }
}

function alignedArena(bytes: number): number {
  return Math.ceil(bytes / 8) * 8;
}
