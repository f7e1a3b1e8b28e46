/** Reading and copying kernel tables byte for byte, for the kernel tests that compare tables entry by entry. */
import assert from 'node:assert/strict';
import { LAYOUT, tableRegionBytes, type KernelContext } from '../../src/kernels/index.js';

export interface LiveEntry {
  readonly key: string;
  readonly origin: number;
  readonly valueBits: bigint;
}
/** The live entries of t in arena (insertion) order: key bytes, origin and raw value bits. */
export function liveEntries(ctx: KernelContext, t: number): LiveEntry[] {
  const h = ctx.instance.header(t);
  const view = ctx.instance.memory.view();
  const u8 = ctx.instance.memory.u8();
  const arena = t + LAYOUT.LAYOUT_TABLE_HEADER_BYTES + h.capacity * LAYOUT.LAYOUT_SLOT_BYTES;
  const out: LiveEntry[] = [];
  for (let off = 0; off < h.arenaUsed;) {
    const e = arena + off;
    const word = view.getUint32(e + LAYOUT.LAYOUT_E_KEY_LENGTH, true);
    const len = (word & ~LAYOUT.LAYOUT_ENTRY_DEAD_BIT) >>> 0;
    if ((word & LAYOUT.LAYOUT_ENTRY_DEAD_BIT) === 0) {
      const key = Array.from(u8.subarray(e + LAYOUT.LAYOUT_E_KEY, e + LAYOUT.LAYOUT_E_KEY + len), (b) => b.toString(16).padStart(2, '0')).join('');
      out.push({ key, origin: view.getUint32(e + LAYOUT.LAYOUT_E_ORIGIN, true), valueBits: view.getBigUint64(e + LAYOUT.LAYOUT_E_VALUE, true) });
    }
    off += LAYOUT.LAYOUT_ENTRY_HEADER_BYTES + ((len + 7) & ~7);
  }
  assert.equal(out.length, h.size, 'live entries walked = header size');
  return out;
}

/** A byte-for-byte copy of table t (slots hold arena offsets, so the copy is a valid table). */
export function copyTable(ctx: KernelContext, t: number): number {
  const h = ctx.instance.header(t);
  const bytes = tableRegionBytes(h.capacity, h.arenaCapacity);
  const copy = ctx.allocator.alloc(bytes);
  const u8 = ctx.instance.memory.u8();
  u8.copyWithin(copy, t, t + bytes);
  return copy;
}

