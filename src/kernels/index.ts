/**
 * The data plane: everything that touches kernel memory lives in this
 * directory. Engine code uses the `Kernels` contract (api.ts):
 *
 *   const kernels = defaultKernels();            // WASM, or the TS fallback
 *   const { keys, values } = kernels.wordCount(batch.data);
 *
 * Loading: `loadKernels({ module?, bytes?, memory? })` (async) and
 * `createKernels(...)` (sync) use the embedded build unless given a
 * precompiled `WebAssembly.Module` (edge runtimes) or bytes; `jsKernels()` is
 * the pure-TypeScript implementation with identical results. A fallback to
 * it is never silent: its `fallbackReason` says why WASM could not load.
 *
 * Low-level pieces for a worker pool on one shared memory:
 *   - `createKernelMemory({ shared: true })` and `embeddedModule(true)` (or
 *     `embeddedModuleBytes(true)` to post to workers): the shared build;
 *   - `KernelInstance.instantiate(module, memory)` in each worker;
 *   - on the owning thread, `RegionAllocator` hands out regions; `allocTable`
 *     formats a table region per worker; `KernelInstance.writeInput(ptr,
 *     bytes)` places a batch (16 bytes of padding after it);
 *   - in a worker, `instance.wordCount(t, ptr, len)` counts a partition (cut
 *     at record boundaries) into its table and returns the bytes consumed:
 *     less than len means "table full": the owner calls `growTable(ctx, t)`
 *     (or `grownGeometry(header)` + `moveTable`) and the worker resumes from
 *     there; `exports.aggregateDelimited(...)` works the same way;
 *   - two-phase merge: worker j calls `instance.mergeTable(target_j, partial_i,
 *     from, j, n, MODE_FOLD)` for every partial table i; each key goes to
 *     exactly one partition (high hash bits with the target's seed: give all
 *     targets the same seed). The return value is the source arena offset
 *     where it stopped (src arenaUsed when done); grow the target and resume;
 *     `reserveTable` grows a target up front;
 *   - `exportTable(ctx, t)` / `topOfTable(ctx, t, k)` read results with one
 *     bulk key decode. Tables list keys in first-insertion order; entries
 *     keep the input address of their first occurrence (`origin`), and
 *     `exportByOrigin(ctx, targets)` reads the merged targets as one result
 *     in first-occurrence order.
 * Memory layout: layout.ts (mirrors assembly/layout.ts; checked by a test).
 */
export type {
  AggregateTable, DelimitedResult, DelimitedSpec, InputRegion, InputRegionSource, Kernels, KeyedValues, RecordBatch, Reducer,
} from './api.js';
export {
  RecordBatchBuilder, RECORD_BATCH_PADDING, DEFAULT_MAX_RECORD_BYTES, decodeRecords, emptyRecordBatch, recordAt, recordStart,
  recordBatchFromLines, lendsInputRegions, type RecordBatchBuilderOptions,
} from './record-batch.js';
export { loadKernels, createKernels, embeddedModule, embeddedModuleBytes, type LoadKernelsOptions } from './load.js';
export { defaultKernels, setDefaultKernels } from './default-kernels.js';
export { JsKernels, jsKernels } from './js-kernels.js';
export { JsTable } from './js-table.js';
export { WasmKernels } from './wasm-kernels.js';
export {
  WasmTable, ScratchRegions, allocTable, moveTable, growTable, reserveTable, exportTable, exportListed, topOfTable, applyPairs, mergeTables,
  type KernelContext,
} from './wasm-table.js';
export { KernelInstance, createKernelMemory, type KernelExports } from './kernel-instance.js';
export { exportByOrigin } from './ordered-export.js';
export { KernelMemory, PAGE_BYTES, MAX_PAGES } from './kernel-memory.js';
export { RegionAllocator, regionAllocatorFor } from './region-allocator.js';
export { hash64Bytes, seedBits } from './hash.js';
export { decodeSeparatedKeys, compareCodePoints, compareRanked } from './keys.js';
export {
  LAYOUT, INPUT_PADDING, MODE_FOLD, MODE_SUBTRACT, MODE_SUBTRACT_DROP_ZERO, VALUE_F64, VALUE_I64, REDUCER_CODES,
  geometryFor, grownGeometry, readTableHeader, tableRegionBytes, type TableGeometry, type TableHeader, type CombineMode, type ValueKind,
} from './layout.js';
