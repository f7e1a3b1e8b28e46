/**
 * Reading several tables as ONE result in first-occurrence order. When a
 * batch is counted in partitions and the partial tables are merged by hash
 * partition into several result tables, each result table lists its keys in
 * first-occurrence order already (entries keep their `origin`, the address
 * of the key's first occurrence in the input); merging those lists by origin
 * gives exactly the order one pass over the whole batch gives.
 */
import type { KeyedValues } from './api.js';
import { LAYOUT, SLOT_BYTES, TABLE_HEADER_BYTES } from './layout.js';
import { exportListed, exportTable, type KernelContext } from './wasm-table.js';

/**
 * One list, in origin order, of the live entries of all `tables` as offsets
 * from the first table's arena, so that ONE tableExport and ONE decode read
 * them all (exporting each table and interleaving the strings cost a third
 * more than exporting one table). An entry of another table is listed as
 * (its address - the first arena) mod 2^32: wasm32 address arithmetic wraps,
 * so tableExport's arena + offset lands on it even when it lies below.
 */
export function exportByOrigin(ctx: KernelContext, tables: readonly number[]): KeyedValues {
  if (tables.length === 1) return exportTable(ctx, tables[0] as number);
  const listed = ctx.scratch.get('origin-export-list', tables.reduce((n, t) => n + ctx.instance.header(t).size, 0) * 4);
  const addresses: Uint32Array[] = [];
  const origins: Uint32Array[] = [];
  let arenaBytes = 0;
  for (const t of tables) {
    const h = ctx.instance.header(t);
    arenaBytes += h.arenaUsed;
    const n = ctx.instance.exports.tableList(t, listed) >>> 0;
    // Tables, slots and entries are 8-byte aligned, so list items and origins are aligned u32s (wasm is little-endian).
    const words = new Uint32Array(ctx.instance.memory.u8().buffer);
    const arena = t + TABLE_HEADER_BYTES + h.capacity * SLOT_BYTES;
    const entries = new Uint32Array(n);
    const firsts = new Uint32Array(n);
    for (let i = 0, at = listed >>> 2; i < n; i++, at++) {
      const entry = arena + (words[at] as number);
      entries[i] = entry;
      firsts[i] = words[(entry + LAYOUT.LAYOUT_E_ORIGIN) >>> 2] as number;
    }
    addresses.push(entries);
    origins.push(firsts);
  }
  const first = tables[0] as number;
  const base = first + TABLE_HEADER_BYTES + ctx.instance.header(first).capacity * SLOT_BYTES;
  const list = new Uint32Array(ctx.instance.memory.u8().buffer, listed, addresses.reduce((n, a) => n + a.length, 0));
  if (tables.length === 2) mergeTwo(origins, addresses, base, list);
  else mergeMany(origins, addresses, base, list);
  return exportListed(ctx, first, listed, list.length, arenaBytes);
}

/** Writes the entries of two origin-ordered runs to `list` in origin order (offsets from `base`, mod 2^32). */
function mergeTwo(origins: readonly Uint32Array[], addresses: readonly Uint32Array[], base: number, list: Uint32Array): void {
  const [a, b] = origins as [Uint32Array, Uint32Array];
  const [addressesA, addressesB] = addresses as [Uint32Array, Uint32Array];
  let i = 0;
  let j = 0;
  let out = 0;
  while (i < a.length && j < b.length) {
    list[out++] = (a[i] as number) < (b[j] as number) ? (addressesA[i++] as number) - base : (addressesB[j++] as number) - base;
  }
  while (i < a.length) list[out++] = (addressesA[i++] as number) - base;
  while (j < b.length) list[out++] = (addressesB[j++] as number) - base;
}

/** mergeTwo for any number of runs (a linear scan of the runs' heads per entry: runs are one per worker). */
function mergeMany(origins: readonly Uint32Array[], addresses: readonly Uint32Array[], base: number, list: Uint32Array): void {
  const at = new Array<number>(origins.length).fill(0);
  for (let out = 0; out < list.length; out++) {
    let best = -1;
    let bestOrigin = 0;
    for (let r = 0; r < origins.length; r++) {
      const run = origins[r] as Uint32Array;
      const i = at[r] as number;
      if (i < run.length && (best < 0 || (run[i] as number) < bestOrigin)) {
        best = r;
        bestOrigin = run[i] as number;
      }
    }
    const i = at[best] as number;
    list[out] = ((addresses[best] as Uint32Array)[i] as number) - base;
    at[best] = i + 1;
  }
}
