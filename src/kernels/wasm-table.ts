/**
 * Aggregation tables in kernel memory (layout in layout.ts) and the
 * operations the TypeScript side drives on them: creating, growing (a bigger
 * region, entries moved by the kernel, the old region released), folding JS
 * key/value pairs in, merging, and exporting with one bulk key decode.
 */
import type { AggregateTable, KeyedValues, Reducer } from './api.js';
import { InvalidArgumentError, KernelError } from '../errors.js';
import type { KernelInstance } from './kernel-instance.js';
import type { RegionAllocator } from './region-allocator.js';
import {
  INPUT_PADDING, LAYOUT, MODE_FOLD, MODE_SUBTRACT, MODE_SUBTRACT_DROP_ZERO, REDUCER_CODES, VALUE_F64,
  geometryFor, grownGeometry, tableRegionBytes, type CombineMode, type TableGeometry, type ValueKind,
} from './layout.js';
import { decodeSeparatedKeys } from './keys.js';
import type { KeyCache, KeyLookup } from './key-cache.js';
import { seedBits } from './hash.js';
import { checkReducer, requireSubtractable } from './table-rules.js';
import { countNewlines } from './newlines.js';

const encoder = new TextEncoder();
const NEWLINE = 10;
const MAX_JOINED_UNITS = 1 << 28;

/** Regions reused from call to call (input copies, export buffers), grown when too small. */
export class ScratchRegions {
  private readonly regions = new Map<string, { ptr: number; size: number }>();

  constructor(private readonly allocator: RegionAllocator) {}

  /** A region of at least `bytes` bytes for `purpose`; valid until the next get() for the same purpose. */
  get(purpose: string, bytes: number): number {
    const have = this.regions.get(purpose);
    if (have !== undefined && have.size >= bytes) return have.ptr;
    if (have !== undefined) {
      // Forget the old region before allocating, so a failed allocation leaves no dangling entry.
      this.regions.delete(purpose);
      this.allocator.release(have.ptr);
    }
    let size = Math.max(bytes, have === undefined ? 0 : Math.floor(have.size * 1.5), 256);
    let ptr: number;
    try {
      ptr = this.allocator.alloc(size);
    } catch (error) {
      // The headroom may not fit under the maximum where the exact size does.
      if (size === Math.max(bytes, 256)) throw error;
      size = Math.max(bytes, 256);
      ptr = this.allocator.alloc(size);
    }
    this.regions.set(purpose, { ptr, size });
    return ptr;
  }

  /**
   * Forgets the region for `purpose` without releasing it and returns it
   * (undefined when there is none): for a region a lost worker thread may
   * still write to, released once that thread has exited.
   */
  surrender(purpose: string): number | undefined {
    const have = this.regions.get(purpose);
    this.regions.delete(purpose);
    return have?.ptr;
  }

  releaseAll(): void {
    for (const { ptr } of this.regions.values()) this.allocator.release(ptr);
    this.regions.clear();
  }
}

/** What table operations need: the instance, the allocator of its memory, scratch regions, the decoded-key cache. */
export interface KernelContext {
  readonly instance: KernelInstance;
  readonly allocator: RegionAllocator;
  readonly scratch: ScratchRegions;
  readonly keyCache: KeyCache;
}

export const DEFAULT_SEED = 0n;

/** Allocates and formats an empty table region. */
export function allocTable(ctx: KernelContext, geometry: TableGeometry, valueKind: ValueKind, reducer: Reducer, seed: bigint = DEFAULT_SEED): number {
  const t = ctx.allocator.alloc(tableRegionBytes(geometry.capacity, geometry.arenaCapacity));
  ctx.instance.initTable(t, geometry.capacity, geometry.arenaCapacity, valueKind, REDUCER_CODES[reducer], seed);
  return t;
}

/** Moves table t into a region of the given geometry (compacting dead entries). Returns the new pointer. */
export function moveTable(ctx: KernelContext, t: number, geometry: TableGeometry): number {
  const view = ctx.instance.memory.view();
  const valueKind = view.getUint32(t + LAYOUT.LAYOUT_H_VALUE_KIND, true) as ValueKind;
  const reducerCode = view.getUint32(t + LAYOUT.LAYOUT_H_REDUCER, true);
  const seed = view.getBigUint64(t + LAYOUT.LAYOUT_H_SEED, true);
  const used = view.getUint32(t + LAYOUT.LAYOUT_H_ARENA_USED, true);
  const bigger = ctx.allocator.alloc(tableRegionBytes(geometry.capacity, geometry.arenaCapacity));
  ctx.instance.initTable(bigger, geometry.capacity, geometry.arenaCapacity, valueKind, reducerCode, seed);
  const stopped = ctx.instance.mergeTable(bigger, t, 0, 0, 1, MODE_FOLD);
  if (stopped !== used) {
    ctx.allocator.release(bigger);
    throw new InvalidArgumentError(`Internal: table move stopped at ${stopped} of ${used} bytes (geometry too small)`);
  }
  ctx.allocator.release(t);
  return bigger;
}

/** Moves a table that reported "full" into the next geometry. Returns the new pointer. */
export function growTable(ctx: KernelContext, t: number): number {
  return moveTable(ctx, t, grownGeometry(ctx.instance.header(t)));
}

/** Grows t up front so that `extraKeys` more keys with `extraKeyBytes` key bytes fit without a grow midway. */
export function reserveTable(ctx: KernelContext, t: number, extraKeys: number, extraKeyBytes: number): number {
  const h = ctx.instance.header(t);
  const want = geometryFor(h.size + extraKeys, h.arenaUsed - h.deadBytes + extraKeyBytes);
  if (want.capacity <= h.capacity && h.arenaUsed + extraKeyBytes + extraKeys * LAYOUT.LAYOUT_ENTRY_HEADER_BYTES <= h.arenaCapacity) return t;
  return moveTable(ctx, t, {
    capacity: Math.max(want.capacity, h.capacity),
    arenaCapacity: Math.max(want.arenaCapacity, h.arenaCapacity),
  });
}

/**
 * Exports the entries whose arena offsets are listed at `list` (n of them):
 * keys from the context's key cache, or decoded in bulk. `arenaBytes` bounds
 * the listed entries' bytes when they are not all in t's arena (default:
 * t's arena); `lookup` looks keys up in the cache (default: on this thread).
 */
export function exportListed(ctx: KernelContext, t: number, list: number, n: number, arenaBytes?: number, lookup?: KeyLookup): KeyedValues {
  if (n === 0) return { keys: [], values: new Float64Array(0) };
  if (ctx.keyCache.accepts(n)) {
    try {
      return ctx.keyCache.export(ctx, t, list, n, { arenaBytes, lookup });
    } catch (error) {
      // Out of kernel memory for the cache's own regions (it is left consistent): decode as without it.
      if (!(error instanceof KernelError)) throw error;
    }
  }
  const keysOut = ctx.scratch.get('export-keys', (arenaBytes ?? ctx.instance.header(t).arenaUsed) + n + INPUT_PADDING);
  const valuesOut = ctx.scratch.get('export-values', n * 8);
  const lengthsOut = ctx.scratch.get('export-lengths', n * 4);
  const written = ctx.instance.exports.tableExport(t, list, n, keysOut, valuesOut, lengthsOut) >>> 0;
  const u8 = ctx.instance.memory.u8();
  const lengths = new Uint32Array(u8.buffer, lengthsOut, n);
  const keys = decodeSeparatedKeys(u8.subarray(keysOut, keysOut + written), lengths, n);
  const values = new Float64Array(n);
  values.set(new Float64Array(u8.buffer, valuesOut, n));
  return { keys, values };
}

/** All live entries in insertion order. */
export function exportTable(ctx: KernelContext, t: number, lookup?: KeyLookup): KeyedValues {
  const size = ctx.instance.header(t).size;
  const list = ctx.scratch.get('export-list', size * 4);
  const n = ctx.instance.exports.tableList(t, list) >>> 0;
  return exportListed(ctx, t, list, n, undefined, lookup);
}

/** The k best entries (value descending, NaN last, ties by key bytes). */
export function topOfTable(ctx: KernelContext, t: number, k: number): KeyedValues {
  const want = Math.min(Math.max(0, Math.floor(k)), ctx.instance.header(t).size);
  const list = ctx.scratch.get('top-list', want * 4);
  const n = ctx.instance.exports.tableTop(t, want, list) >>> 0;
  return exportListed(ctx, t, list, n);
}

/**
 * Folds JS (key, value) pairs into table t with `mode`, growing as needed
 * (for MODE_FOLD the table is grown once up front, to fit every key being
 * new, so a fresh table is never rehashed midway). Returns the table's
 * (possibly new) pointer.
 */
export function applyPairs(ctx: KernelContext, t: number, input: KeyedValues, mode: CombineMode, moved: (t: number) => void = ignoreMove): number {
  const n = input.keys.length;
  if (input.values.length !== n) throw new InvalidArgumentError(`KeyedValues has ${n} keys but ${input.values.length} values`);
  if (n === 0) return t;
  const { keysPtr, lengthsPtr, keyBytes } = encodeKeys(ctx, input.keys);
  const valuesPtr = ctx.scratch.get('apply-values', n * 8);
  new Float64Array(ctx.instance.memory.u8().buffer, valuesPtr, n).set(input.values);
  // Every key new is the bound; the pointers above stay valid if this moves the table (views would not).
  if (mode === MODE_FOLD) t = movedTo(reserveTable(ctx, t, n, keyBytes), t, moved);
  let from = 0;
  let fromOffset = 0;
  for (;;) {
    const stopped = ctx.instance.exports.tableApply(t, keysPtr, fromOffset, lengthsPtr, valuesPtr, from, n, mode) >>> 0;
    if (stopped >= n) return t;
    const lengths = new Uint32Array(ctx.instance.memory.u8().buffer, lengthsPtr, n);
    for (let i = from; i < stopped; i++) fromOffset += lengths[i] as number;
    from = stopped;
    t = movedTo(growTable(ctx, t), t, moved);
  }
}

/**
 * A table that grows in several steps moves each time, and each move frees
 * the old region: a caller holding the first pointer when a later step fails
 * (kernel memory exhausted) would hold freed memory, and every later call
 * would read another table's bytes. Functions that may move a table more
 * than once therefore report each move at once through `moved`.
 */
export function movedTo(next: number, previous: number, moved: (t: number) => void): number {
  if (next !== previous) moved(next);
  return next;
}

function ignoreMove(): void {}

/**
 * UTF-8 encodes `keys` back to back into a scratch region (followed by
 * INPUT_PADDING zero bytes) with their byte lengths in another. Encoding key
 * by key (an encodeInto call and a view per key) cost more than the table
 * work for a million keys, so the keys are joined with '\n' and encoded with
 * one call; one pass over the bytes then finds the lengths and squeezes the
 * separators out. The '\n' between keys also keeps a surrogate pair from
 * forming across two keys, so each key's bytes are what encoding it alone
 * gives. When a key holds '\n' itself (more '\n's than separators), the keys
 * are encoded one by one instead.
 */
function encodeKeys(ctx: KernelContext, keys: readonly string[]): { keysPtr: number; lengthsPtr: number; keyBytes: number } {
  const n = keys.length;
  let units = 0;
  for (const key of keys) units += key.length;
  const bound = (units + n) * 3;
  const keysPtr = ctx.scratch.get('apply-keys', bound + INPUT_PADDING);
  const lengthsPtr = ctx.scratch.get('apply-lengths', n * 4);
  const u8 = ctx.instance.memory.u8();
  const lengths = new Uint32Array(u8.buffer, lengthsPtr, n);
  const region = u8.subarray(keysPtr, keysPtr + bound);
  // Far below V8's longest string, which join() could not build.
  const joined = units + n <= MAX_JOINED_UNITS ? keys.join('\n') : undefined;
  const written = joined === undefined ? 0 : encoder.encodeInto(joined, region).written;
  let keyBytes: number;
  if (joined !== undefined && countNewlines(region.subarray(0, written)) === n - 1) {
    keyBytes = squeezeSeparators(region, written, lengths);
  } else {
    keyBytes = 0;
    for (let i = 0; i < n; i++) {
      const { written: length } = encoder.encodeInto(keys[i] as string, region.subarray(keyBytes));
      lengths[i] = length;
      keyBytes += length;
    }
  }
  u8.fill(0, keysPtr + keyBytes, keysPtr + keyBytes + INPUT_PADDING);
  return { keysPtr, lengthsPtr, keyBytes };
}

/** Removes the '\n' after each key in bytes[0, written), in place, writing each key's length; returns the bytes left. */
function squeezeSeparators(bytes: Uint8Array, written: number, lengths: Uint32Array): number {
  let out = 0;
  let keyStart = 0;
  let key = 0;
  for (let i = 0; i < written; i++) {
    const byte = bytes[i] as number;
    if (byte === NEWLINE) {
      lengths[key++] = out - keyStart;
      keyStart = out;
    } else {
      bytes[out++] = byte;
    }
  }
  lengths[key] = out - keyStart;
  return out;
}

/** Merges table src into dst (grown first so the merge never stops midway). Returns dst's pointer. */
export function mergeTables(ctx: KernelContext, dst: number, src: number, mode: CombineMode, moved: (t: number) => void = ignoreMove): number {
  const s = ctx.instance.header(src);
  dst = movedTo(reserveTable(ctx, dst, s.size, s.arenaUsed - s.deadBytes), dst, moved);
  let from = 0;
  for (;;) {
    from = ctx.instance.mergeTable(dst, src, from, 0, 1, mode);
    if (from >= s.arenaUsed) return dst;
    dst = movedTo(growTable(ctx, dst), dst, moved);
  }
}

function subtractMode(dropZero: boolean | undefined): CombineMode {
  return dropZero === true ? MODE_SUBTRACT_DROP_ZERO : MODE_SUBTRACT;
}


/** Whether two contexts address the same WebAssembly.Memory (a source table there can be read directly). */
function sameMemory(a: KernelContext, b: KernelContext): boolean {
  return a.instance.memory.memory === b.instance.memory.memory;
}

/**
 * An AggregateTable in kernel memory. Its values are f64, so every JS number
 * round-trips exactly; the kernels' own scratch tables for word counts use
 * i64 counts instead (exact, exported as f64: exact up to 2^53).
 */
export class WasmTable implements AggregateTable {
  readonly reducer: Reducer;
  private ptr: number;
  private disposed = false;

  constructor(readonly context: KernelContext, reducer: Reducer, options: { seed?: number | bigint; valueKind?: ValueKind; expectedKeys?: number } = {}) {
    checkReducer(reducer);
    this.reducer = reducer;
    const geometry = geometryFor(options.expectedKeys ?? 0, (options.expectedKeys ?? 0) * 8);
    this.ptr = allocTable(context, geometry, options.valueKind ?? VALUE_F64, reducer, seedBits(options.seed ?? 0));
  }

  /** The table's region (moves when the table grows). */
  get pointer(): number {
    this.check();
    return this.ptr;
  }

  get size(): number {
    this.check();
    return this.context.instance.header(this.ptr).size;
  }

  /** Lets kernels that fill tables directly (word count, delimited) report the new pointer after a grow. */
  adopt(ptr: number): void {
    this.ptr = ptr;
  }

  /** adopt() as a callback for the functions that move the table (see movedTo). */
  readonly adoptMove = (ptr: number): void => this.adopt(ptr);

  mergeValues(input: KeyedValues): void {
    this.check();
    this.ptr = applyPairs(this.context, this.ptr, input, MODE_FOLD, this.adoptMove);
  }

  mergeTable(other: AggregateTable): void {
    this.check();
    if (other instanceof WasmTable && sameMemory(other.context, this.context)) {
      this.ptr = mergeTables(this.context, this.ptr, other.pointer, MODE_FOLD, this.adoptMove);
    } else {
      this.mergeValues(other.entries());
    }
  }

  subtractValues(input: KeyedValues, options: { dropZero?: boolean } = {}): void {
    this.check();
    requireSubtractable(this.reducer);
    this.ptr = applyPairs(this.context, this.ptr, input, subtractMode(options.dropZero), this.adoptMove);
  }

  subtractTable(other: AggregateTable, options: { dropZero?: boolean } = {}): void {
    this.check();
    requireSubtractable(this.reducer);
    if (other instanceof WasmTable && sameMemory(other.context, this.context)) {
      this.ptr = mergeTables(this.context, this.ptr, other.pointer, subtractMode(options.dropZero), this.adoptMove);
    } else {
      this.subtractValues(other.entries(), options);
    }
  }

  get(key: string): number | undefined {
    this.check();
    const bound = key.length * 3;
    const keyPtr = this.context.scratch.get('get-key', bound + INPUT_PADDING);
    const u8 = this.context.instance.memory.u8();
    const { written } = encoder.encodeInto(key, u8.subarray(keyPtr, keyPtr + bound));
    u8.fill(0, keyPtr + written, keyPtr + written + INPUT_PADDING);
    const ref = this.context.instance.exports.tableFind(this.ptr, keyPtr, written) >>> 0;
    if (ref === 0) return undefined;
    return this.context.instance.entryValue(this.ptr, this.context.instance.header(this.ptr), ref - 1);
  }

  entries(): KeyedValues {
    this.check();
    return exportTable(this.context, this.ptr);
  }

  top(k: number): KeyedValues {
    this.check();
    return topOfTable(this.context, this.ptr, k);
  }

  clear(): void {
    this.check();
    this.context.instance.exports.tableClear(this.ptr);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.context.allocator.release(this.ptr);
  }

  private check(): void {
    if (this.disposed) throw new InvalidArgumentError('This table was disposed; create a new one');
  }
}
