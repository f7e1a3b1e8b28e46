/**
 * Reading several tables as ONE result in first-occurrence order. When a
 * batch is counted in partitions and the partial tables are merged by hash
 * partition into several result tables, each result table lists its keys in
 * first-occurrence order already (entries keep their `origin`, the address
 * of the key's first occurrence in the input); merging those lists by origin
 * gives exactly the order one pass over the whole batch gives.
 */
import type { KeyedValues } from './api.js';
import type { KeyLookup } from './key-cache.js';
import { exportListed, exportTable, type KernelContext } from './wasm-table.js';

/**
 * The kernel lists the live entries of all `tables` in origin order as
 * offsets from the first table's arena (tableListByOrigin), so that ONE
 * tableExport and ONE decode read them all: exporting each table and
 * interleaving the strings cost a third more than exporting one table, and
 * merging the lists in TypeScript cost another 1.2 ms per 50,000 keys.
 */
export function exportByOrigin(ctx: KernelContext, tables: readonly number[], lookup?: KeyLookup): KeyedValues {
  if (tables.length === 1) return exportTable(ctx, tables[0] as number, lookup);
  let entries = 0;
  let arenaBytes = 0;
  for (const t of tables) {
    const h = ctx.instance.header(t);
    entries += h.size;
    arenaBytes += h.arenaUsed;
  }
  const pointers = ctx.scratch.get('origin-export-tables', tables.length * 4);
  const cursors = ctx.scratch.get('origin-export-cursors', tables.length * 4);
  const listed = ctx.scratch.get('origin-export-list', entries * 4);
  new Uint32Array(ctx.instance.memory.u8().buffer, pointers, tables.length).set(tables);
  const n = ctx.instance.exports.tableListByOrigin(pointers, tables.length, cursors, listed) >>> 0;
  return exportListed(ctx, tables[0] as number, listed, n, arenaBytes, lookup);
}
