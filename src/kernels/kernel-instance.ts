/**
 * One instantiation of the kernel module on a memory, with typed access to
 * every export. This is the low-level layer the worker pool builds on: each
 * worker thread makes its own KernelInstance of the shared build on the one
 * shared WebAssembly.Memory, and calls the raw kernels below on pointers the
 * owning thread handed it. Kernels keep no mutable global state, so
 * instances on one memory can run at the same time on disjoint regions.
 */
import { KernelError } from '../errors.js';
import { KernelMemory } from './kernel-memory.js';
import { INPUT_PADDING, LAYOUT, readTableHeader, type CombineMode, type TableHeader, type ValueKind } from './layout.js';

/** The raw exports of assembly/index.ts (pointers and lengths are byte offsets into memory). */
export interface KernelExports {
  heapBase(): number;
  hash64(ptr: number, len: number, seed: bigint): bigint;
  utf16Length(ptr: number, len: number): number;
  tableBytes(capacity: number, arenaCapacity: number): number;
  tableInit(t: number, capacity: number, arenaCapacity: number, valueKind: number, reducer: number, seed: bigint): void;
  tableClear(t: number): void;
  tableApply(t: number, keys: number, keyOffset: number, lengths: number, values: number, from: number, n: number, mode: number): number;
  tableMerge(dst: number, src: number, from: number, part: number, parts: number, mode: number): number;
  tableFoldExisting(dst: number, src: number, part: number, parts: number, pendingOut: number): number;
  tableMergeListed(dst: number, src: number, list: number, from: number, n: number, mode: number): number;
  tableFoldRange(sources: number, count: number, overflow: number, part: number, parts: number, state: number): number;
  tableOrderRuns(first: number, overflows: number, parts: number, states: number, stateBytes: number, k: number, out: number, scratch: number): number;
  tableFind(t: number, key: number, len: number): number;
  tableList(t: number, out: number): number;
  tableListByOrigin(tables: number, count: number, cursors: number, out: number): number;
  tableExport(t: number, list: number, n: number, keysOut: number, valuesOut: number, lengthsOut: number): number;
  tableTop(t: number, k: number, out: number): number;
  tokenize(ptr: number, len: number, starts: number, ends: number, max: number): number;
  keyCacheLookup(cache: number, t: number, list: number, from: number, to: number, ids: number, values: number): number;
  keyCacheAdd(cache: number, t: number, list: number, n: number, ids: number, nextId: number, maxAdds: number, keysOut: number, lengthsOut: number): number;
  wordCount(t: number, ptr: number, len: number): number;
  wordCountListed(t: number, seen: number, ptr: number, len: number): number;
  tableCopyKeys(dst: number, src: number): void;
  knownWordsTotals(args: number, from: number, to: number): void;
  knownWordsList(args: number, k: number): number;
  aggregateDelimited(t: number, ptr: number, len: number, delimiter: number, keyField: number, valueField: number, expectedFields: number, stats: number): number;
  parseDecimal(ptr: number, end: number): number;
}

/** Names of the exported layout globals (LAYOUT_*), for the layout test. */
export type LayoutGlobals = Record<string, WebAssembly.Global>;

const SHARED_INITIAL_PAGES = 32;
const SHARED_MAXIMUM_PAGES = 65536;

/** A memory the given build can import: the shared build needs a shared memory of at least 32 pages. */
export function createKernelMemory(options: { shared?: boolean; initialPages?: number; maximumPages?: number } = {}): WebAssembly.Memory {
  if (options.shared === true) {
    return new WebAssembly.Memory({
      initial: Math.max(options.initialPages ?? SHARED_INITIAL_PAGES, SHARED_INITIAL_PAGES),
      maximum: Math.min(options.maximumPages ?? SHARED_MAXIMUM_PAGES, SHARED_MAXIMUM_PAGES),
      shared: true,
    });
  }
  return new WebAssembly.Memory({ initial: options.initialPages ?? 1 });
}

function importsFor(memory: WebAssembly.Memory): WebAssembly.Imports {
  return {
    env: {
      memory,
      // The number parser's slow path: strings it accepted but cannot round exactly itself.
      parseNumber(ptr: number, len: number): number {
        const bytes = new Uint8Array(memory.buffer, ptr, len);
        let text = '';
        for (let i = 0; i < len; i++) text += String.fromCharCode(bytes[i] as number);
        return Number(text);
      },
    },
  };
}

export class KernelInstance {
  readonly exports: KernelExports;
  readonly layoutGlobals: LayoutGlobals;
  readonly memory: KernelMemory;

  private constructor(instance: WebAssembly.Instance, memory: KernelMemory) {
    const exports = instance.exports as unknown as KernelExports & Record<string, unknown>;
    this.exports = exports;
    const globals: LayoutGlobals = {};
    for (const [name, value] of Object.entries(instance.exports)) {
      if (name.startsWith('LAYOUT_') && value instanceof WebAssembly.Global) globals[name] = value;
    }
    this.layoutGlobals = globals;
    this.memory = memory;
    // A module from another build (e.g. a stale precompiled one) must not run on a different layout.
    for (const [name, value] of Object.entries(LAYOUT)) {
      const global = globals[name];
      if (global === undefined || ((global.value as number) >>> 0) !== value >>> 0) {
        throw new KernelError('ERR_SLUICE_KERNEL_LAYOUT', `The kernel module's ${name} does not match this sluice version; use the module built with it`);
      }
    }
    const heapBase = exports.heapBase();
    if (heapBase > LAYOUT.LAYOUT_STATIC_LIMIT) {
      throw new KernelError('ERR_SLUICE_KERNEL_LAYOUT', `Kernel static data ends at ${heapBase}, past LAYOUT_STATIC_LIMIT (${LAYOUT.LAYOUT_STATIC_LIMIT}); rebuild with a larger limit`);
    }
  }

  /** Instantiates synchronously (fine for the 14 KB module; some hosts forbid sync compile of large modules). */
  static instantiateSync(module: WebAssembly.Module, memory: WebAssembly.Memory, maximumPages?: number): KernelInstance {
    try {
      return new KernelInstance(new WebAssembly.Instance(module, importsFor(memory)), new KernelMemory(memory, maximumPages));
    } catch (cause) {
      if (cause instanceof KernelError) throw cause;
      throw new KernelError('ERR_SLUICE_KERNEL_LOAD', `Could not instantiate the kernel module: ${describe(cause)}`, { cause });
    }
  }

  static async instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory, maximumPages?: number): Promise<KernelInstance> {
    try {
      const instance = await WebAssembly.instantiate(module, importsFor(memory));
      return new KernelInstance(instance, new KernelMemory(memory, maximumPages));
    } catch (cause) {
      if (cause instanceof KernelError) throw cause;
      throw new KernelError('ERR_SLUICE_KERNEL_LOAD', `Could not instantiate the kernel module: ${describe(cause)}`, { cause });
    }
  }

  /** Copies bytes to ptr and zeroes the LAYOUT_INPUT_PADDING bytes after them (the region must hold len + 16). */
  writeInput(ptr: number, bytes: Uint8Array): void {
    const u8 = this.memory.u8();
    u8.set(bytes, ptr);
    u8.fill(0, ptr + bytes.length, ptr + bytes.length + INPUT_PADDING);
  }

  initTable(t: number, capacity: number, arenaCapacity: number, valueKind: ValueKind, reducerCode: number, seed: bigint): void {
    this.exports.tableInit(t, capacity, arenaCapacity, valueKind, reducerCode, seed);
  }

  header(t: number): TableHeader {
    return readTableHeader(this.memory.view(), t);
  }

  /** Counts the words of [ptr, ptr+len) into table t. Returns bytes consumed; less than len means grow t and resume. */
  wordCount(t: number, ptr: number, len: number): number {
    return this.exports.wordCount(t, ptr, len) >>> 0;
  }

  /** Merges the entries of src (from arena offset `from`) in hash partition `part` of `parts` into dst. Returns where it stopped. */
  mergeTable(dst: number, src: number, from: number, part: number, parts: number, mode: CombineMode): number {
    return this.exports.tableMerge(dst, src, from, part, parts, mode) >>> 0;
  }

  /** Value of the entry at arena offset `offset` of table t. */
  entryValue(t: number, h: TableHeader, offset: number): number {
    const e = t + LAYOUT.LAYOUT_TABLE_HEADER_BYTES + h.capacity * LAYOUT.LAYOUT_SLOT_BYTES + offset;
    const view = this.memory.view();
    return h.valueKind === LAYOUT.LAYOUT_VALUE_F64
      ? view.getFloat64(e + LAYOUT.LAYOUT_E_VALUE, true)
      : Number(view.getBigInt64(e + LAYOUT.LAYOUT_E_VALUE, true));
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
