/*
 * Entry point of the kernel module: every export of the WebAssembly module is
 * listed here. Kernels take (pointer, length) integers into the imported
 * memory, allocate nothing and keep no mutable global state, so several
 * instances can run on one shared memory at once (one per worker thread).
 */
export * from './layout';
export { hash64 } from './hash';
export { utf16Length } from './text';
export {
  tableBytes, tableInit, tableClear, tableApply, tableMerge, tableFoldExisting, tableMergeListed, tableFind, tableList, tableListByOrigin, tableExport, tableTop,
} from './table';
export { tableFoldRange, tableOrderRuns } from './range-merge';
export { tokenize, wordCount, wordCountListed } from './scan';
export { tableCopyKeys, knownWordsTotals, knownWordsList } from './known-words';
export { keyCacheLookup, keyCacheAdd } from './key-cache';
export { aggregateDelimited } from './delimited';
export { parseDecimal } from './number';

/** Where static data ends; must not exceed LAYOUT_STATIC_LIMIT. */
export function heapBase(): usize {
  return __heap_base;
}
