/**
 * The input regions a pool lends (allocInput): which are out, and whether a
 * batch's bytes lie in one of them, so the batch is read in place, not copied.
 */
import type { InputRegion } from '../../kernels/api.js';
import { INPUT_PADDING } from '../../kernels/layout.js';
import type { KernelContext } from '../../kernels/wasm-table.js';

export class LentInputs {
  /** Buffers of the views alloc() handed out: bytes on one of them are in the pool's memory. */
  private readonly buffers = new WeakSet<ArrayBufferLike>();
  /** Input regions lent and not released yet: start → end (byte offsets). */
  private readonly ranges = new Map<number, number>();

  /**
   * A region of `byteLength` bytes, followed by INPUT_PADDING readable bytes.
   * Releasing it frees it, unless `closed()`: a closed pool's memory is not
   * allocated from again.
   */
  alloc(context: KernelContext, byteLength: number, closed: () => boolean): InputRegion {
    const ptr = context.allocator.alloc(byteLength + INPUT_PADDING);
    const bytes = new Uint8Array(context.instance.memory.u8().buffer, ptr, byteLength);
    this.buffers.add(bytes.buffer);
    this.ranges.set(ptr, ptr + byteLength);
    return {
      bytes,
      release: () => {
        if (!this.ranges.delete(ptr)) return;
        if (!closed()) context.allocator.release(ptr);
      },
    };
  }

  /** Regions lent and not released yet. */
  get size(): number {
    return this.ranges.size;
  }

  /** Whether `bytes` lie in a region lent and not released (a stale view is not trusted: it is copied). */
  contains(bytes: Uint8Array): boolean {
    if (!this.buffers.has(bytes.buffer)) return false;
    const start = bytes.byteOffset;
    for (const [ptr, end] of this.ranges) if (start >= ptr && start + bytes.length <= end) return true;
    return false;
  }
}
