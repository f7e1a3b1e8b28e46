/**
 * Keys decoded once and reused from export to export. Turning keys into JS
 * strings is the costliest part of reading a result (design.md), and a
 * stream's batches keep exporting the same keys (a word count's
 * vocabulary). The cache is a kernel table (assembly/key-cache.ts) mapping
 * a key's bytes to the index of its string in `strings`: an export looks
 * every key up, and decodes only the misses, in one bulk decode.
 *
 * Bounded and adaptive: at most MAX_CACHED_KEYS keys and MAX_CACHED_KEY_BYTES
 * of key bytes, and the policy is per kernels instance (streams sharing
 * kernels share it). When an export finds
 * fewer than half of its keys (judged from the second export after the
 * cache was emptied: the first finds none by construction), the next
 * BYPASS_EXPORTS exports decode as before, and a cache at least half full
 * is emptied so that it can learn the keys of the day; batches of
 * ever-new keys thus pay the lookups on one or two exports in ten. The cache
 * never makes an export fail: when kernel memory is short it adds nothing.
 */
import type { KeyedValues } from './api.js';
import { KernelError } from '../errors.js';
import { INPUT_PADDING, LAYOUT, VALUE_I64, geometryFor } from './layout.js';
import { decodeSeparatedKeys } from './keys.js';
import { allocTable, moveTable, type KernelContext } from './wasm-table.js';
import type { ResultArrays } from './known-words.js';

/** Keys the cache holds at most (about 12 MB of kernel memory for keys of up to 8 bytes). */
export const MAX_CACHED_KEYS = 1 << 18;
/** Key bytes the cache holds at most (long keys: fewer of them). */
export const MAX_CACHED_KEY_BYTES = 32 << 20;
/** Exports decoded without the cache after one found too few of its keys. */
const BYPASS_EXPORTS = 8;
/** Exports below this many keys neither use nor train the cache: decoding them is cheap. */
const MIN_EXPORT_KEYS = 64;
const MIN_HIT_SHARE = 0.5;
/**
 * Words are counted against the cache (known-words.ts) once it holds at
 * least this many keys and the last export found at least KNOWN_HIT_SHARE of
 * its keys in it: then nearly every word of a batch is known.
 */
const MIN_KNOWN_IDS = 1024;
const KNOWN_HIT_SHARE = 0.9;
/** Scratch regions a KeyLookup writes (ids, values): the worker pool's threads write them, see its quarantine. */
export const LOOKUP_OUTPUT_SCRATCH = ['key-cache-ids', 'key-cache-values'] as const;
/** A seed of its own, unlike the tables it looks keys up for. */
const CACHE_SEED = 0x5bd1e9955bd1e995n;

/**
 * Looks up ids and values of the `n` listed entries of `t`, writing ids
 * (i32, -1 for a miss) at `ids` and values (f64) at `values`; returns the
 * misses. `meanwhile` is the caller's own work, which a lookup that runs on
 * other threads may run on this one while they work (the caller runs it
 * afterwards when it did not). The worker pool passes one that splits the
 * list across its threads.
 */
export type KeyLookup = (cache: number, t: number, list: number, n: number, ids: number, values: number, meanwhile?: () => void) => number;

export interface KeyCacheExportOptions {
  /** Bounds the listed entries' bytes when they are not all in t's arena (default: t's arena). */
  readonly arenaBytes?: number | undefined;
  /** How keys are looked up (default: on the calling thread). */
  readonly lookup?: KeyLookup | undefined;
}

export interface KeyCacheStats {
  /** Exports that used the cache. */
  exports: number;
  /** Keys found in the cache (not decoded). */
  hits: number;
  /** Keys decoded. */
  misses: number;
  /** Times the cache was emptied to learn new keys. */
  resets: number;
}

export class KeyCache {
  readonly stats: KeyCacheStats = { exports: 0, hits: 0, misses: 0, resets: 0 };
  private table = 0;
  private strings: string[] = [];
  private exportsSinceReset = 0;
  private bypassLeft = 0;
  /** Share of the last export's keys found in the cache. */
  private lastHitShare = 0;

  /** Whether an export of `n` keys should go through the cache (counts down a bypass). */
  accepts(n: number): boolean {
    if (n < MIN_EXPORT_KEYS) return false;
    if (this.bypassLeft === 0) return true;
    this.bypassLeft--;
    return false;
  }

  /**
   * The keys and values of the `n` entries of `t` listed at `list` (arena
   * offsets from t's arena, mod 2^32), keys from the cache or decoded and cached.
   */
  export(ctx: KernelContext, t: number, list: number, n: number, options: KeyCacheExportOptions = {}): KeyedValues {
    // Nothing is allocated before the lookups can run: without memory for the cache, export as before.
    this.tableFor(ctx);
    const ids = ctx.scratch.get(LOOKUP_OUTPUT_SCRATCH[0], n * 4);
    const valuesAt = ctx.scratch.get(LOOKUP_OUTPUT_SCRATCH[1], n * 8);
    const lookup = options.lookup ?? lookupOnThisThread(ctx);
    // The result's arrays are made while the lookups run (on other threads, where the lookup has them):
    // for tens of thousands of keys, making them is mostly the page faults of fresh memory, about as
    // long as the lookups themselves (BENCHMARKS.md, issue 14, session 5). Writing the values' zeros
    // now is what takes those faults here rather than in the copy below.
    let made: { keys: string[]; values: Float64Array } | undefined;
    const arrays = (): { keys: string[]; values: Float64Array } => (made ??= { keys: new Array<string>(n), values: new Float64Array(n).fill(0) });
    const misses = lookup(this.table, t, list, n, ids, valuesAt, () => void arrays());
    const { keys, values } = arrays();
    const arenaBytes = options.arenaBytes ?? ctx.instance.header(t).arenaUsed;
    if (misses === 0) this.assemble(ctx, ids, n, this.strings.length, [], keys);
    else this.addMisses(ctx, t, list, n, ids, misses, arenaBytes, keys);
    values.set(new Float64Array(ctx.instance.memory.u8().buffer, valuesAt, n));
    this.learn(ctx, n, misses);
    return { keys, values };
  }

  /**
   * The cache's table and how many ids it has, when a batch's words are
   * best counted against it (see MIN_KNOWN_IDS); undefined otherwise.
   */
  knownWordsTable(): { table: number; ids: number } | undefined {
    if (this.table === 0 || this.bypassLeft > 0 || this.strings.length < MIN_KNOWN_IDS || this.lastHitShare < KNOWN_HIT_SHARE) return undefined;
    return { table: this.table, ids: this.strings.length };
  }

  /**
   * The result of a batch counted against the cache: its words are in
   * `segments` of the ids (i32) and values (f64) at idsAt and valuesAt, as
   * knownWordsList wrote them: a cache id, or -1 - the arena offset of a
   * word of `merged`, the table of the words the cache lacked, whose keys
   * are decoded here and cached. `prepared`: arrays made ahead, used when
   * they have the result's length.
   */
  exportKnown(
    ctx: KernelContext, idsAt: number, valuesAt: number, segments: readonly { start: number; count: number }[], merged: number, prepared?: ResultArrays,
  ): KeyedValues {
    const strings = this.strings;
    const n = segments.reduce((total, s) => total + s.count, 0);
    const fits = prepared !== undefined && prepared.keys.length === n && prepared.values.length === n;
    const keys = fits ? prepared.keys : new Array<string>(n);
    const values = fits ? prepared.values : new Float64Array(n);
    let misses = 0;
    const missKeys = new Map<number, string>();
    if (merged !== 0) {
      const h = ctx.instance.header(merged);
      const list = ctx.scratch.get('known-miss-list', h.size * 4);
      misses = ctx.instance.exports.tableList(merged, list) >>> 0;
      const missIds = ctx.scratch.get('known-miss-ids', misses * 4);
      new Int32Array(ctx.instance.memory.u8().buffer, missIds, misses).fill(-1);
      const decoded = new Array<string>(misses);
      this.addMisses(ctx, merged, list, misses, missIds, misses, h.arenaUsed, decoded);
      const offsets = new Uint32Array(ctx.instance.memory.u8().buffer, list, misses);
      for (let i = 0; i < misses; i++) missKeys.set(offsets[i] as number, decoded[i] as string);
    }
    const buffer = ctx.instance.memory.u8().buffer;
    let at = 0;
    for (const { start, count } of segments) {
      values.set(new Float64Array(buffer, valuesAt + start * 8, count), at);
      const ids = new Int32Array(buffer, idsAt + start * 4, count);
      for (let i = 0; i < count; i++) {
        const id = ids[i] as number;
        keys[at + i] = (id >= 0 ? strings[id] : missKeys.get(-1 - id)) as string;
      }
      at += count;
    }
    this.learn(ctx, n, misses);
    return { keys, values };
  }

  /** Gives the cache's kernel memory back (the context is going away). */
  dispose(ctx: KernelContext): void {
    if (this.table !== 0) ctx.allocator.release(this.table);
    this.table = 0;
    this.strings = [];
  }

  private tableFor(ctx: KernelContext): number {
    if (this.table === 0) this.table = allocTable(ctx, geometryFor(4096, 4096 * 16), VALUE_I64, 'sum', CACHE_SEED);
    return this.table;
  }

  /** Decodes the misses (one bulk decode), caches what fits, and assembles all keys into `keys`. */
  private addMisses(ctx: KernelContext, t: number, list: number, n: number, idsAt: number, misses: number, arenaBytes: number, keys: string[]): void {
    const room = this.makeRoom(ctx, t, misses);
    const keysOut = ctx.scratch.get('key-cache-keys', arenaBytes + misses + INPUT_PADDING);
    const lengthsOut = ctx.scratch.get('key-cache-lengths', misses * 4);
    const nextId = this.strings.length;
    const written = ctx.instance.exports.keyCacheAdd(this.table, t, list, n, idsAt, nextId, room, keysOut, lengthsOut) >>> 0;
    try {
      const u8 = ctx.instance.memory.u8();
      const decoded = decodeSeparatedKeys(u8.subarray(keysOut, keysOut + written), new Uint32Array(u8.buffer, lengthsOut, misses), misses);
      this.assemble(ctx, idsAt, n, nextId, decoded, keys);
    } catch (error) {
      // Ids were added for strings that do not exist: forget everything rather than hand out wrong keys later.
      this.reset(ctx);
      throw error;
    }
  }

  /**
   * The keys by their ids, into `keys` (n long): cached strings, and
   * `decoded` (the misses in order) for ids from `nextId` on (now cached)
   * and for -2 - m (not cached).
   */
  private assemble(ctx: KernelContext, idsAt: number, n: number, nextId: number, decoded: readonly string[], keys: string[]): void {
    const ids = new Int32Array(ctx.instance.memory.u8().buffer, idsAt, n);
    const strings = this.strings;
    for (let i = 0; i < n; i++) {
      const id = ids[i] as number;
      if (id < 0) {
        keys[i] = decoded[-2 - id] as string;
      } else if (id >= nextId) {
        const key = decoded[id - nextId] as string;
        strings[id] = key;
        keys[i] = key;
      } else {
        keys[i] = strings[id] as string;
      }
    }
  }

  /**
   * Grows the cache, by doubling, so that `misses` keys like t's fit (never
   * past the bounds), and returns how many keys may be added. Without the
   * memory to grow, what fits now is added.
   */
  private makeRoom(ctx: KernelContext, t: number, misses: number): number {
    const cache = ctx.instance.header(this.table);
    const cachedKeyBytes = cache.arenaUsed - cache.size * LAYOUT.LAYOUT_ENTRY_HEADER_BYTES;
    if (cachedKeyBytes >= MAX_CACHED_KEY_BYTES) return 0;
    const want = Math.min(misses, MAX_CACHED_KEYS - cache.size);
    if (want <= 0) return 0;
    const h = ctx.instance.header(t);
    const entryBytesPerKey = Math.ceil((h.arenaUsed - h.deadBytes) / Math.max(1, h.size)) + 8;
    if (cache.size + want <= cache.maxLoad && cache.arenaUsed + want * entryBytesPerKey <= cache.arenaCapacity) return want;
    // geometryFor adds the entry headers itself: it wants key bytes.
    const keyBytes = cachedKeyBytes + want * Math.max(1, entryBytesPerKey - LAYOUT.LAYOUT_ENTRY_HEADER_BYTES);
    const geometry = geometryFor(Math.min(MAX_CACHED_KEYS, Math.max(cache.size + want, 2 * cache.size)), Math.max(keyBytes, 2 * cachedKeyBytes));
    try {
      this.table = moveTable(ctx, this.table, {
        capacity: Math.max(geometry.capacity, cache.capacity),
        arenaCapacity: Math.max(geometry.arenaCapacity, cache.arenaCapacity),
      });
    } catch (error) {
      if (!(error instanceof KernelError)) throw error;
    }
    return want;
  }

  private reset(ctx: KernelContext): void {
    ctx.instance.exports.tableClear(this.table);
    this.strings = [];
    this.exportsSinceReset = 0;
  }

  /** Records how the export went and turns the cache off for a while when it did not pay. */
  private learn(ctx: KernelContext, n: number, misses: number): void {
    this.stats.exports++;
    this.stats.hits += n - misses;
    this.stats.misses += misses;
    this.lastHitShare = (n - misses) / Math.max(1, n);
    this.exportsSinceReset++;
    // The first export after a reset finds nothing by construction: judge from the second on.
    if (this.exportsSinceReset < 2 || n - misses >= MIN_HIT_SHARE * n) return;
    this.bypassLeft = BYPASS_EXPORTS;
    if (ctx.instance.header(this.table).size >= MAX_CACHED_KEYS / 2) {
      this.reset(ctx);
      this.stats.resets++;
    }
  }
}

/** Looks every key up on the calling thread. */
export function lookupOnThisThread(ctx: KernelContext): KeyLookup {
  return (cache, t, list, n, ids, values) => ctx.instance.exports.keyCacheLookup(cache, t, list, 0, n, ids, values) >>> 0;
}
