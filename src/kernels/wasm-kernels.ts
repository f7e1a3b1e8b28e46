/**
 * Kernels backed by one KernelInstance: each call copies its input into a
 * reused input region (with the 16 bytes of padding the SIMD scans need),
 * runs the kernel, grows tables when a kernel reports them full, and exports
 * results with one bulk key decode.
 */
import type { AggregateTable, DelimitedResult, DelimitedSpec, Kernels, KeyedValues, Reducer } from './api.js';
import { checkDelimitedSpec } from './delimited-spec.js';
import { seedBits } from './hash.js';
import type { KernelInstance } from './kernel-instance.js';
import { INPUT_PADDING, LAYOUT, REDUCER_CODES, VALUE_F64, VALUE_I64, geometryFor, type ValueKind } from './layout.js';
import { regionAllocatorFor, type RegionAllocator } from './region-allocator.js';
import { KeyCache } from './key-cache.js';
import { requireCountingTable } from './table-rules.js';
import { ScratchRegions, WasmTable, allocTable, exportTable, growTable, movedTo, type KernelContext } from './wasm-table.js';

/** A scratch table's starting size: enough for a typical batch vocabulary without a grow. */
const SCRATCH_TABLE_KEYS = 4096;
const TOKENS_PER_CALL = 1 << 16;
/** A scratch table this big that the last call filled to less than 1/16 is replaced by a small one. */
const SHRINK_ABOVE_SLOTS = 1 << 16;

export class WasmKernels implements Kernels {
  readonly kind = 'wasm' as const;
  readonly context: KernelContext;
  private wordTable = 0;
  private delimitedTable = 0;

  constructor(instance: KernelInstance, allocator: RegionAllocator = regionAllocatorFor(instance.memory)) {
    this.context = { instance, allocator, scratch: new ScratchRegions(allocator), keyCache: new KeyCache() };
  }

  get instance(): KernelInstance {
    return this.context.instance;
  }

  /** Copies bytes into the reused input region; returns its pointer. */
  private input(bytes: Uint8Array): number {
    const ptr = this.context.scratch.get('input', bytes.length + INPUT_PADDING);
    this.context.instance.writeInput(ptr, bytes);
    return ptr;
  }

  tokenize(bytes: Uint8Array): { starts: Int32Array; ends: Int32Array; count: number } {
    const { instance, scratch } = this.context;
    const max = Math.min(TOKENS_PER_CALL, (bytes.length >> 1) + 1);
    const startsPtr = scratch.get('token-starts', max * 4);
    const endsPtr = scratch.get('token-ends', max * 4);
    const ptr = this.input(bytes);
    let starts: Int32Array = new Int32Array(max);
    let ends: Int32Array = new Int32Array(max);
    let count = 0;
    let offset = 0;
    for (;;) {
      const n = instance.exports.tokenize(ptr + offset, bytes.length - offset, startsPtr, endsPtr, max) >>> 0;
      if (count + n > starts.length) {
        starts = growInt32(starts, count + n);
        ends = growInt32(ends, count + n);
      }
      const u8 = instance.memory.u8();
      const s = new Int32Array(u8.buffer, startsPtr, n);
      const e = new Int32Array(u8.buffer, endsPtr, n);
      for (let i = 0; i < n; i++) {
        starts[count + i] = (s[i] as number) + offset;
        ends[count + i] = (e[i] as number) + offset;
      }
      count += n;
      if (n < max) break;
      offset = ends[count - 1] as number;
    }
    return { starts: starts.subarray(0, count), ends: ends.subarray(0, count), count };
  }

  hash64(bytes: Uint8Array, seed = 0): bigint {
    const ptr = this.input(bytes);
    return BigInt.asUintN(64, this.context.instance.exports.hash64(ptr, bytes.length, seedBits(seed)));
  }

  wordCount(bytes: Uint8Array): KeyedValues {
    this.wordTable = this.scratchTable(this.wordTable, VALUE_I64, 'sum');
    this.countWords(this.wordTable, bytes, (t) => (this.wordTable = t));
    return exportTable(this.context, this.wordTable);
  }

  wordCountInto(table: AggregateTable, bytes: Uint8Array): void {
    requireCountingTable(table.reducer);
    if (table instanceof WasmTable && this.owns(table)) this.countWords(table.pointer, bytes, table.adoptMove);
    else table.mergeValues(this.wordCount(bytes));
  }

  aggregateDelimited(bytes: Uint8Array, spec: DelimitedSpec): DelimitedResult {
    this.delimitedTable = this.scratchTable(this.delimitedTable, VALUE_F64, spec.reducer);
    const malformed = this.reduceLines(this.delimitedTable, bytes, spec, (t) => (this.delimitedTable = t));
    return { result: exportTable(this.context, this.delimitedTable), malformed };
  }

  aggregateDelimitedInto(table: AggregateTable, bytes: Uint8Array, spec: DelimitedSpec): { malformed: number } {
    if (table instanceof WasmTable && this.owns(table)) {
      return { malformed: this.reduceLines(table.pointer, bytes, { ...spec, reducer: table.reducer }, table.adoptMove) };
    }
    const { result, malformed } = this.aggregateDelimited(bytes, { ...spec, reducer: table.reducer });
    table.mergeValues(result);
    return { malformed };
  }

  createTable(reducer: Reducer): AggregateTable {
    return new WasmTable(this.context, reducer);
  }

  /** Whether a table's region comes from this allocator (so these kernels may grow and move it). */
  owns(table: WasmTable): boolean {
    return table.context.allocator === this.context.allocator;
  }

  /** The reused scratch table, emptied and set to the given kind and reducer (allocated on first use). */
  private scratchTable(t: number, valueKind: ValueKind, reducer: Reducer): number {
    const { instance, allocator } = this.context;
    const fresh = (): number => allocTable(this.context, geometryFor(SCRATCH_TABLE_KEYS, SCRATCH_TABLE_KEYS * 8), valueKind, reducer);
    if (t === 0) return fresh();
    const h = instance.header(t);
    // After one huge batch, do not keep clearing (and holding) a huge table for small ones.
    if (h.capacity > SHRINK_ABOVE_SLOTS && h.size * 16 < h.capacity) {
      // The small one first: when it cannot be had, t is still the caller's.
      const small = fresh();
      allocator.release(t);
      return small;
    }
    instance.initTable(t, h.capacity, h.arenaCapacity, valueKind, REDUCER_CODES[reducer], instance.memory.view().getBigUint64(t + LAYOUT.LAYOUT_H_SEED, true));
    return t;
  }

  /** Counts into t, growing it as it fills; each move is reported through `moved` as it happens (see movedTo). */
  private countWords(t: number, bytes: Uint8Array, moved: (t: number) => void): void {
    const ptr = this.input(bytes);
    let offset = 0;
    for (;;) {
      offset += this.context.instance.wordCount(t, ptr + offset, bytes.length - offset);
      if (offset >= bytes.length) return;
      t = movedTo(growTable(this.context, t), t, moved);
    }
  }

  /** Aggregates lines into t like countWords; returns the malformed lines. */
  private reduceLines(t: number, bytes: Uint8Array, spec: DelimitedSpec, moved: (t: number) => void): number {
    const checked = checkDelimitedSpec(spec);
    const { instance, scratch } = this.context;
    const stats = scratch.get('delimited-stats', LAYOUT.LAYOUT_STATS_BYTES);
    const ptr = this.input(bytes);
    instance.memory.u8().fill(0, stats, stats + LAYOUT.LAYOUT_STATS_BYTES);
    let offset = 0;
    for (;;) {
      offset += instance.exports.aggregateDelimited(
        t, ptr + offset, bytes.length - offset, checked.delimiterCode, checked.keyField, checked.valueField, checked.expectedFields, stats,
      ) >>> 0;
      if (offset >= bytes.length) break;
      t = movedTo(growTable(this.context, t), t, moved);
    }
    return instance.memory.view().getUint32(stats + LAYOUT.LAYOUT_STATS_MALFORMED, true);
  }
}

function growInt32(array: Int32Array, atLeast: number): Int32Array {
  const bigger = new Int32Array(Math.max(atLeast, array.length * 2));
  bigger.set(array);
  return bigger;
}
