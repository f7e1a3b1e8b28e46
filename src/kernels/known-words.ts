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
/** A seed of its own for the folded new words (the copies hash with the cache's). */
const MERGED_SEED = 0x2545f4914f6cdd1dn;
const TAG_LIMIT = 0xffff_fff0;

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
  private emitted = 0;
  private emittedRoom = 0;
  private emittedTag = 0;
  private merged = 0;

  constructor(private readonly ctx: KernelContext) {}

  /**
   * Regions for a batch of `parts` partitions, the smallest of
   * `partitionBytes`, counted against the cache; undefined when the cache
   * does not know enough of the stream's words for this to pay (see
   * KeyCache.knownWordsTable), or when copying the cache would cost more
   * than reading a partition.
   */
  begin(parts: number, partitionBytes: number): KnownWordsBatch | undefined {
    const known = this.ctx.keyCache.knownWordsTable();
    if (known === undefined) return undefined;
    const { ctx } = this;
    const cache = ctx.instance.header(known.table);
    if (tableRegionBytes(cache.capacity, cache.arenaUsed) > partitionBytes) return undefined;
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

  /** The batch's result: the partitions' words in partition order, each in first-occurrence order. */
  finish(batch: KnownWordsBatch): KeyedValues {
    const { ctx } = this;
    const { instance, scratch } = ctx;
    const parts = batch.tables.length;
    const merged = this.mergeNewWords(batch);
    const view = instance.memory.view();
    let listed = 0;
    for (const seen of batch.seens) listed += view.getUint32(seen + LAYOUT.LAYOUT_SEEN_COUNT, true);
    const pointers = scratch.get('known-pointers', 2 * parts * 4);
    const emitted = this.emittedFor(batch.ids);
    const ids = scratch.get('known-ids', listed * 4);
    const values = scratch.get('known-values', listed * 8);
    const words = new Uint32Array(instance.memory.u8().buffer, pointers, 2 * parts);
    words.set(batch.seens, 0);
    words.set(batch.tables, parts);
    const n = instance.exports.knownWordsOrder(
      pointers, pointers + parts * 4, parts, batch.cache, batch.copied, merged, emitted, this.emittedTag, ids, values,
    ) >>> 0;
    return ctx.keyCache.exportKnown(ctx, ids, values, n, merged);
  }

  /**
   * Every region a counting thread writes, forgotten here (fresh ones are
   * made for the next batch): for a lost worker thread, which may still be
   * writing, to release once it has exited.
   */
  surrender(): number[] {
    return [...this.tables.splice(0), ...this.seens.splice(0)];
  }

  /** Gives every region back (the context is going away, or memory is short). */
  release(): void {
    const { allocator } = this.ctx;
    for (const ptr of this.surrender()) allocator.release(ptr);
    if (this.emitted !== 0) allocator.release(this.emitted);
    if (this.merged !== 0) allocator.release(this.merged);
    this.emitted = 0;
    this.emittedRoom = 0;
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

  /** The emitted stamps (u32 per id), and a tag no stamp holds yet. */
  private emittedFor(ids: number): number {
    const { ctx } = this;
    if (this.emittedRoom < ids) {
      if (this.emitted !== 0) ctx.allocator.release(this.emitted);
      this.emitted = 0;
      this.emittedRoom = 0;
      const room = Math.max(ids, 1024);
      this.emitted = ctx.allocator.alloc(room * 4);
      this.emittedRoom = room;
      this.emittedTag = TAG_LIMIT;
    }
    if (this.emittedTag >= TAG_LIMIT) {
      ctx.instance.memory.u8().fill(0, this.emitted, this.emitted + this.emittedRoom * 4);
      this.emittedTag = 0;
    }
    this.emittedTag++;
    return this.emitted;
  }
}

function alignedArena(bytes: number): number {
  return Math.ceil(bytes / 8) * 8;
}
