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
import { exportListed, type KernelContext } from './wasm-table.js';

interface Run {
  readonly result: KeyedValues;
  readonly origins: Uint32Array;
  at: number;
}

function exportWithOrigins(ctx: KernelContext, t: number): Run {
  const h = ctx.instance.header(t);
  const list = ctx.scratch.get('origin-export-list', h.size * 4);
  const n = ctx.instance.exports.tableList(t, list) >>> 0;
  // Tables, slots and entries are 8-byte aligned, so list items and origins are aligned u32s (wasm is little-endian).
  const words = new Uint32Array(ctx.instance.memory.u8().buffer);
  const arena = t + TABLE_HEADER_BYTES + h.capacity * SLOT_BYTES;
  const origins = new Uint32Array(n);
  for (let i = 0, at = list >>> 2; i < n; i++, at++) origins[i] = words[(arena + (words[at] as number) + LAYOUT.LAYOUT_E_ORIGIN) >>> 2] as number;
  return { result: exportListed(ctx, t, list, n), origins, at: 0 };
}

/** All live entries of `tables` (each already in first-occurrence order, disjoint keys), ordered by origin. */
export function exportByOrigin(ctx: KernelContext, tables: readonly number[]): KeyedValues {
  const runs = tables.map((t) => exportWithOrigins(ctx, t));
  if (runs.length === 1) return (runs[0] as Run).result;
  let total = 0;
  for (const run of runs) total += run.origins.length;
  const keys = new Array<string>(total);
  const values = new Float64Array(total);
  for (let out = 0; out < total; out++) {
    let best: Run | undefined;
    for (const run of runs) {
      if (run.at < run.origins.length && (best === undefined || (run.origins[run.at] as number) < (best.origins[best.at] as number))) best = run;
    }
    const from = best as Run;
    keys[out] = from.result.keys[from.at] as string;
    values[out] = from.result.values[from.at] as number;
    from.at++;
  }
  return { keys, values };
}
